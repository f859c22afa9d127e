import DMARC

/// Classifies report rows against the tenant configuration: a pure function, no I/O, no state.
///
/// The order of the checks is the order of certainty: an empty row or an unknown domain first,
/// then the receiver's own verdict (DMARC pass), then what the receiver says about forwarding and
/// temporary errors, and only then the tenant's method, which decides whose side a failure is on.
/// The provider's traffic is known exactly from `provider.networks`, never from reverse DNS.
public enum Diagnoser {
    /// For a row the receiver reported as DMARC pass with messages (`count > 0`, `Record.dmarcPass`):
    /// the tenant and configuration entry it is a pass for. `diagnose` gives such a row the class
    /// `pass` exactly when this is not nil (else `unknown-domain`), so callers that know only that
    /// the row passed — the queries, which sum those rows in SQL — need not read or diagnose it.
    public static func reportedPassOwner(
        headerFrom: String, day: Day, configuration: TenantConfiguration
    ) -> (Tenant, TenantDomain)? {
        configuration.entry(forDomain: IdentifierAlignment.normalised(headerFrom), onDay: day)
    }

    /// The receiver's own DMARC verdict (`policy_evaluated`): pass when DKIM or SPF passed; nil when
    /// the report gave neither result, and the auth results decide instead.
    ///
    /// For a row with a verdict and messages, `diagnose` gives the class `pass` exactly when this is
    /// true and the row's header From has a configuration entry on its day (`reportedPassOwner`); with
    /// false, never. The monthly report's previous month is summed by it in SQL, rows unread.
    public static func reportedVerdict(_ evaluated: PolicyEvaluated) -> Bool? {
        guard evaluated.dkim != nil || evaluated.spf != nil else { return nil }
        return evaluated.dkim == .pass || evaluated.spf == .pass
    }

    /// The configuration entry `diagnose` judges a row by: the one for its header From on its day.
    /// Rows alike in everything `diagnose` reads, with the same entry and origin, get the same
    /// diagnosis whatever their day, which lets a reader of many rows diagnose each kind once.
    public static func entryID(headerFrom: String, day: Day, configuration: TenantConfiguration) -> EntryID? {
        configuration.entryID(forDomain: IdentifierAlignment.normalised(headerFrom), onDay: day)
    }

    /// Where mail from `sourceIP` came from: the provider's networks, the tenant's relay (for the
    /// configuration entry in force), or elsewhere — known exactly from the configured networks.
    public static func origin(ofSourceIP sourceIP: String, entry: TenantDomain?, provider: ProviderConfiguration) -> SendingOrigin {
        guard let address = IPAddress(sourceIP) else { return .other }
        if provider.networks.contains(address: address) { return .providerNetwork }
        if let entry, entry.relayNetworks.contains(address: address) { return .tenantRelay }
        return .other
    }

    /// Diagnoses one row.
    ///
    /// - Parameters:
    ///   - day: the UTC day the row's messages were sent (`Day(epochSeconds: report.metadata.dateRange.begin)`);
    ///     it picks the configuration entry valid then.
    ///   - policy: the report's published policy, for strict `adkim`/`aspf`; without it alignment is relaxed,
    ///     DMARC's default.
    public static func diagnose(
        _ record: Record, day: Day, configuration: TenantConfiguration, policy: PolicyPublished? = nil
    ) -> Diagnosis {
        let provider = configuration.provider
        let headerFrom = IdentifierAlignment.normalised(record.identifiers.headerFrom)
        let found = configuration.entry(forDomain: headerFrom, onDay: day)
        let entry = found?.1
        let dkimAlignment = IdentifierAlignment(
            headerFrom: headerFrom, tenantDomain: entry?.domain, mode: policy?.adkim ?? .relaxed)
        let spfAlignment = IdentifierAlignment(
            headerFrom: headerFrom, tenantDomain: entry?.domain, mode: policy?.aspf ?? .relaxed)

        let origin = Self.origin(ofSourceIP: record.sourceIP, entry: entry, provider: provider)

        func verdict(_ kind: DiagnosisClass, signature: DKIMAuthResult? = nil, spf: SPFAuthResult? = nil) -> Diagnosis {
            Diagnosis(
                class: kind, tenantID: found?.0.id, entry: entry, origin: origin, record: record,
                headerFrom: headerFrom, signature: signature, spf: spf, dkimAlignment: dkimAlignment.mode,
                spfAlignment: spfAlignment.mode, provider: provider)
        }

        if record.count == 0 { return verdict(.empty) }
        guard let entry else { return verdict(.unknownDomain) }

        // The common case, most rows: the receiver says DMARC passed. Find the evidence without copying.
        let evaluated = record.policyEvaluated
        if reportedVerdict(evaluated) == true {
            let signature =
                evaluated.dkim == .pass
                ? record.authResults.dkim.first { $0.result == .pass && dkimAlignment.aligns($0.domain) } : nil
            let spf =
                evaluated.spf == .pass
                ? record.authResults.spf.first { $0.result == .pass && spfAlignment.aligns($0.domain) } : nil
            return verdict(.pass, signature: signature, spf: spf)
        }

        // DMARC uses the MAIL FROM identity; HELO results only stand in when there is none (bounces).
        let mailFrom = record.authResults.spf.filter { $0.scope != .helo }
        let spfResults = mailFrom.isEmpty ? record.authResults.spf : mailFrom
        // A `none` result is no signature: Microsoft lists the From domain with `none` for unsigned mail.
        let signatures = record.authResults.dkim.filter { $0.result != DKIMResult.none }
        let alignedSignatures = signatures.filter { dkimAlignment.aligns($0.domain) }
        let alignedSPF = spfResults.filter { spfAlignment.aligns($0.domain) }

        if passedDMARC(record, alignedSignatures: alignedSignatures, alignedSPF: alignedSPF) {
            return verdict(
                .pass, signature: alignedSignatures.first { $0.result == .pass },
                spf: alignedSPF.first { $0.result == .pass })
        }
        if receiverReportsForwarding(record.policyEvaluated.reasons) {
            return verdict(
                .forwarded, signature: signatures.first { $0.result == .pass } ?? signatures.first,
                spf: spfResults.first)
        }
        if let temporary = alignedSignatures.first(where: { $0.result == .temperror }) {
            return verdict(.transient, signature: temporary)
        }
        if let temporary = alignedSPF.first(where: { $0.result == .temperror }) {
            return verdict(.transient, spf: temporary)
        }
        // SPF may even pass there, for the forwarder's own (SRS) envelope domain, which never aligns.
        if origin == .other, !alignedSPF.contains(where: { $0.result == .pass }),
            let survivor = signatures.first(where: {
                $0.result == .pass
                    && (dkimAlignment.aligns($0.domain) || isTenantSigningDomain($0.domain, entry: entry)
                        || isProviderSigningDomain($0.domain, provider))
            })
        {
            // A valid signature of the tenant or the provider from a foreign server: the message left the
            // provider (or tenant) intact and was passed on; SPF cannot survive that. (A DKIM replay by a
            // spammer looks the same; it is rare for this kind of mail and shows as volume from one IP.)
            // The tenant's own domain or a subdomain counts even where strict alignment rejects it for
            // DMARC: only the tenant (or the provider in its name) holds that key.
            return verdict(.forwarded, signature: survivor, spf: spfResults.first)
        }
        let permanentError = alignedSPF.first { $0.result == .permerror }

        switch (entry.method, origin) {
        case (_, .other):
            if let permanentError { return verdict(.spfRecordError, spf: permanentError) }
            return verdict(.unauthorizedSource, signature: signatures.first, spf: spfResults.first)

        case (.spf, _):
            // Origin is the provider's network here (an spf entry has no relay networks).
            if let permanentError { return verdict(.spfRecordError, spf: permanentError) }
            if let passed = alignedSPF.first(where: { $0.result == .pass }) {
                // Relaxed-aligned and passing, yet DMARC failed: the domain demands strict alignment.
                return verdict(.spfNotAligned, spf: passed)
            }
            if let failed = alignedSPF.first { return verdict(.spfNotAuthorized, spf: failed) }
            if let foreign = spfResults.first, !foreign.domain.isEmpty { return verdict(.spfNotAligned, spf: foreign) }
            return verdict(.spfNotAuthorized, spf: spfResults.first)

        case (.dkim, _):
            // Origin is the provider's network here (a dkim entry has no relay networks).
            let known = alignedSignatures.filter { signature in
                guard let selector = signature.selector, !selector.isEmpty else { return true }
                return entry.dkimSelectors.contains(selector.lowercased())
            }
            if let failed = known.first(where: { $0.result != .pass }) {
                return verdict(.dkimKeyMissing, signature: failed, spf: spfResults.first)
            }
            if known.isEmpty, let unknown = alignedSignatures.first {
                return verdict(.dkimSelectorUnknown, signature: unknown, spf: spfResults.first)
            }
            // No aligned signature, or (strict alignment) an aligned-looking one the receiver did not count.
            return verdict(.dkimNotAligned, signature: known.first ?? signatures.first, spf: spfResults.first)

        case (.relay, .providerNetwork):
            return verdict(.relayBypassed, signature: signatures.first, spf: spfResults.first)

        case (.relay, .tenantRelay):
            if let permanentError { return verdict(.spfRecordError, spf: permanentError) }
            return verdict(
                .relayFailure, signature: alignedSignatures.first ?? signatures.first,
                spf: alignedSPF.first ?? spfResults.first)
        }
    }

    /// Diagnoses every row of a report, on the UTC day its `date_range` begins, with its published policy.
    public static func diagnose(_ report: AggregateReport, configuration: TenantConfiguration) -> [Diagnosis] {
        let day = Day(epochSeconds: report.metadata.dateRange.begin)
        return report.records.map { diagnose($0, day: day, configuration: configuration, policy: report.policy) }
    }

    /// The receiver's `policy_evaluated` verdict; when a report omits it, aligned passes in the auth results.
    static func passedDMARC(_ record: Record, alignedSignatures: [DKIMAuthResult], alignedSPF: [SPFAuthResult]) -> Bool
    {
        if let verdict = reportedVerdict(record.policyEvaluated) { return verdict }
        return alignedSignatures.contains { $0.result == .pass } || alignedSPF.contains { $0.result == .pass }
    }

    /// Override reasons that say the mail was forwarded, or an ARC chain the receiver trusted
    /// (Google and Microsoft write `local_policy` with a comment such as `arc=pass`).
    static func receiverReportsForwarding(_ reasons: [PolicyOverrideReason]) -> Bool {
        reasons.contains { reason in
            switch reason.type {
            case .forwarded, .mailingList, .trustedForwarder: return true
            default: return reason.comment.map(mentionsARC) ?? false
            }
        }
    }

    /// `arc` as a word of its own (`arc=pass`, `ARC validated`), not inside `search`.
    static func mentionsARC(_ comment: String) -> Bool {
        let bytes = Array(comment.lowercased().utf8)
        guard bytes.count >= 3 else { return false }
        func isWordByte(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        for start in 0...(bytes.count - 3)
        where bytes[start] == UInt8(ascii: "a") && bytes[start + 1] == UInt8(ascii: "r")
            && bytes[start + 2] == UInt8(ascii: "c")
        {
            let before = start == 0 || !isWordByte(bytes[start - 1])
            let after = start + 3 == bytes.count || !isWordByte(bytes[start + 3])
            if before && after { return true }
        }
        return false
    }

    /// The configured tenant domain or a subdomain of it (`jobs.acme-hr.ch` under `acme-hr.ch`).
    static func isTenantSigningDomain(_ domain: String, entry: TenantDomain?) -> Bool {
        guard let entry else { return false }
        let domain = IdentifierAlignment.normalised(domain)
        return domain == entry.domain || IdentifierAlignment.isSubdomain(domain, of: entry.domain)
    }

    static func isProviderSigningDomain(_ domain: String, _ provider: ProviderConfiguration) -> Bool {
        let domain = IdentifierAlignment.normalised(domain)
        return provider.dkimDomains.contains { $0 == domain || IdentifierAlignment.isSubdomain(domain, of: $0) }
    }
}
