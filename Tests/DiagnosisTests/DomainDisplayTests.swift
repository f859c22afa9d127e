import DMARC
import Testing

@_spi(Testing) @testable import Diagnosis

@Suite("Domains shown in recommendations")
struct DomainDisplayTests {
    /// Punycode decoding must invert the model's encoder for every label, or a tenant would read a wrong name.
    @Test(arguments: [
        "müller-gmbh.de", "ünicode-gmbh.de", "karriere.bücher-köln.de", "日本語.example", "straße.de", "ñandú.example",
    ])
    func roundTrip(_ unicode: String) throws {
        let aLabels = try #require(Normalise.domain(unicode))
        #expect(aLabels != unicode)
        #expect(DomainDisplay.unicodeForm(aLabels) == unicode)
        #expect(DomainDisplay.named(aLabels) == "\(unicode) (\(aLabels))")
    }

    @Test(arguments: ["acme-hr.ch", "xn--.example", "xn--zz9zz9zz9zz9zz9.example", "xn--a-.example"])
    func leavesOtherNamesAlone(_ domain: String) {
        let shown = DomainDisplay.unicodeForm(domain)
        // Either unchanged, or something that encodes back to exactly the same A-labels.
        #expect(shown == domain || Normalise.domain(shown) == domain)
    }
}
