import Testing

import DMARC
@_spi(Testing) @testable import ReportReading

/// CSV fields as spreadsheets read them back (RFC 4180), whatever a receiver put in a report.
@Suite struct CSVRowTests {
    @Test("a CR LF inside a field is quoted: Swift sees it as one Character, neither CR nor LF")
    func crlfIsQuoted() {
        // A comment written as "a&#13;&#10;b" reaches us as a real CR LF.
        #expect(CSVField.escaped("arc=pass\r\nlocal") == "\"arc=pass\r\nlocal\"")
        #expect(CSVField.escaped("a\rb") == "\"a\rb\"")
    }

    @Test("quotes double, commas quote, plain text and numbers stay as they are")
    func quoting() {
        #expect(CSVField.escaped("say \"hi\", then") == "\"say \"\"hi\"\", then\"")
        #expect(CSVField.escaped("google.com") == "google.com")
        #expect(CSVField.escaped("Zürich GmbH") == "Zürich GmbH")
        #expect(CSVField.escaped("-12") == "-12")
    }

    @Test("a field that would start a formula gets a leading apostrophe, quoted or not")
    func formulas() {
        #expect(CSVField.escaped("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVField.escaped("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSVField.escaped("+1 555") == "'+1 555")
    }
}
