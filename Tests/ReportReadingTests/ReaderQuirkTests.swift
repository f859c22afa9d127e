import DMARC
@_spi(Testing) import ReportReading
import Testing

/// Each quirk that real receivers send, read as a correct reader must.
@Suite struct ReaderQuirkTests {
    @Test func readsAPlainReport() throws {
        let result = try read(reportXML())
        let report = try #require(result.reports.first)
        #expect(result.rejections.isEmpty)
        #expect(report.schema == .rfc7489)
        #expect(report.metadata.reportID == "12345678901234567890")  // 20 digits: text, not Int64
        #expect(report.metadata.dateRange == DateRange(begin: 1_700_000_000, end: 1_700_086_399))
        #expect(report.policy.sp == PolicyAction.none)  // absent sp takes p
        let record = try #require(report.records.first)
        #expect(record.sourceIP == "192.0.2.1")
        #expect(record.count == 2)
        #expect(record.policyEvaluated.dkim == .pass)
        #expect(record.authResults.dkim == [DKIMAuthResult(domain: "example.com", selector: "s1", result: .pass)])
        #expect(record.authResults.spf == [SPFAuthResult(domain: "example.com", scope: .mfrom, result: .softfail)])
        #expect(report.warnings.isEmpty)
    }

    @Test func microsoftPrefixesAndTheDmarc2Namespace() throws {
        let prefixed = reportXML().replacingOccurrences(of: "<", with: "<d:").replacingOccurrences(of: "<d:/", with: "</d:")
            .replacingOccurrences(of: "<d:?xml", with: "<?xml")
            .replacingOccurrences(of: "<d:feedback>", with: "<d:feedback xmlns:d=\"urn:ietf:params:xml:ns:dmarc-2.0\">")
        let report = try #require(try read(prefixed).reports.first)
        #expect(report.schema == .dmarc2)
        #expect(report.records.count == 1)
    }

    @Test func brokenNamespaceURIsStillRead() throws {
        let report = try #require(try read(reportXML(rootAttributes: " xmlns=\"http://dmarc.org/dmarc-xml/0.1\"")).reports.first)
        #expect(report.records.count == 1)
        #expect(report.schema == .rfc7489)
    }

    @Test func anyChildOrderAndIdentities() throws {
        let record = """
            <record><auth_results><spf><result>pass</result><domain>Example.COM</domain></spf>
            <dkim><result>fail</result><domain>example.com</domain></dkim></auth_results>
            <identities><envelope_from>bounce.example.com</envelope_from><header_from>example.com</header_from></identities>
            <row><count>5</count><policy_evaluated><spf>pass</spf><dkim>fail</dkim><disposition>none</disposition></policy_evaluated>
            <source_ip>2001:DB8::0:1</source_ip></row></record>
            """
        let report = try #require(try read(reportXML(records: record)).reports.first)
        let row = try #require(report.records.first)
        #expect(row.sourceIP == "2001:db8::1")
        #expect(row.identifiers == Identifiers(headerFrom: "example.com", envelopeFrom: "bounce.example.com"))
        #expect(row.authResults.spf.first?.domain == "example.com")
        #expect(row.authResults.dkim.first?.result == .fail)
    }

    @Test func metadataAfterRecordsIsStillTheHeader() throws {
        let xml = "<?xml version=\"1.0\"?><feedback>\(defaultRecord)<policy_published><domain>example.com</domain><p>reject</p></policy_published><report_metadata><org_name>x</org_name><email>e@x</email><report_id>1</report_id><date_range><begin>1</begin><end>2</end></date_range></report_metadata></feedback>"
        let report = try #require(try read(xml).reports.first)
        #expect(report.records.count == 1)
        #expect(report.policy.p == .reject)
    }

    @Test func firstPolicyPublishedWins() throws {
        let policy = "<policy_published><domain>first.example</domain><p>reject</p></policy_published><policy_published><domain>second.example</domain><p>none</p></policy_published>"
        let report = try #require(try read(reportXML(policy: policy)).reports.first)
        #expect(report.policy.domain == "first.example")
        #expect(report.policy.p == .reject)
        #expect(report.warnings.contains { $0.contains("first of several") })
    }

    @Test func rfc9990FieldsAndExtensionsIgnoredSafely() throws {
        let policy = "<policy_published><domain>example.com</domain><discovery_method>psl</discovery_method><p>quarantine</p><sp></sp><np>reject</np><testing>y</testing></policy_published><extension><anything><deep>value</deep></anything></extension>"
        let report = try #require(try read(reportXML(policy: policy)).reports.first)
        #expect(report.schema == .dmarc2)
        #expect(report.policy.np == .reject)
        #expect(report.policy.sp == .quarantine)  // empty sp takes p
        #expect(report.policy.testing == "y")
        #expect(report.policy.discoveryMethod == "psl")
        #expect(report.warnings.isEmpty)
    }

    @Test func humanResultAndReasonsAreKept() throws {
        let record = defaultRecord
            .replacingOccurrences(of: "<spf>fail</spf></policy_evaluated>", with: "<spf>fail</spf><reason><type>Forwarded</type><comment>arc=pass</comment></reason><reason><type>local_policy</type></reason></policy_evaluated>")
            .replacingOccurrences(of: "<result>pass</result></dkim>", with: "<result>pass</result><human_result>good key</human_result></dkim>")
        let row = try #require(try read(reportXML(records: record)).reports.first?.records.first)
        #expect(row.policyEvaluated.reasons == [
            PolicyOverrideReason(type: .forwarded, comment: "arc=pass"), PolicyOverrideReason(type: .localPolicy),
        ])
        #expect(row.authResults.dkim.first?.humanResult == "good key")
    }

    @Test func upperCaseAndAliasesAreNormalised() throws {
        let record = defaultRecord.replacingOccurrences(of: "<dkim>pass</dkim>", with: "<dkim> Pass </dkim>")
            .replacingOccurrences(of: "<result>softfail</result>", with: "<result>hardfail</result>")
        let row = try #require(try read(reportXML(records: record)).reports.first?.records.first)
        #expect(row.policyEvaluated.dkim == .pass)
        #expect(row.authResults.spf.first?.result == .fail)
    }

    @Test func unknownEnumValueIsLeftEmptyWithAWarning() throws {
        let record = defaultRecord.replacingOccurrences(of: "<disposition>none</disposition>", with: "<disposition>maybe</disposition>")
        let report = try #require(try read(reportXML(records: record)).reports.first)
        #expect(report.records.first?.policyEvaluated.disposition == nil)
        #expect(report.warnings.contains { $0.contains("disposition \"maybe\"") })
    }

    @Test func datesWithDecimalsAndSpaces() throws {
        let metadata = "<report_metadata><org_name>x</org_name><email>e@x</email><report_id>r</report_id><date_range><begin> 1700000000.0 </begin><end>1700086399.5</end></date_range></report_metadata>"
        let report = try #require(try read(reportXML(metadata: metadata)).reports.first)
        #expect(report.metadata.dateRange == DateRange(begin: 1_700_000_000, end: 1_700_086_399))
    }

    @Test func unreadableRowsAreKeptOutAndNamed() throws {
        let bad = defaultRecord.replacingOccurrences(of: "192.0.2.1", with: "")
        let badCount = defaultRecord.replacingOccurrences(of: "<count>2</count>", with: "<count>many</count>")
        let report = try #require(try read(reportXML(records: defaultRecord + bad + badCount)).reports.first)
        #expect(report.records.count == 1)
        #expect(report.messageCount == 2)
        #expect(report.warnings.count == 2)
        #expect(report.warnings[0].contains("record 2: source_ip empty"))
        #expect(report.warnings[1].contains("count \"many\""))
    }

    @Test func hugeCountsAre64Bit() throws {
        let record = defaultRecord.replacingOccurrences(of: "<count>2</count>", with: "<count>5000000000</count>")
        #expect(try read(reportXML(records: record)).reports.first?.records.first?.count == 5_000_000_000)
    }

    @Test func byteOrderMarkIsRemovedWithAWarning() throws {
        let report = try #require(try read(bytes: [0xEF, 0xBB, 0xBF] + Array(reportXML().utf8)).reports.first)
        #expect(report.warnings == ["removed a UTF-8 byte order mark"])
    }

    @Test func junkBeforeFeedbackIsSkipped() throws {
        let xml = reportXML().replacingOccurrences(
            of: "<feedback>", with: "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n<feedback>")
        let report = try #require(try read(xml).reports.first)
        #expect(report.records.count == 1)
        let warning = try #require(report.warnings.first)
        #expect(warning.hasPrefix("skipped 56 bytes before <feedback> (<xs:schema"), "\(warning)")
    }

    @Test func controlCharactersAreRemoved() throws {
        let xml = reportXML().replacingOccurrences(of: "<org_name>google.com", with: "<org_name>goo\u{1}gle.com\u{8}")
        let report = try #require(try read(xml).reports.first)
        #expect(report.metadata.orgName == "google.com")
        #expect(report.warnings.contains("removed 2 control character(s) not allowed in XML"))
    }

    @Test func nonUTF8BytesAreReadAsWindows1252() throws {
        var bytes = Array(reportXML().utf8)
        let marker = Array("google.com</org_name>".utf8)
        let at = try #require(bytes.firstRange(of: marker)).lowerBound
        bytes.insert(0x91, at: at)  // windows-1252 left single quote
        bytes.insert(contentsOf: Array("ü".utf8), at: at)  // real UTF-8 stays as it is
        let report = try #require(try read(bytes: bytes).reports.first)
        #expect(report.metadata.orgName == "ü\u{2018}google.com")
        #expect(report.warnings.contains("read 1 byte(s) that are not UTF-8 as windows-1252"))
    }

    @Test func strayLessThanIsRepairedWhenTheDocumentIsComplete() throws {
        let xml = reportXML().replacingOccurrences(
            of: "<email>noreply-dmarc-support@google.com</email>", with: "<email><bad-xml@bad-xml.net></email>")
        let result = try read(xml)
        let report = try #require(result.reports.first)
        #expect(report.metadata.reportID == "12345678901234567890")
        #expect(report.records.count == 1)
        #expect(report.warnings.contains { $0.hasPrefix("recovered from malformed XML: line 2") })
    }

    @Test func truncatedDocumentIsRejectedNeverHalfRead() throws {
        let xml = String(reportXML().prefix(620))
        let result = try read(xml)
        #expect(result.reports.isEmpty)
        #expect(result.rejections.first?.error.code == .truncated)
    }

    @Test func truncatedRepairedDocumentIsRejected() throws {
        let xml = reportXML().replacingOccurrences(of: "<email>", with: "<email><bad@x>")
        let result = try read(String(xml.prefix(xml.count - 40)))
        #expect(result.reports.isEmpty)
        #expect(result.rejections.first?.error.code == .truncated)
    }

    @Test(arguments: [
        ("<report_metadata><email>e@x</email><report_id>r</report_id></report_metadata>", "no date_range"),
        ("<report_metadata><org_name>x</org_name><date_range><begin>1</begin><end>2</end></date_range></report_metadata>", "no report_id"),
        ("<report_metadata><report_id>r</report_id><date_range><begin>1</begin><end>2</end></date_range></report_metadata>", "neither org_name nor email"),
        ("<report_metadata><org_name>x</org_name><report_id>r</report_id><date_range><begin>x</begin><end>2</end></date_range></report_metadata>", "begin \"x\" is not a number"),
    ])
    func reportsWithoutRequiredFieldsAreRejected(metadata: String, reason: String) throws {
        let result = try read(reportXML(metadata: metadata))
        #expect(result.reports.isEmpty)
        #expect(result.rejections.first?.error.code == .missingField)
        #expect(result.rejections.first?.error.message.contains(reason) == true)
    }

    @Test func reportWithoutPolicyDomainIsRejected() throws {
        let result = try read(reportXML(policy: "<policy_published><domain> </domain><p>none</p></policy_published>"))
        #expect(result.rejections.first?.error.message == "policy_published has no domain")
    }

    @Test func reportWithNoRecordsIsAReport() throws {
        let report = try #require(try read(reportXML(records: "")).reports.first)
        #expect(report.records.isEmpty)
    }

    @Test func utf16WithBOM() throws {
        let report = try #require(try readFile(TestPaths.fixture("utf16.xml")).reports.first)
        #expect(report.records.count == 1)
    }

    @Test(arguments: ["report.xml", "report.xml.gz", "report.xml.gz.gz", "concatenated.xml.gz", "stored.zip"])
    func compressedFormsYieldTheSameReport(name: String) throws {
        let plain = try #require(try readFile(TestPaths.fixture("report.xml")).reports.first)
        let result = try readFile(TestPaths.fixture(name))
        #expect(result.rejections.isEmpty)
        let report = try #require(result.reports.first)
        #expect(report.records == plain.records)
        #expect(report.metadata.orgName == plain.metadata.orgName)
    }

    @Test func trailingBytesAfterGzipAreIgnoredWithAWarning() throws {
        let report = try #require(try readFile(TestPaths.fixture("trailing-junk.xml.gz")).reports.first)
        #expect(report.warnings == ["ignored 16 byte(s) after the gzip stream"])
    }

    @Test func zipMembersFoldersAndMacJunk() throws {
        let result = try readFile(TestPaths.fixture("several.zip"))
        #expect(result.rejections.isEmpty)
        #expect(result.reports.map(\.metadata.reportID).sorted() == ["a", "b", "c"])
        // A member called ../../etc/evil.xml is only a name: nothing is written anywhere.
        #expect(result.reports.map(\.source).contains { $0.hasSuffix("several.zip!../../etc/evil.xml") })
    }
}
