/// Where a report came from when it arrived by mail: what the store keeps beside it so that a
/// person can find the original message again.
public struct MessageOrigin: Sendable, Equatable {
    /// The message within its input: `message.eml`, `mailbox.mbox#12` (1-based), a Maildir file path.
    public var source: String
    /// `Message-ID` without its angle brackets.
    public var messageID: String?
    /// `Subject`, unfolded, RFC 2047 encoded words decoded.
    public var subject: String?
    /// `From`, unfolded and decoded, as written (`"Name" <address>`).
    public var from: String?
    /// `Date` as written.
    public var date: String?
    /// `Date` as epoch seconds (UTC), when it parses as RFC 5322 says.
    public var dateEpoch: Int64?

    public init(
        source: String, messageID: String? = nil, subject: String? = nil, from: String? = nil, date: String? = nil,
        dateEpoch: Int64? = nil
    ) {
        self.source = source
        self.messageID = messageID
        self.subject = subject
        self.from = from
        self.date = date
        self.dateEpoch = dateEpoch
    }
}

/// What one message yielded, counted for the caller's summary.
public struct MessageOutcome: Sendable, Equatable {
    /// Complete reports handed to the handler.
    public var reports: Int
    /// Attachments or reports rejected (each also went to `rejected` or `abandonReport`).
    public var rejected: Int
    /// Parts that were no aggregate report: body text, a PDF, a TLS report, a failure report.
    public var ignoredParts: Int

    public init(reports: Int = 0, rejected: Int = 0, ignoredParts: Int = 0) {
        self.reports = reports
        self.rejected = rejected
        self.ignoredParts = ignoredParts
    }

    /// A bounce, a failure report, spam: nothing to store and nothing wrong either.
    public var hasNoAggregateReport: Bool { reports == 0 && rejected == 0 }
}
