import Diagnosis
import Foundation
import Testing

@testable import ComplianceReport

@Suite struct HTMLRendererTests {
    @Test(arguments: Language.allCases)
    func wellFormedWithThreeCharts(language: Language) throws {
        let html = HTMLRenderer().render(SampleReport.report(language: language))
        for id in ["chart-daily", "chart-classes", "chart-receivers"] {
            #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\""))
        }
        #expect(!html.contains("<script"))
        // Self-contained: the only URLs are the XML namespaces.
        let urls = html.components(separatedBy: "http").count - 1
        #expect(urls == html.components(separatedBy: "http://www.w3.org/").count - 1)
        #expect(html.contains("lang=\"\(language.rawValue)\""))
        #expect(TagBalance.check(html) == nil)
        if let problem = try XMLLint.check(html) { Issue.record("xmllint: \(problem)") }
    }

    @Test func germanReportReadsGerman() {
        let html = HTMLRenderer().render(SampleReport.report())
        // The sample month's fixable problems all stopped before its end (MonthlyReportTests): compliant.
        #expect(html.contains("Konform"))
        #expect(html.contains("Siegelring"))
        #expect(html.contains("Eigener Briefumschlag"))
        let text = html.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
        #expect(text.contains("müller-gmbh.de (xn--mller-gmbh-9db.de)"))
        #expect(html.contains("<code>p=quarantine, sp=none, pct=100</code>"))
        #expect(html.contains("\u{00A0}%"))
        #expect(!html.contains("{0}"))
        #expect(html.contains("<dt>Erstellt</dt><dd>02.04.2026</dd>"))
    }

    @Test("a company name breaks neither around & nor before its legal form")
    func companyNamesStayTogether() {
        #expect(Markup.companyName("Müller GmbH & Co. KG") == "Müller GmbH\u{00A0}&amp;\u{00A0}Co.\u{00A0}KG")
        #expect(Markup.companyName("ACME HR AG") == "ACME HR\u{00A0}AG")
        #expect(Markup.companyName("Contoso Talent Ltd") == "Contoso Talent\u{00A0}Ltd")
        #expect(Markup.companyName("A <b>") == "A &lt;b&gt;")
    }

    @Test("a domain breaks after a dot or at a space, never at its own hyphen")
    func domainsBreakOnlyAfterDots() {
        #expect(
            Markup.domain("acme-hr.ch")
                == "<span class=\"nowrap\">acme-hr.</span><wbr/><span class=\"nowrap\">ch</span>")
        #expect(
            Markup.domain("a.b (x&y)")
                == "<span class=\"nowrap\">a.</span><wbr/><span class=\"nowrap\">b</span> <span class=\"nowrap\">(x&amp;y)</span>")
    }

    @Test("receivers by their common names", arguments: [
        ("google.com", "Google"), ("Enterprise Outlook", "Microsoft"), ("Outlook.com", "Microsoft"),
        ("Yahoo! Inc.", "Yahoo"), ("GMX", "GMX"), ("WEB.DE", "WEB.DE"), (" Mimecast ", "Mimecast"),
        ("mx.receiver.example", "mx.receiver.example"),
    ])
    func receiverNames(_ orgName: String, _ common: String) {
        #expect(ReceiverNames.common(orgName) == common)
    }

    @Test func axisScalesAreRound() {
        #expect(SVGCharts.axisScale(maximum: 0) == (4, 1))
        #expect(SVGCharts.axisScale(maximum: 3) == (3, 1))
        #expect(SVGCharts.axisScale(maximum: 5_683) == (6_000, 2_000))
        #expect(SVGCharts.axisScale(maximum: 1_001) == (1_500, 500))
        #expect(SVGCharts.axisScale(maximum: 99) == (100, 50))
    }

    @Test func englishReportReadsEnglish() {
        let html = HTMLRenderer().render(SampleReport.report(language: .en))
        #expect(html.contains("Compliant"))
        #expect(html.contains("Signet ring"))
        #expect(!html.contains("{0}"))
        #expect(!html.contains("Nachrichten"))
    }

    @Test func hostileTextIsEscaped() {
        var input = SampleReport.input(days: 3...3)
        input.tenant.name = "<script>alert(1)</script> & Co"
        input.reports[0].receiver = "evil\"><img src=x>"
        let html = HTMLRenderer().render(MonthlyReport.build(input))
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<img"))
        #expect(TagBalance.check(html) == nil)
    }
}

/// A small well-formedness check that needs no XML library: every tag closed in order.
enum TagBalance {
    static let void: Set<String> = []

    /// Nil when balanced, else the first mismatch.
    static func check(_ html: String) -> String? {
        var stack: [String] = []
        var rest = html[...]
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { return "unterminated tag" }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("!") || tag.hasPrefix("?") { continue }
            if tag.hasPrefix("/") {
                let name = String(tag.dropFirst())
                guard stack.popLast() == name else { return "unexpected </\(name)>" }
            } else if !tag.hasSuffix("/") {
                let name = String(tag.prefix { $0 != " " && $0 != "\n" })
                if name == "style" {
                    // CSS may contain '>' (child selectors); skip to the closing tag.
                    guard let end = rest.firstRange(of: "</style>") else { return "unterminated style" }
                    rest = rest[end.upperBound...]
                    continue
                }
                stack.append(name)
            }
        }
        return stack.isEmpty ? nil : "unclosed <\(stack.last ?? "")>"
    }
}

/// libxml2's own check, when `xmllint` is installed.
enum XMLLint {
    static func check(_ html: String) throws -> String? {
        guard
            let xmllint = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"].first(
                where: FileManager.default.isExecutableFile)
        else { return nil }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).xhtml")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(html.utf8).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: xmllint)
        process.arguments = ["--noout", "--nonet", file.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : String(decoding: output, as: UTF8.self)
    }
}
