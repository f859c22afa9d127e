-- Issue 7: one row per record, found by domain and period through one index.
--
-- Before: DKIM and SPF results and override reasons lived in three child tables, each with its
-- own primary key, written by three more COPYs per report and read back by three lateral
-- subqueries per row; and the only domain index knew nothing of time, so "failures of D in the
-- last 30 days" read D's whole history before the join to `reports` dropped most of it.
-- Measured on 10.6 M rows: failures --domain p95 ~1.3 s; ingest at 29 % of a keyed \copy.
--
-- After: the results are parallel arrays on the record (element i of dkim_domain, dkim_selector,
-- dkim_result and dkim_human_result is one signature, in the receiver's order; NULL elements are
-- absent values), the report's period is copied onto its records, and one index on (reversed header
-- From, end of period) answers domain-and-period questions. The old tables become views of the
-- same name and columns, so ad-hoc SQL keeps working.

ALTER TABLE records
    ADD COLUMN begin_time        timestamptz,
    ADD COLUMN end_time          timestamptz,
    ADD COLUMN dkim_domain       text[] NOT NULL DEFAULT '{}',
    ADD COLUMN dkim_selector     text[] NOT NULL DEFAULT '{}',
    ADD COLUMN dkim_result       text[] NOT NULL DEFAULT '{}',
    ADD COLUMN dkim_human_result text[] NOT NULL DEFAULT '{}',
    ADD COLUMN spf_domain        text[] NOT NULL DEFAULT '{}',
    ADD COLUMN spf_scope         text[] NOT NULL DEFAULT '{}',
    ADD COLUMN spf_result        text[] NOT NULL DEFAULT '{}',
    ADD COLUMN spf_human_result  text[] NOT NULL DEFAULT '{}',
    ADD COLUMN reason_type       text[] NOT NULL DEFAULT '{}',
    ADD COLUMN reason_comment    text[] NOT NULL DEFAULT '{}';

UPDATE records r SET begin_time = p.begin_time, end_time = p.end_time FROM reports p WHERE p.id = r.report;

UPDATE records r
SET dkim_domain = d.domain, dkim_selector = d.selector, dkim_result = d.result, dkim_human_result = d.human_result
FROM (
    SELECT report, record_no, array_agg(domain ORDER BY ordinal) AS domain,
           array_agg(selector ORDER BY ordinal) AS selector, array_agg(result ORDER BY ordinal) AS result,
           array_agg(human_result ORDER BY ordinal) AS human_result
    FROM dkim_results GROUP BY report, record_no) d
WHERE d.report = r.report AND d.record_no = r.record_no;

UPDATE records r
SET spf_domain = s.domain, spf_scope = s.scope, spf_result = s.result, spf_human_result = s.human_result
FROM (
    SELECT report, record_no, array_agg(domain ORDER BY ordinal) AS domain,
           array_agg(scope ORDER BY ordinal) AS scope, array_agg(result ORDER BY ordinal) AS result,
           array_agg(human_result ORDER BY ordinal) AS human_result
    FROM spf_results GROUP BY report, record_no) s
WHERE s.report = r.report AND s.record_no = r.record_no;

UPDATE records r
SET reason_type = o.type, reason_comment = o.comment
FROM (
    SELECT report, record_no, array_agg(type ORDER BY ordinal) AS type, array_agg(comment ORDER BY ordinal) AS comment
    FROM override_reasons GROUP BY report, record_no) o
WHERE o.report = r.report AND o.record_no = r.record_no;

-- Rows whose report is gone (none should exist: the trigger deletes them) would have no period.
DELETE FROM records WHERE begin_time IS NULL;
ALTER TABLE records ALTER COLUMN begin_time SET NOT NULL, ALTER COLUMN end_time SET NOT NULL;

-- Element i of each group belongs together.
ALTER TABLE records ADD CONSTRAINT records_dkim_arrays CHECK (
    cardinality(dkim_selector) = cardinality(dkim_domain) AND cardinality(dkim_result) = cardinality(dkim_domain)
    AND cardinality(dkim_human_result) = cardinality(dkim_domain));
ALTER TABLE records ADD CONSTRAINT records_spf_arrays CHECK (
    cardinality(spf_scope) = cardinality(spf_domain) AND cardinality(spf_result) = cardinality(spf_domain)
    AND cardinality(spf_human_result) = cardinality(spf_domain));
ALTER TABLE records ADD CONSTRAINT records_reason_arrays CHECK (cardinality(reason_comment) = cardinality(reason_type));

DROP TRIGGER reports_delete_rows ON reports;
DROP FUNCTION delete_report_rows();
DROP TABLE dkim_results, spf_results, override_reasons;

CREATE VIEW dkim_results AS
SELECT r.report, r.record_no, d.ordinal::integer AS ordinal, d.domain, d.selector, d.result, d.human_result
FROM records r,
     unnest(r.dkim_domain, r.dkim_selector, r.dkim_result, r.dkim_human_result)
         WITH ORDINALITY AS d(domain, selector, result, human_result, ordinal);

CREATE VIEW spf_results AS
SELECT r.report, r.record_no, s.ordinal::integer AS ordinal, s.domain, s.scope, s.result, s.human_result
FROM records r,
     unnest(r.spf_domain, r.spf_scope, r.spf_result, r.spf_human_result)
         WITH ORDINALITY AS s(domain, scope, result, human_result, ordinal);

CREATE VIEW override_reasons AS
SELECT r.report, r.record_no, o.ordinal::integer AS ordinal, o.type, o.comment
FROM records r, unnest(r.reason_type, r.reason_comment) WITH ORDINALITY AS o(type, comment, ordinal);

-- ON DELETE CASCADE for records, once per statement (reparse deletes a file's reports at once).
CREATE FUNCTION delete_report_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM records WHERE report IN (SELECT id FROM gone);
    RETURN NULL;
END
$$;
CREATE TRIGGER reports_delete_rows AFTER DELETE ON reports
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION delete_report_rows();

-- Domain and period in one index: the reversed header From (a prefix covers subdomains) and the end
-- of the report's period. "D in the last 30 days" reads only D's rows of those days. The partial
-- failures index and the source IP index served no query, and every index costs every COPY (the
-- IP index, with its random inserts, the most): `failures --source` filters a domain's rows.
DROP INDEX records_failures_by_from;
DROP INDEX records_source_ip;
DROP INDEX records_header_from_reversed;
CREATE INDEX records_from_period ON records (reverse(header_from) text_pattern_ops, end_time);
-- The longest report period, read from this index at once: a row overlapping a period ends before
-- the period's end plus that span, which bounds the index range above as well — without it, a
-- question about an old month would read every later row of the domain.
CREATE INDEX reports_span ON reports ((end_time - begin_time));
