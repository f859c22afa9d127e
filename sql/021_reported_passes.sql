-- Issue 7: the messages each report says passed DMARC, by header From, kept beside the records.
--
-- `failures` needs of a row the receiver reported as pass only its messages (where its domain is
-- configured, such a row is a pass), and most rows are such rows. Summing them from `records` read
-- every one of them again: 19 ms of the query's 64 ms of server time for a typical domain on
-- 10.6 M rows. Here each report has one row per header From, written with the report (same
-- transaction, same statement as the report row), so the sum reads a few rows per report; they go
-- with the report (the delete trigger below).
--
-- A row counts when the receiver reported it as DMARC pass with messages: count > 0 and DKIM or SPF
-- `pass` in policy_evaluated (the queries' `reportedPass`).

CREATE TABLE reported_passes (
    report      bigint      NOT NULL,
    header_from text        NOT NULL,
    begin_time  timestamptz NOT NULL,
    end_time    timestamptz NOT NULL,
    messages    bigint      NOT NULL CHECK (messages > 0),
    PRIMARY KEY (report, header_from)
);

INSERT INTO reported_passes (report, header_from, begin_time, end_time, messages)
SELECT report, header_from, min(begin_time), min(end_time), sum(count)
FROM records
WHERE count > 0 AND (dkim = 'pass' OR spf = 'pass')
GROUP BY report, header_from;

-- Found by domain and period like the records (see records_from_period in 020).
CREATE INDEX reported_passes_from_period ON reported_passes (reverse(header_from) text_pattern_ops, end_time);

-- Deleted with their report by the statement trigger that deletes its records (020), not by a
-- foreign key: its check ran once per stored row, in the one statement every report pays for.
CREATE OR REPLACE FUNCTION delete_report_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM records WHERE report IN (SELECT id FROM gone);
    DELETE FROM reported_passes WHERE report IN (SELECT id FROM gone);
    RETURN NULL;
END
$$;
