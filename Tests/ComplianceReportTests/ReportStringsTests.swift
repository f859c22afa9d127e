import DMARC
import Diagnosis
import Testing

@testable import ComplianceReport

@Suite struct ReportStringsTests {
    @Test(arguments: Language.allCases)
    func everyKeyIsTranslated(language: Language) {
        let table = ReportStrings.table(language)
        let required = Set(ReportStrings.requiredKeys)
        #expect(required.count == ReportStrings.requiredKeys.count, "a key is listed twice")
        #expect(Set(table.keys).subtracting(required).sorted() == [], "keys no renderer asks for")
        #expect(required.subtracting(table.keys).sorted() == [], "untranslated keys")
        for (key, text) in table {
            #expect(!text.trimmingCharacters(in: .whitespaces).isEmpty, "empty text for \(key)")
        }
    }

    @Test func placeholdersMatchAcrossLanguages() {
        func placeholders(_ text: String) -> Set<String> {
            Set((0..<6).map { "{\($0)}" }.filter { text.contains($0) })
        }
        for key in ReportStrings.requiredKeys {
            #expect(
                placeholders(ReportStrings.german[key] ?? "") == placeholders(ReportStrings.english[key] ?? ""),
                "placeholders differ for \(key)")
        }
    }

    @Test func textFillsPlaceholders() {
        #expect(ReportStrings(.en).text("reports.many", "12") == "12 reports")
        #expect(ReportStrings(.de).text("reports.many", "12") == "12 Berichte")
        #expect(ReportStrings(.de).classTitle(.dkimKeyMissing) == "DKIM-Schlüssel fehlt")
    }

    @Test func numbersPerLanguage() {
        let de = ReportFormatting(.de)
        let en = ReportFormatting(.en)
        #expect(de.percent(1234.5) == "1.234,5\u{00A0}%")
        #expect(en.percent(1234.5) == "1,234.5%")
        #expect(de.integer(Int64(1_234_567)) == "1.234.567")
        #expect(en.integer(Int64(1_234_567)) == "1,234,567")
        #expect(en.integer(Int64(999)) == "999")
        #expect(en.integer(Int64(-1000)) == "−1,000")
        #expect(de.percentagePoints(1.25) == "+1,3\u{00A0}Pp.")
        #expect(en.percentagePoints(-0.04) == "±0.0\u{00A0}pp")
        #expect(en.percentagePoints(-0.06) == "−0.1\u{00A0}pp")
        // Never 100 % unless all passed, never 0 % unless none.
        #expect(en.percent(99_999, of: 100_000) == "99.9%")
        #expect(en.percent(1, of: 100_000) == "0.1%")
        #expect(en.percent(5, of: 5) == "100.0%")
        #expect(en.percent(0, of: 0) == nil)
    }

    @Test func datesPerLanguage() {
        let day = Day(year: 2026, month: 3, day: 7)!
        #expect(ReportFormatting(.de).day(day) == "07.03.2026")
        #expect(ReportFormatting(.en).day(day) == "7 Mar 2026")
        #expect(ReportFormatting(.de).month(SampleReport.month) == "März 2026")
        #expect(ReportFormatting(.en).month(SampleReport.month) == "March 2026")
        let noon = Int64(day.daysSinceEpoch) * 86_400 + 12 * 3600 + 5 * 60
        #expect(ReportFormatting(.de).moment(noon) == "07.03.2026 12:05")
    }
}
