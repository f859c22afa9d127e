import Testing

@testable import ReportReading

/// CSV fields as spreadsheets read them back (RFC 4180), whatever a receiver put in a report.
@Suite struct CSVRowTests {
    @Test("a CR LF inside a field is quoted: Swift sees it as one Character, neither CR nor LF")
    func crlfIsQuoted() {
        // A comment written as "a&#13;&#10;b" reaches us as a real CR LF.
        #expect(CSVRow.escape("arc=pass\r\nlocal") == "\"arc=pass\r\nlocal\"")
        #expect(CSVRow.escape("a\rb") == "\"a\rb\"")
    }

    @Test("quotes double, commas quote, plain text and numbers stay as they are")
    func quoting() {
        #expect(CSVRow.escape("say \"hi\", then") == "\"say \"\"hi\"\", then\"")
        #expect(CSVRow.escape("google.com") == "google.com")
        #expect(CSVRow.escape("Zürich GmbH") == "Zürich GmbH")
        #expect(CSVRow.escape("-12") == "-12")
    }

    @Test("a field that would start a formula gets a leading apostrophe, quoted or not")
    func formulas() {
        #expect(CSVRow.escape("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVRow.escape("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSVRow.escape("+1 555") == "'+1 555")
    }
}
