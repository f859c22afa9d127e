import DMARC

/// Whether an authenticated domain (DKIM `d=`, SPF envelope-from) aligns with header From.
///
/// DMARC's relaxed mode compares organizational domains, which needs the Public Suffix List; this
/// module has none (no network, no data files), so relaxed alignment is approximated as "one domain
/// equals or is a subdomain of the other, on label boundaries", plus "both lie within the tenant's
/// configured domain" (that domain is at or below its organizational domain, so siblings such as
/// `jobs.acme-hr.ch` and `mail.acme-hr.ch` align). The approximation misses siblings outside a
/// configured domain and would align with a bare public suffix (`co.uk`), which no signer controls.
/// It only explains rows the receiver already judged: the DMARC verdict itself is the report's.
struct IdentifierAlignment {
    var headerFrom: String
    /// The configured tenant domain covering header From.
    var tenantDomain: String?
    var mode: Alignment

    func aligns(_ domain: String) -> Bool {
        let domain = IdentifierAlignment.normalised(domain)
        if domain.isEmpty { return false }
        if domain == headerFrom { return true }
        guard mode == .relaxed, domain.utf8.contains(UInt8(ascii: ".")) else { return false }
        if IdentifierAlignment.isSubdomain(domain, of: headerFrom)
            || IdentifierAlignment.isSubdomain(headerFrom, of: domain)
        {
            return true
        }
        if let tenantDomain {
            return IdentifierAlignment.isSubdomain(domain, of: tenantDomain)
                && IdentifierAlignment.isSubdomain(headerFrom, of: tenantDomain)
        }
        return false
    }

    /// `child` ends in `.parent` (strictly below it).
    static func isSubdomain(_ child: String, of parent: String) -> Bool {
        let c = child.utf8, p = parent.utf8
        guard c.count > p.count + 1 else { return false }
        let start = c.index(c.endIndex, offsetBy: -p.count)
        return c[c.index(before: start)] == UInt8(ascii: ".") && c[start...].elementsEqual(p)
    }

    /// Reports normally carry normalised domains; fall back to `Normalise.domain` for anything else.
    static func normalised(_ domain: String) -> String {
        let clean =
            domain.utf8.allSatisfy {
                $0 < 0x80 && !($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) && $0 > 0x20
            } && domain.utf8.last != UInt8(ascii: ".")
        if clean { return domain }
        return Normalise.domain(domain) ?? ""
    }
}
