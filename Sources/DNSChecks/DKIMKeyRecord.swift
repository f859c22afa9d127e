import Crypto
import Foundation
import SwiftASN1

/// A DKIM key record (RFC 6376 §3.6.1): its tags, and the key they carry, checked.
public struct DKIMKeyRecord: Sendable, Hashable {
    public enum Key: Sendable, Hashable {
        /// `p=` is empty: the key is revoked.
        case revoked
        /// Not base64, or not a key of the stated type (a truncated record typically).
        case unreadable(String)
        /// The modulus length in bits.
        case rsa(bits: Int)
        case ed25519
    }

    public var tags: [String: String] = [:]
    public var errors: [String] = []
    /// The decoded `p=` bytes (nil when absent or not base64).
    public var keyBytes: Data?
    public var key: Key

    /// Whether a TXT record looks like a DKIM key at all (`v=DKIM1` first, or a `p=` tag).
    public static func looksLikeKey(_ text: String) -> Bool {
        let record = DKIMKeyRecord.tags(text)
        return record["v"] != nil || record["p"] != nil
    }

    public init(_ text: String) {
        tags = DKIMKeyRecord.tags(text)
        let first = text.split(separator: ";").first.map { $0.filter { !$0.isWhitespace } } ?? ""
        if let version = tags["v"] {
            if version != "DKIM1" { errors.append("v=\(version): expected DKIM1") }
            if !first.hasPrefix("v=") { errors.append("v= must be the first tag") }
        }
        let type = (tags["k"] ?? "rsa").lowercased()
        guard let p = tags["p"] else {
            errors.append("p= is missing")
            key = .unreadable("no p= tag")
            return
        }
        if p.isEmpty {
            key = .revoked
            return
        }
        guard let bytes = Data(base64Encoded: p) else {
            key = .unreadable("p= is not valid base64 (cut off?)")
            return
        }
        keyBytes = bytes
        switch type {
        case "rsa":
            // Read with swift-asn1, not _CryptoExtras: `_RSA.Signing.PublicKey(unsafeDERRepresentation:)`
            // of swift-crypto 3.12 frees its EVP_PKEY twice when the DER does not parse, and a cut-off key
            // from DNS is exactly that input (seen here as SIGABRT in CRYPTO_refcount_dec_and_test_zero).
            if let bits = DKIMKeyRecord.rsaModulusBits(Array(bytes)) {
                key = .rsa(bits: bits)
            } else {
                key = .unreadable("p= is no RSA public key (cut off or damaged?)")
            }
        case "ed25519":
            key =
                (try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)) != nil
                ? .ed25519 : .unreadable("p= is no Ed25519 public key (32 bytes expected)")
        default:
            key = .unreadable("k=\(type): unknown key type (rsa or ed25519)")
        }
    }

    /// The hex SHA-256 of the decoded key, for comparing with the tenants file's `sha256:` form.
    public var keySHA256: String? {
        keyBytes.map { SHA256.hash(data: $0).map { String(format: "%02x", $0) }.joined() }
    }

    /// The modulus length of an RSA public key in SubjectPublicKeyInfo (what DKIM publishes) or
    /// PKCS#1 form; nil for anything else, including trailing bytes.
    static func rsaModulusBits(_ der: [UInt8]) -> Int? {
        guard let root = try? DER.parse(der) else { return nil }
        if let bits = modulusBits(pkcs1: root) { return bits }
        guard root.identifier == .sequence, case .constructed(let children) = root.content else { return nil }
        let items = Array(children)
        let rsaEncryption: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]  // 1.2.840.113549.1.1.1
        guard items.count == 2, items[0].identifier == .sequence, case .constructed(let algorithm) = items[0].content,
            let oid = Array(algorithm).first, oid.identifier == .objectIdentifier,
            case .primitive(let oidBytes) = oid.content, Array(oidBytes) == rsaEncryption,
            items[1].identifier == .bitString, case .primitive(let bitString) = items[1].content,
            bitString.first == 0, let inner = try? DER.parse(Array(bitString.dropFirst()))
        else { return nil }
        return modulusBits(pkcs1: inner)
    }

    /// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }, both positive.
    private static func modulusBits(pkcs1 node: ASN1Node) -> Int? {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else { return nil }
        let items = Array(children)
        guard items.count == 2, items.allSatisfy({ $0.identifier == .integer }),
            case .primitive(let modulus) = items[0].content, case .primitive(let exponent) = items[1].content,
            let sign = modulus.first, sign & 0x80 == 0, let exponentSign = exponent.first, exponentSign & 0x80 == 0
        else { return nil }
        let digits = modulus.drop { $0 == 0 }
        guard let first = digits.first else { return nil }
        return digits.count * 8 - first.leadingZeroBitCount
    }

    static func tags(_ text: String) -> [String: String] {
        var tags: [String: String] = [:]
        for part in text.split(separator: ";") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let name = part[..<equals].filter { !$0.isWhitespace }.lowercased()
            // Values may be folded with whitespace (RFC 6376 §3.2); base64 never contains any.
            let value = part[part.index(after: equals)...].filter { !$0.isWhitespace }
            if tags[name] == nil { tags[name] = String(value) }
        }
        return tags
    }
}
