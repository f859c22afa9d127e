/// A CIDR block such as the provider's `192.0.2.0/24` or a tenant relay's `2001:db8:100::/48`.
///
/// Host bits must be zero: `192.0.2.10/24` is rejected rather than silently widened, because in a
/// list of allowed senders it is usually a typo for a single host (`/32`) or for the network, and
/// guessing wrong either misses the relay or attributes a whole /24 to the tenant. A bare address
/// is a single host (`/32` or `/128`). Membership is tested on pre-parsed bits, so checking a
/// report row against a few networks costs one address parse and a few masked compares.
public struct IPNetwork: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The first address of the block.
    public let address: IPAddress
    public let prefixLength: Int
    private let maskHigh: UInt64
    private let maskLow: UInt64

    /// Reads `address/prefix` or a bare address; throws with the reason otherwise.
    public init(_ text: some StringProtocol) throws(IPNetworkError) {
        let text = String(text)
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else {
            throw IPNetworkError(code: .badAddress, text: text)
        }
        let width = address.bitWidth
        var prefix = width
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int(digits), value <= width
            else {
                throw IPNetworkError(code: .badPrefix, text: text)
            }
            prefix = value
        }
        let (high, low) = IPNetwork.mask(prefix: prefix, family: address.family)
        guard address.high & ~high == 0, address.low & ~low == 0 else {
            let network = IPAddress(family: address.family, high: address.high & high, low: address.low & low)
            throw IPNetworkError(code: .hostBitsSet, text: text, suggestion: "\(network)/\(prefix)")
        }
        self.address = address
        self.prefixLength = prefix
        self.maskHigh = high
        self.maskLow = low
    }

    private static func mask(prefix: Int, family: IPAddress.Family) -> (UInt64, UInt64) {
        if family == .v4 {
            let bits: UInt64 = prefix == 0 ? 0 : (0xffff_ffff << UInt64(32 - prefix)) & 0xffff_ffff
            return (0, bits)
        }
        let high: UInt64 = prefix >= 64 ? ~0 : (prefix == 0 ? 0 : ~0 << UInt64(64 - prefix))
        let low: UInt64 = prefix <= 64 ? 0 : (prefix == 128 ? ~0 : ~0 << UInt64(128 - prefix))
        return (high, low)
    }

    /// True when `address` lies in this block; an IPv4 address is never in an IPv6 block.
    @inline(__always)
    public func contains(_ address: IPAddress) -> Bool {
        address.family == self.address.family
            && address.high & maskHigh == self.address.high
            && address.low & maskLow == self.address.low
    }

    /// True when the IP text (canonical or any valid form) lies in this block; false for non-IPs.
    public func contains(ip: String) -> Bool {
        guard let address = IPAddress(ip) else { return false }
        return contains(address)
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// The SPF mechanism that authorises this block: `ip4:192.0.2.0/24` or `ip6:2001:db8:100::/48`.
    public var spfMechanism: String {
        let name = address.family == .v4 ? "ip4" : "ip6"
        return prefixLength == address.bitWidth ? "\(name):\(address)" : "\(name):\(self)"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try IPNetwork(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Sequence<IPNetwork> {
    /// True when any of the blocks holds `address`.
    @inline(__always)
    public func contains(address: IPAddress) -> Bool {
        contains { $0.contains(address) }
    }
}
