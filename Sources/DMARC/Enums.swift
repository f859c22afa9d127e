/// A value read from a report's text: trimmed and lower-cased, with the aliases real receivers use.
public protocol ReportEnum: RawRepresentable, Sendable, Hashable, CaseIterable where RawValue == String {
    /// Other spellings seen in real reports, mapped to the standard value.
    static var aliases: [String: Self] { get }
}

extension ReportEnum {
    public static var aliases: [String: Self] { [:] }

    /// Reads `text` after trimming and lower-casing; nil when it is no known value or alias.
    /// Inlinable so that callers get it specialised: generic, it cost a metadata lookup per value.
    @inlinable
    public init?(reportText text: some StringProtocol) {
        // Most reports already write the standard spelling.
        if let exact = Self(rawValue: String(text)) {
            self = exact
            return
        }
        let key = Normalise.trimmed(text).lowercased()
        if let value = Self(rawValue: key) ?? Self.aliases[key] {
            self = value
        } else {
            return nil
        }
    }
}

/// What the receiver did with the messages.
public enum Disposition: String, ReportEnum {
    case none, quarantine, reject
    /// RFC 9990 adds `pass`: the message passed DMARC and no policy was applied.
    case pass
}

/// `p`, `sp` and `np` of the published record.
public enum PolicyAction: String, ReportEnum {
    case none, quarantine, reject
}

/// `adkim` / `aspf`: relaxed or strict.
public enum Alignment: String, ReportEnum {
    case relaxed = "r", strict = "s"
    public static var aliases: [String: Alignment] { ["relaxed": .relaxed, "strict": .strict] }
}

/// The aligned verdict in `policy_evaluated`.
public enum DMARCResult: String, ReportEnum {
    case pass, fail
    public static var aliases: [String: DMARCResult] { ["hardfail": .fail, "softfail": .fail] }
}

/// RFC 7489's DKIMResultType.
public enum DKIMResult: String, ReportEnum {
    case none, pass, fail, policy, neutral, temperror, permerror
    public static var aliases: [String: DKIMResult] {
        ["hardfail": .fail, "unknown": .temperror, "error": .permerror]
    }
}

/// RFC 7489's SPFResultType.
public enum SPFResult: String, ReportEnum {
    case none, neutral, pass, fail, softfail, temperror, permerror
    public static var aliases: [String: SPFResult] {
        ["hardfail": .fail, "unknown": .temperror, "error": .permerror]
    }
}

public enum SPFScope: String, ReportEnum {
    case helo, mfrom
}

/// Why the receiver did not apply the published policy.
public enum PolicyOverride: String, ReportEnum {
    case forwarded
    case sampledOut = "sampled_out"
    case trustedForwarder = "trusted_forwarder"
    case mailingList = "mailing_list"
    case localPolicy = "local_policy"
    case other
    /// RFC 9990.
    case policyTestMode = "policy_test_mode"
    public static var aliases: [String: PolicyOverride] {
        ["sampled-out": .sampledOut, "trusted-forwarder": .trustedForwarder, "mailing-list": .mailingList,
         "local-policy": .localPolicy]
    }
}
