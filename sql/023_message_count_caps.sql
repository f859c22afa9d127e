-- Issue 16: message counts within the caps of `MessageCount` (Sources/DMARC/MessageCount.swift):
-- 10,000,000,000 messages a row, 100,000,000,000 a report. Two rows of 2^63-1 messages once wrapped
-- a report's total to -2 and stopped every query that summed it. The reader leaves such rows out
-- and rejects such reports; these constraints make the database refuse them from any writer.
--
-- NOT VALID: rows stored before are not checked here (a migration must not fail on old data);
-- the read side leaves out any stored row past the cap, and `dmarc db status` counts them.
ALTER TABLE records
    ADD CONSTRAINT records_count_within_cap CHECK (count BETWEEN 0 AND 10000000000) NOT VALID;
ALTER TABLE reports
    ADD CONSTRAINT reports_message_count_within_cap CHECK (message_count BETWEEN 0 AND 100000000000) NOT VALID;
ALTER TABLE report_from_domains
    ADD CONSTRAINT report_from_domains_messages_within_cap
    CHECK (message_count BETWEEN 0 AND 100000000000 AND passed_messages BETWEEN 0 AND message_count) NOT VALID;

-- The sums stored with a report that has such rows wrapped or passed the caps: they are derived
-- data, summed again here over the rows the read side counts (the rows themselves stay).
WITH past_cap AS (SELECT DISTINCT report FROM records WHERE count NOT BETWEEN 0 AND 10000000000),
sums AS (
    SELECT r.report, r.header_from,
           coalesce(sum(r.count) FILTER (WHERE r.count BETWEEN 0 AND 10000000000), 0)::bigint AS messages,
           coalesce(sum(r.count) FILTER (
               WHERE r.count BETWEEN 1 AND 10000000000 AND (r.dkim = 'pass' OR r.spf = 'pass')), 0)::bigint AS passed
    FROM records r
    WHERE r.report IN (SELECT report FROM past_cap)
    GROUP BY r.report, r.header_from)
UPDATE report_from_domains d SET message_count = s.messages, passed_messages = s.passed
FROM sums s
WHERE d.report = s.report AND d.header_from = s.header_from;

UPDATE reports p SET message_count = (SELECT coalesce(sum(d.message_count), 0) FROM report_from_domains d WHERE d.report = p.id)
WHERE p.id IN (SELECT report FROM records WHERE count NOT BETWEEN 0 AND 10000000000);
