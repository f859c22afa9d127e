import Diagnosis

/// Every word the report prints, one table per language.
///
/// Keys are plain strings so the tables read like a translation file; `requiredKeys` lists every key
/// the renderers use and a test checks both tables have exactly those, so nothing stays untranslated.
/// Placeholders are `{0}`, `{1}`, … and are filled by `text(_:_:)`.
struct ReportStrings: Sendable {
    let language: Language
    private let table: [String: String]

    init(_ language: Language) {
        self.language = language
        switch language {
        case .de: table = ReportStrings.german
        case .deCH: table = ReportStrings.swissGerman
        case .en: table = ReportStrings.english
        }
    }

    /// The text for `key` with its placeholders filled; the key itself when missing (never in a tested build).
    func text(_ key: String, _ arguments: String...) -> String {
        var text = table[key] ?? key
        for (index, argument) in arguments.enumerated() {
            text = text.replacingAll("{\(index)}", with: argument)
        }
        return text
    }

    func classTitle(_ kind: DiagnosisClass) -> String { text("class.\(kind.rawValue)") }
    func classAdvice(_ kind: DiagnosisClass) -> String { text("advice.\(kind.rawValue)") }
    func responsible(_ party: ResponsibleParty) -> String { text("responsible.\(party.rawValue)") }
    func method(_ method: SendingMethod) -> String { text("method.\(method.rawValue)") }
    func methodMetaphor(_ method: SendingMethod) -> String { text("metaphor.\(method.rawValue)") }
    func origin(_ origin: SendingOrigin) -> String { text("origin.\(origin.rawValue)") }
    func disposition(_ name: String) -> String { text("disposition.\(name)") }
    func status(_ status: ComplianceStatus) -> String { text("status.\(status.rawValue)") }
    func statusDetail(_ status: ComplianceStatus) -> String { text("status-detail.\(status.rawValue)") }
    /// The fix in a few words, for the to-do list, whose own column says who acts.
    func fix(_ kind: DiagnosisClass) -> String { text("fix.\(kind.rawValue)") }

    static let fixedKeys = [
        "title", "tenant", "provider", "period", "section.summary", "section.charts", "section.domains",
        "section.problems", "section.readiness", "section.method", "section.evidence", "status.rule",
        "empty.month", "kpi.messages", "kpi.messages.note", "kpi.provider", "kpi.provider.note", "kpi.other",
        "kpi.other.note", "kpi.change", "kpi.change.messages", "kpi.change.rate", "kpi.change.none", "no-rate",
        "chart.daily", "chart.classes", "chart.receivers", "legend.pass", "legend.fail", "axis.messages", "axis.day",
        "chart.empty", "col.domain", "col.method", "col.policy", "col.messages", "col.pass-rate",
        "col.provider-pass-rate", "col.dispositions", "policy.testing", "policy.not-reported", "reports.one",
        "reports.many", "col.class", "col.responsible", "col.sources", "col.domains", "col.recommendation",
        "problems.none", "problems.intro", "sources.more", "col.current", "col.next", "col.days",
        "col.authorised-rate", "col.verdict", "readiness.ready", "readiness.not-ready", "blocker.days",
        "blocker.no-traffic", "blocker.rate", "blocker.problems", "readiness.intro", "readiness.none",
        "method.sources", "method.sources.none", "method.period", "method.counting", "method.classification",
        "col.receiver", "col.report-id", "col.period", "col.messages-in-month", "col.sha256", "evidence.apportioned",
        "evidence.none", "evidence.intro", "domains.method-note", "domains.none", "messages.one", "messages.many",
        "status.shares", "generated", "responsible.informational", "chart.receivers.none",
        "todo.title", "todo.none", "col.what", "col.seen", "days.one", "days.many", "receivers.one",
        "receivers.many", "coverage.this", "coverage.both", "kpi.change.volume-held", "kpi.change.rate-all", "others.title", "others.none",
        "col.sender", "col.source-count", "problem.resolved", "problem.resolved.note", "blocker.days.one",
        "chart.failures", "chart.failures.none", "chart.daily-failures", "legend.no-data", "col.dns",
    ] + SenderGroup.Kind.allCases.map { "others.\($0.rawValue)" }

    /// Every key a renderer may ask for.
    static var requiredKeys: [String] {
        fixedKeys + DiagnosisClass.allCases.map { "class.\($0.rawValue)" }
            + DiagnosisClass.allCases.map { "advice.\($0.rawValue)" }
            + DiagnosisClass.allCases.map { "fix.\($0.rawValue)" }
            + ResponsibleParty.allCases.map { "responsible.\($0.rawValue)" }
            + SendingMethod.allCases.map { "method.\($0.rawValue)" }
            + SendingMethod.allCases.map { "metaphor.\($0.rawValue)" }
            + SendingOrigin.allCases.map { "origin.\($0.rawValue)" }
            + ["none", "pass", "quarantine", "reject", "unreported"].map { "disposition.\($0)" }
            + ComplianceStatus.allCases.map { "status.\($0.rawValue)" }
            + ComplianceStatus.allCases.map { "status-detail.\($0.rawValue)" }
    }

    static func table(_ language: Language) -> [String: String] {
        switch language {
        case .de: german
        case .deCH: swissGerman
        case .en: english
        }
    }

    static let german: [String: String] = [
        "title": "DMARC-Compliance-Bericht",
        "todo.title": "Zu tun",
        "todo.none": "Nichts zu tun: kein offenes Problem, das Kunde oder Anbieter beheben könnte.",
        "col.what": "Was zu tun ist",
        "col.seen": "Aufgetreten",
        "days.one": "1 Tag",
        "days.many": "{0} Tagen",
        "receivers.one": "1 Empfänger",
        "receivers.many": "{0} Empfängern",
        "coverage.this": "Abdeckung: Berichte an {0} von {1}.",
        "coverage.both": "Abdeckung: diesen Monat Berichte an {0} von {1}, im Vormonat an {2} von {3}.",
        "kpi.change.volume-held":
            "Nachrichtenzahl nicht verglichen: die Berichte decken die beiden Monate zu verschieden ab (siehe Abdeckung)",
        "others.title": "Übrige Absender (nicht die Server des Anbieters)",
        "others.none": "Keine Nachrichten von übrigen Absendern.",
        "others.relay": "Ihr Relay",
        "others.forwarded": "Weitergeleitet (Weiterleitungen, Verteiler)",
        "others.unauthorised": "Nicht autorisierte Absender",
        "others.other-passing": "Andere Server, DMARC bestanden (z. B. Ihre eigenen Dienste)",
        "others.other-rest": "Andere Server, vorübergehende Fehler",
        "col.sender": "Absender",
        "col.source-count": "Quellen (IP)",
        "problem.resolved": "behoben seit {0}",
        "problem.resolved.note":
            "Zuletzt am {0} aufgetreten; an den Tagen mit Berichten danach nicht mehr. Keine Korrektur offen.",
        "blocker.days.one": "Berichte an 1 Tag, nötig sind {1}",
        "chart.failures": "Nicht bestanden nach Diagnose (eigene Skala)",
        "chart.failures.none": "Keine Nachricht hat DMARC nicht bestanden",
        "chart.daily-failures": "Nicht bestanden je Tag (eigene Skala)",
        "legend.no-data": "kein Bericht",
        "fix.pass": "–",
        "fix.empty": "–",
        "fix.forwarded": "–",
        "fix.transient": "Nameserver prüfen, falls es anhält",
        "fix.spf-not-authorized": "Server des Anbieters in den SPF-Eintrag aufnehmen",
        "fix.spf-record-error": "SPF-Eintrag reparieren (höchstens 10 DNS-Abfragen)",
        "fix.spf-not-aligned": "Bounce-Domain unter der Kundendomain einrichten",
        "fix.dkim-key-missing": "DKIM-Schlüssel unter dem vereinbarten Selektor veröffentlichen",
        "fix.dkim-selector-unknown": "Mit einem vereinbarten Selektor signieren",
        "fix.dkim-not-aligned": "Mit d=Kundendomain signieren",
        "fix.relay-bypassed": "Mails über das Relay des Kunden leiten",
        "fix.relay-failure": "SPF und DKIM des Mail-Relays prüfen",
        "fix.unauthorized-source": "Eigene Server autorisieren, fremde mit p=quarantine/reject abwehren",
        "fix.unknown-domain": "Domain einem Kunden zuordnen",
        "tenant": "Kunde",
        "provider": "Anbieter",
        "period": "Zeitraum",
        "generated": "Erstellt",
        "section.summary": "Zusammenfassung",
        "section.charts": "Verlauf und Verteilung",
        "section.domains": "Domains",
        "section.problems": "Probleme und Empfehlungen",
        "section.readiness": "Bereitschaft für die nächste Richtlinienstufe",
        "section.method": "Methodik",
        "section.evidence": "Anhang: ausgewertete Berichte",
        "status.compliant": "Konform",
        "status.tenant-action": "Handlungsbedarf beim Kunden",
        "status.provider-action": "Handlungsbedarf beim Anbieter",
        "status.both-action": "Handlungsbedarf bei Kunde und Anbieter",
        "status.no-data": "Keine Daten",
        "status-detail.compliant":
            "Der Versand in Ihrem Namen ist korrekt eingerichtet; Fehler, die eine Seite beheben könnte, liegen unter der Schwelle.",
        "status-detail.tenant-action":
            "Ein Teil der Mails scheitert an Einstellungen auf Ihrer Seite (DNS-Einträge oder Ihr Mail-Relay). Die Empfehlungen unten nennen die Korrektur.",
        "status-detail.provider-action":
            "Ein Teil der Mails scheitert an Einstellungen des Anbieters (Signatur, Bounce-Domain oder Routing). Die Korrektur liegt beim Anbieter; die Empfehlungen unten nennen sie.",
        "status-detail.both-action":
            "Ein Teil der Mails scheitert an Einstellungen auf beiden Seiten. Die Empfehlungen unten nennen, wer was korrigiert.",
        "status-detail.no-data": "Für diesen Monat liegen keine DMARC-Berichte zu Ihren Domains vor.",
        "status.rule":
            "Schwelle: Konform, solange die Fehler, die Kunde oder Anbieter beheben können, je höchstens {0} der über die Server des Anbieters oder das Relay des Kunden versandten Mails ausmachen. Weitergeleitete Mails, vorübergehende DNS-Fehler, fremde Absender und im Monat behobene Probleme zählen nicht.",
        "status.shares":
            "Behebbar durch den Kunden: {0} · durch den Anbieter: {1} (von {2} autorisiert versandten Nachrichten)",
        "empty.month":
            "Für {0} hat kein Empfänger Berichte zu Ihren Domains gesendet. Ohne Nachrichten gibt es keine Quoten; der Bericht zeigt daher nur die Konfiguration. Das kann bedeuten, dass in diesem Monat keine Mails versandt wurden oder dass die DMARC-Berichte (rua) nicht an den Anbieter gehen.",
        "kpi.messages": "Nachrichten",
        "kpi.messages.note": "von Empfängern unter Ihren Domains gemeldet",
        "kpi.provider": "DMARC-Quote Anbieter-Server",
        "kpi.provider.note": "{0} Nachrichten, Versand durch den Anbieter",
        "kpi.other": "DMARC-Quote übrige Absender",
        "kpi.other.note": "{0} Nachrichten: Ihr Relay, Weiterleitungen, fremde Server",
        "kpi.change": "Veränderung zum Vormonat",
        "kpi.change.messages": "Nachrichten {0}",
        "kpi.change.rate": "DMARC-Quote Anbieter-Server {0} → {1}",
        "kpi.change.rate-all": "DMARC-Quote aller Nachrichten {0} → {1}",
        "kpi.change.none": "keine Daten zum Vormonat",
        "no-rate": "keine Nachrichten",
        "chart.daily": "Tägliches Volumen: DMARC bestanden und nicht bestanden",
        "chart.classes": "Anteil nach Diagnose",
        "chart.receivers": "Meldende Empfänger: die {0} mit den meisten Nachrichten",
        "chart.receivers.none": "Meldende Empfänger",
        "chart.empty": "Keine Nachrichten in diesem Monat",
        "legend.pass": "bestanden",
        "legend.fail": "nicht bestanden",
        "axis.messages": "Nachrichten",
        "axis.day": "Tag (UTC)",
        "col.domain": "Domain",
        "col.method": "Methode",
        "col.policy": "Veröffentlichte DMARC-Richtlinie",
        "col.messages": "Nachrichten",
        "col.pass-rate": "DMARC-Quote",
        "col.provider-pass-rate": "Anbieter-Server",
        "col.dispositions": "Behandlung beim Empfänger",
        "policy.testing": "Testmodus",
        "policy.not-reported": "nicht gemeldet",
        "reports.one": "1 Bericht",
        "reports.many": "{0} Berichte",
        "messages.one": "1 Nachricht",
        "messages.many": "{0} Nachrichten",
        "domains.method-note": "So autorisieren Ihre Domains den Anbieter:",
        "domains.none": "Keine Domains konfiguriert.",
        "method.spf": "SPF",
        "method.dkim": "DKIM",
        "method.relay": "Relay",
        "metaphor.spf":
            "Stempel: Sie führen die Server des Anbieters in Ihrem SPF-Eintrag; der Anbieter versendet mit Ihrem Stempel. Die Zahl der Stempel ist begrenzt (SPF erlaubt höchstens 10 DNS-Abfragen).",
        "metaphor.dkim":
            "Siegelring: Der Anbieter versiegelt jede Nachricht mit Ihrem eindeutigen Siegelring (DKIM-Signatur mit d=Ihre Domain); Sie veröffentlichen den Schlüssel dazu und können beliebig viele Siegelringe vergeben.",
        "metaphor.relay":
            "Eigener Briefumschlag: Der Anbieter übergibt alle Mails Ihrem Mailserver, der sie in Ihrem eigenen Umschlag ins Internet versendet; die Verantwortung für den Versand liegt bei Ihnen.",
        "disposition.none": "zugestellt",
        "disposition.pass": "bestanden",
        "disposition.quarantine": "Quarantäne",
        "disposition.reject": "abgewiesen",
        "disposition.unreported": "nicht gemeldet",
        "col.class": "Diagnose",
        "col.responsible": "Wer handelt",
        "col.sources": "Quellen",
        "col.domains": "Domains",
        "col.recommendation": "Empfehlung",
        "col.dns": "DNS-Prüfung",
        "problems.none": "Keine Nachricht hat in diesem Monat DMARC nicht bestanden.",
        "problems.intro":
            "Jede nicht bestandene Nachricht ist einer Diagnose zugeordnet: abgeglichen mit Ihrer Konfiguration (Methode, DKIM-Selektoren, Relay-Netze, gültig am Versandtag) und den Servern des Anbieters.",
        "sources.more": "und {0} weitere",
        "col.current": "Aktuell",
        "col.next": "Nächster Schritt",
        "col.days": "Tage mit Daten",
        "col.authorised-rate": "Quote autorisierter Versand",
        "col.verdict": "Ergebnis",
        "readiness.ready": "Bereit",
        "readiness.not-ready": "Noch nicht",
        "blocker.days": "Berichte an {0} Tagen, nötig sind {1}",
        "blocker.no-traffic": "kein Versand über Anbieter-Server oder Relay",
        "blocker.rate": "Quote unter {0}",
        "blocker.problems": "offene Probleme: {0}",
        "readiness.intro":
            "Eine Domain mit p=none oder p=quarantine ist bereit für den nächsten Schritt (none → quarantine → reject), wenn in den {0} Tagen von {1} bis {2} an mindestens {3} Tagen Berichte vorliegen, der autorisierte Versand (Anbieter-Server und Relay, ohne Weiterleitungen und vorübergehende DNS-Fehler) zu mindestens {4} DMARC besteht und keine behebbaren Probleme offen sind.",
        "readiness.none": "Keine Domain hat eine gemeldete Richtlinie p=none oder p=quarantine.",
        "method.sources": "Datenquellen: DMARC-Aggregatberichte (RFC 7489 und RFC 9990) dieser Empfänger: {0}.",
        "method.sources.none": "Datenquellen: keine Berichte in diesem Monat.",
        "method.period": "Zeitraum: {0} bis {1} (UTC). Ausgewertet: {2}, davon {3} über Tagesgrenzen aufgeteilt.",
        "method.counting":
            "Zählweise: Empfänger melden Nachrichten je Berichtszeitraum, nicht je Tag. Überspannt ein Zeitraum mehrere UTC-Tage oder die Monatsgrenze, wird die Zahl anteilig nach den Sekunden des Zeitraums in jedem Tag aufgeteilt und auf ganze Nachrichten gerundet (Methode der größten Reste), sodass die Summe exakt der gemeldeten Zahl entspricht. Nur die Anteile der Tage im Monat zählen.",
        "method.classification":
            "Bewertung: DMARC bestanden heißt, SPF oder DKIM hat mit Alignment zur Absenderdomain bestanden, wie der Empfänger es meldet. Nachrichten von den Servern des Anbieters sind an dessen Netzen erkannt (nie über Reverse-DNS), Nachrichten Ihres Relays an den konfigurierten Relay-Netzen.",
        "col.receiver": "Empfänger",
        "col.report-id": "Berichts-ID",
        "col.period": "Zeitraum (UTC)",
        "col.messages-in-month": "Nachrichten im Monat",
        "col.sha256": "SHA-256 der Originaldatei",
        "evidence.apportioned": "aufgeteilt",
        "evidence.none": "Keine Berichte in diesem Monat.",
        "evidence.intro":
            "Jeder Bericht ist über den SHA-256-Hash der empfangenen Datei (Zip, Gzip oder XML) eindeutig nachprüfbar. Berichte, deren Zeitraum über die Monatsgrenze reicht, zählen nur mit ihrem Anteil im Monat (Anteil / ganzer Bericht).",
        "responsible.none": "niemand",
        "responsible.informational": "Kunde, zur Information",
        "responsible.tenant": "Kunde",
        "responsible.provider": "Anbieter",
        "responsible.operator": "Betreiber",
        "origin.provider": "Anbieter-Server",
        "origin.relay": "Relay des Kunden",
        "origin.other": "fremder Server",
        "class.pass": "Bestanden",
        "class.empty": "Leere Zeilen",
        "class.forwarded": "Weitergeleitet",
        "class.transient": "Vorübergehender DNS-Fehler",
        "class.spf-not-authorized": "SPF: Anbieter nicht eingetragen",
        "class.spf-record-error": "SPF-Eintrag fehlerhaft",
        "class.spf-not-aligned": "SPF ohne Alignment",
        "class.dkim-key-missing": "DKIM-Schlüssel fehlt",
        "class.dkim-selector-unknown": "DKIM-Selektor unbekannt",
        "class.dkim-not-aligned": "DKIM ohne Alignment",
        "class.relay-bypassed": "Relay umgangen",
        "class.relay-failure": "Relay besteht DMARC nicht",
        "class.unauthorized-source": "Nicht autorisierte Absender",
        "class.unknown-domain": "Unbekannte Domain",
        "advice.pass": "Nichts zu tun: diese Nachrichten haben DMARC bestanden.",
        "advice.empty": "Nichts zu tun: Zeilen ohne Nachrichten.",
        "advice.forwarded":
            "Nichts zu tun: weitergeleitete Nachrichten verlieren SPF; nur eine DKIM-Signatur, die die Weiterleitung übersteht, lässt sie DMARC bestehen.",
        "advice.transient":
            "Nichts zu tun, solange es vereinzelt bleibt: tritt der Fehler an mehreren Tagen auf, prüfen Sie, ob Ihre Nameserver zuverlässig antworten.",
        "advice.spf-not-authorized": "Nehmen Sie die Server des Anbieters in den SPF-Eintrag Ihrer Domain auf.",
        "advice.spf-record-error":
            "Reparieren Sie Ihren SPF-Eintrag: meist sind es mehr als 10 DNS-Abfragen oder ein Syntaxfehler.",
        "advice.spf-not-aligned": "Anbieter: Versand mit einer Bounce-Domain unter Ihrer Domain einrichten.",
        "advice.dkim-key-missing":
            "Veröffentlichen Sie den DKIM-Schlüssel des Anbieters unter dem vereinbarten Selektor.",
        "advice.dkim-selector-unknown": "Anbieter: mit einem vereinbarten Selektor signieren.",
        "advice.dkim-not-aligned": "Anbieter: die Mails mit d=Ihre Domain signieren.",
        "advice.relay-bypassed": "Anbieter: die Mails über Ihr Relay leiten.",
        "advice.relay-failure": "Prüfen Sie SPF und DKIM Ihres Mail-Relays.",
        "advice.unauthorized-source":
            "Zur Information: Server, die weder dem Anbieter noch Ihnen zugeordnet sind. Gehören sie zu Ihnen, autorisieren Sie sie; sonst ist es Missbrauch, den p=quarantine oder p=reject abwehrt.",
        "advice.unknown-domain": "Betreiber: die Domain einem Kunden zuordnen.",
    ]

    /// German as the Swiss write it: "ss" for every "ß".
    static let swissGerman = german.mapValues { Language.deCH.spelling($0) }

    static let english: [String: String] = [
        "title": "DMARC compliance report",
        "todo.title": "To do",
        "todo.none": "Nothing to do: no open problem the customer or the provider could fix.",
        "col.what": "What to do",
        "col.seen": "Seen",
        "days.one": "1 day",
        "days.many": "{0} days",
        "receivers.one": "1 receiver",
        "receivers.many": "{0} receivers",
        "coverage.this": "Coverage: reports on {0} from {1}.",
        "coverage.both": "Coverage: this month reports on {0} from {1}, the previous month on {2} from {3}.",
        "kpi.change.volume-held":
            "message volume not compared: reports covered the two months too differently (see coverage)",
        "others.title": "Other senders (not the provider's servers)",
        "others.none": "No messages from other senders.",
        "others.relay": "Your relay",
        "others.forwarded": "Forwarded (forwarders, mailing lists)",
        "others.unauthorised": "Unauthorised senders",
        "others.other-passing": "Other servers that passed DMARC (e.g. your own services)",
        "others.other-rest": "Other servers, temporary errors",
        "col.sender": "Sender",
        "col.source-count": "Sources (IP)",
        "problem.resolved": "resolved since {0}",
        "problem.resolved.note": "Last seen on {0}; not seen on the days with reports since. No fix open.",
        "blocker.days.one": "reports on 1 day, {1} needed",
        "chart.failures": "Failed by diagnosis (own scale)",
        "chart.failures.none": "No message failed DMARC",
        "chart.daily-failures": "Failed per day (own scale)",
        "legend.no-data": "no report",
        "fix.pass": "–",
        "fix.empty": "–",
        "fix.forwarded": "–",
        "fix.transient": "Check the name servers if it persists",
        "fix.spf-not-authorized": "Add the provider's servers to the SPF record",
        "fix.spf-record-error": "Repair the SPF record (at most 10 DNS lookups)",
        "fix.spf-not-aligned": "Send with a bounce domain under the customer's domain",
        "fix.dkim-key-missing": "Publish the DKIM key under the agreed selector",
        "fix.dkim-selector-unknown": "Sign with an agreed selector",
        "fix.dkim-not-aligned": "Sign with d=the customer's domain",
        "fix.relay-bypassed": "Route the mail through the customer's relay",
        "fix.relay-failure": "Check SPF and DKIM of the mail relay",
        "fix.unauthorized-source": "Authorise your own servers; p=quarantine/reject stops the others",
        "fix.unknown-domain": "Assign the domain to a customer",
        "tenant": "Customer",
        "provider": "Provider",
        "period": "Period",
        "generated": "Created",
        "section.summary": "Summary",
        "section.charts": "Trends and distribution",
        "section.domains": "Domains",
        "section.problems": "Problems and recommendations",
        "section.readiness": "Readiness for the next policy step",
        "section.method": "Method",
        "section.evidence": "Appendix: reports evaluated",
        "status.compliant": "Compliant",
        "status.tenant-action": "Action needed on the customer's side",
        "status.provider-action": "Action needed on the provider's side",
        "status.both-action": "Action needed on both sides",
        "status.no-data": "No data",
        "status-detail.compliant":
            "Mail sent in your name is set up correctly; failures either side could fix stay below the threshold.",
        "status-detail.tenant-action":
            "Part of the mail fails because of settings on your side (DNS records or your mail relay). The recommendations below name the fix.",
        "status-detail.provider-action":
            "Part of the mail fails because of the provider's settings (signing, bounce domain or routing). The fix is the provider's; the recommendations below name it.",
        "status-detail.both-action":
            "Part of the mail fails because of settings on both sides. The recommendations below name who fixes what.",
        "status-detail.no-data": "No receiver sent DMARC reports for your domains this month.",
        "status.rule":
            "Threshold: compliant while the failures the customer or the provider can fix each stay at or below {0} of the mail sent via the provider's servers or the customer's relay. Forwarded mail, temporary DNS errors, foreign senders and problems resolved during the month do not count.",
        "status.shares":
            "Fixable by the customer: {0} · by the provider: {1} (of {2} messages sent by authorised servers)",
        "empty.month":
            "No receiver sent reports for your domains in {0}. Without messages there are no rates, so this report only shows the configuration. Either no mail was sent this month, or the DMARC reports (rua) do not reach the provider.",
        "kpi.messages": "Messages",
        "kpi.messages.note": "reported by receivers under your domains",
        "kpi.provider": "DMARC pass rate, provider servers",
        "kpi.provider.note": "{0} messages sent by the provider",
        "kpi.other": "DMARC pass rate, other senders",
        "kpi.other.note": "{0} messages: your relay, forwarders, other servers",
        "kpi.change": "Change from previous month",
        "kpi.change.messages": "Messages {0}",
        "kpi.change.rate": "DMARC pass rate, provider servers {0} → {1}",
        "kpi.change.rate-all": "DMARC pass rate, all mail {0} → {1}",
        "kpi.change.none": "no data for the previous month",
        "no-rate": "no messages",
        "chart.daily": "Daily volume: DMARC passed and failed",
        "chart.classes": "Share by diagnosis",
        "chart.receivers": "Reporting receivers: the {0} with the most messages",
        "chart.receivers.none": "Reporting receivers",
        "chart.empty": "No messages this month",
        "legend.pass": "passed",
        "legend.fail": "failed",
        "axis.messages": "Messages",
        "axis.day": "Day (UTC)",
        "col.domain": "Domain",
        "col.method": "Method",
        "col.policy": "Published DMARC policy",
        "col.messages": "Messages",
        "col.pass-rate": "DMARC pass rate",
        "col.provider-pass-rate": "provider servers",
        "col.dispositions": "Receivers' disposition",
        "policy.testing": "testing",
        "policy.not-reported": "not reported",
        "reports.one": "1 report",
        "reports.many": "{0} reports",
        "messages.one": "1 message",
        "messages.many": "{0} messages",
        "domains.method-note": "How your domains authorise the provider:",
        "domains.none": "No domains configured.",
        "method.spf": "SPF",
        "method.dkim": "DKIM",
        "method.relay": "Relay",
        "metaphor.spf":
            "Stamp: you list the provider's servers in your SPF record; the provider sends with your stamp. The number of stamps is limited (SPF allows at most 10 DNS lookups).",
        "metaphor.dkim":
            "Signet ring: the provider seals every message with your unique signet ring (a DKIM signature with d=your domain); you publish its key and may hand out any number of rings.",
        "metaphor.relay":
            "Your own envelope: the provider hands all mail to your mail server, which sends it to the internet in your own envelope; sending is your responsibility.",
        "disposition.none": "delivered",
        "disposition.pass": "passed",
        "disposition.quarantine": "quarantined",
        "disposition.reject": "rejected",
        "disposition.unreported": "not reported",
        "col.class": "Diagnosis",
        "col.responsible": "Who acts",
        "col.sources": "Sources",
        "col.domains": "Domains",
        "col.recommendation": "Recommendation",
        "col.dns": "DNS check",
        "problems.none": "No message failed DMARC this month.",
        "problems.intro":
            "Every failed message is diagnosed against your configuration (method, DKIM selectors, relay networks, valid on the day it was sent) and the provider's servers.",
        "sources.more": "and {0} more",
        "col.current": "Current",
        "col.next": "Next step",
        "col.days": "Days with data",
        "col.authorised-rate": "Pass rate, authorised mail",
        "col.verdict": "Verdict",
        "readiness.ready": "Ready",
        "readiness.not-ready": "Not yet",
        "blocker.days": "reports on {0} days, {1} needed",
        "blocker.no-traffic": "no mail via the provider's servers or the relay",
        "blocker.rate": "pass rate below {0}",
        "blocker.problems": "open problems: {0}",
        "readiness.intro":
            "A domain at p=none or p=quarantine is ready for the next step (none → quarantine → reject) when, in the {0} days from {1} to {2}, reports cover at least {3} days, authorised mail (provider servers and relay, forwarded mail and temporary DNS errors excluded) passes DMARC at {4} or more, and no fixable problem is open.",
        "readiness.none": "No domain has a reported policy of p=none or p=quarantine.",
        "method.sources": "Data sources: DMARC aggregate reports (RFC 7489 and RFC 9990) from these receivers: {0}.",
        "method.sources.none": "Data sources: no reports this month.",
        "method.period": "Period: {0} to {1} (UTC). Evaluated: {2}, {3} of them split across day boundaries.",
        "method.counting":
            "Counting: receivers report messages per reporting period, not per day. When a period spans several UTC days or the month boundary, its count is split by the seconds of the period within each day and rounded to whole messages by the largest-remainder method, so the parts add up exactly to the reported count. Only the parts on days within the month count.",
        "method.classification":
            "Evaluation: DMARC passed means SPF or DKIM passed aligned with the From domain, as the receiver reports it. Mail from the provider's servers is recognised by its networks (never by reverse DNS), mail from your relay by the configured relay networks.",
        "col.receiver": "Receiver",
        "col.report-id": "Report ID",
        "col.period": "Period (UTC)",
        "col.messages-in-month": "Messages in month",
        "col.sha256": "SHA-256 of the original file",
        "evidence.apportioned": "split",
        "evidence.none": "No reports this month.",
        "evidence.intro":
            "Each report can be verified by the SHA-256 hash of the file as received (zip, gzip or XML). Reports whose period crosses the month boundary count only with their part in the month (part / whole report).",
        "responsible.none": "nobody",
        "responsible.informational": "customer, for information",
        "responsible.tenant": "customer",
        "responsible.provider": "provider",
        "responsible.operator": "operator",
        "origin.provider": "provider server",
        "origin.relay": "customer relay",
        "origin.other": "other server",
        "class.pass": "Passed",
        "class.empty": "Empty rows",
        "class.forwarded": "Forwarded",
        "class.transient": "Temporary DNS error",
        "class.spf-not-authorized": "SPF: provider not listed",
        "class.spf-record-error": "SPF record broken",
        "class.spf-not-aligned": "SPF not aligned",
        "class.dkim-key-missing": "DKIM key missing",
        "class.dkim-selector-unknown": "DKIM selector unknown",
        "class.dkim-not-aligned": "DKIM not aligned",
        "class.relay-bypassed": "Relay bypassed",
        "class.relay-failure": "Relay fails DMARC",
        "class.unauthorized-source": "Unauthorised senders",
        "class.unknown-domain": "Unknown domain",
        "advice.pass": "Nothing to do: these messages passed DMARC.",
        "advice.empty": "Nothing to do: rows without messages.",
        "advice.forwarded":
            "Nothing to do: forwarding breaks SPF; only a DKIM signature that survives it lets forwarded mail pass DMARC.",
        "advice.transient":
            "Nothing to do unless it persists: if it recurs on several days, check that your name servers answer reliably.",
        "advice.spf-not-authorized": "Add the provider's servers to the SPF record of your domain.",
        "advice.spf-record-error":
            "Repair your SPF record: most often more than 10 DNS lookups or a syntax error.",
        "advice.spf-not-aligned": "Provider: send with a bounce domain under your domain.",
        "advice.dkim-key-missing": "Publish the provider's DKIM key under the agreed selector.",
        "advice.dkim-selector-unknown": "Provider: sign with an agreed selector.",
        "advice.dkim-not-aligned": "Provider: sign the mail with d=your domain.",
        "advice.relay-bypassed": "Provider: route the mail through your relay.",
        "advice.relay-failure": "Check SPF and DKIM of your mail relay.",
        "advice.unauthorized-source":
            "For information: servers that belong neither to the provider nor to you. If they are yours, authorise them; otherwise it is spoofing, which p=quarantine or p=reject blocks.",
        "advice.unknown-domain": "Operator: assign the domain to a customer.",
    ]
}

extension String {
    /// Foundation-free replacement, so the strings table stays deterministic and cheap.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
