-- Issue 7: reports are found by domain and period through a small table, not an index on `records`;
-- `records` loses that index and the copy of its report's period.
--
-- Before: `records_from_period` (reversed header From, end of period) indexed every stored row. It
-- was the most expensive part of storing a row: its keys arrive in random order, so every COPY
-- touched pages all over the index. Measured with psql \copy of 709,882 rows: 3.3 s into the plain
-- table, 3.9 s with the primary key, 5.3 s with the primary key and this index.
--
-- After: each report has one row per header From it has records for, written with the report (same
-- statement as the report row): its period, its rows and messages, and the messages the receiver
-- reported as DMARC pass (the `reported_passes` of 021, now a view). A domain-and-period question
-- finds the reports here, a few index entries per report, and then reads their records through the
-- primary key, which keeps each report's rows together: a report's rows are one stretch of the
-- key and, written by one COPY, of the heap. `records` keeps only its primary key, and no longer
-- needs the period on every row (020 put it there for the index): the report has it, and every
-- query joins the report. Converting two timestamps per row was 2 % of ingest's CPU time.

CREATE TABLE report_from_domains (
    report          bigint      NOT NULL,
    header_from     text        NOT NULL,
    begin_time      timestamptz NOT NULL,
    end_time        timestamptz NOT NULL,
    -- The report's records with this header From, their messages, and of those the messages the
    -- receiver reported as DMARC pass: count > 0 and DKIM or SPF `pass` in policy_evaluated.
    record_count    integer     NOT NULL CHECK (record_count > 0),
    message_count   bigint      NOT NULL,
    passed_messages bigint      NOT NULL,
    PRIMARY KEY (report, header_from)
);

INSERT INTO report_from_domains (report, header_from, begin_time, end_time, record_count, message_count, passed_messages)
SELECT report, header_from, min(begin_time), min(end_time), count(*), sum(count)::bigint,
       coalesce(sum(count) FILTER (WHERE count > 0 AND (dkim = 'pass' OR spf = 'pass')), 0)::bigint
FROM records
GROUP BY report, header_from;

CREATE INDEX report_from_domains_period ON report_from_domains (reverse(header_from) text_pattern_ops, end_time);

DROP TABLE reported_passes;
-- The same rows as before, for ad-hoc SQL.
CREATE VIEW reported_passes AS
SELECT report, header_from, begin_time, end_time, passed_messages AS messages FROM report_from_domains WHERE passed_messages > 0;

-- Deleted with their report by the statement trigger (020), as its records are.
CREATE OR REPLACE FUNCTION delete_report_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM records WHERE report IN (SELECT id FROM gone);
    DELETE FROM report_from_domains WHERE report IN (SELECT id FROM gone);
    RETURN NULL;
END
$$;

DROP INDEX records_from_period;
ALTER TABLE records DROP COLUMN begin_time, DROP COLUMN end_time;
