import Foundation
import Testing
import _CryptoExtras

@testable import DNSChecks

@Suite struct DKIMKeyRecordTests {
    /// Keys made here by swift-crypto: their size is what they were made with.
    @Test(arguments: [2048, 1024])
    func rsaKeySize(_ bits: Int) throws {
        let size = _RSA.Signing.KeySize(bitCount: bits)
        let key = try _RSA.Signing.PrivateKey(unsafeKeySize: size).publicKey
        let record = DKIMKeyRecord("v=DKIM1; k=rsa; p=\(key.derRepresentation.base64EncodedString())")
        #expect(record.key == .rsa(bits: bits))
        #expect(record.errors.isEmpty)
        // PKCS#1 form too (some publishers use it).
        #expect(DKIMKeyRecord.rsaModulusBits(Array(key.pkcs1DERRepresentation)) == bits)
    }

    /// A key cut at every length is unreadable, never a crash (swift-crypto's own DER reader
    /// double-frees on such input, which is why the record is read with swift-asn1).
    @Test func truncatedKeysAreUnreadable() throws {
        let der = Array(try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey.derRepresentation)
        for length in stride(from: 0, to: der.count, by: 7) {
            #expect(DKIMKeyRecord.rsaModulusBits(Array(der.prefix(length))) == nil)
        }
        let base64 = Data(der).base64EncodedString()
        let cut = DKIMKeyRecord("v=DKIM1; p=\(base64.prefix(180))")
        guard case .unreadable = cut.key else {
            Issue.record("a cut key was read as \(cut.key)")
            return
        }
    }

    @Test func emptyKeyIsRevoked() {
        #expect(DKIMKeyRecord("v=DKIM1; k=rsa; p=").key == .revoked)
    }

    @Test func versionMustComeFirst() {
        let record = DKIMKeyRecord("k=rsa; v=DKIM1; p=")
        #expect(record.errors == ["v= must be the first tag"])
    }
}
