-- dmarc: the store of aggregate reports. Applied by `dmarc db migrate` (and by `dmarc ingest` when
-- the database is behind), each numbered file in its own transaction, recorded in schema_migrations.

-- Every input file that was read successfully, kept whole and content-addressed, so that
-- `dmarc reparse` can read history again. The bytes are TOAST-compressed by PostgreSQL
-- (lz4 where the server has it, else pglz); already-compressed inputs (gzip, zip) stay as they are.
CREATE TABLE originals (
    sha256      bytea PRIMARY KEY CHECK (length(sha256) = 32),
    size        bigint NOT NULL,
    first_path  text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    content     bytea NOT NULL
);
ALTER TABLE originals ALTER COLUMN content SET STORAGE EXTENDED;
DO $$
BEGIN
    ALTER TABLE originals ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    NULL;  -- server built without lz4: keep the default (pglz)
END
$$;

CREATE TABLE reports (
    id                 bigserial PRIMARY KEY,
    -- identity: a report is stored once per (reporter, report id, policy domain, period)
    org_name           text NOT NULL,
    report_id          text NOT NULL,
    policy_domain      text NOT NULL,
    begin_time         timestamptz NOT NULL,
    end_time           timestamptz NOT NULL,
    email              text NOT NULL,
    extra_contact_info text,
    generator          text,
    errors             text[] NOT NULL DEFAULT '{}',
    schema             text NOT NULL CHECK (schema IN ('rfc7489', 'dmarc-2.0')),
    -- policy_published
    adkim              text,
    aspf               text,
    p                  text,
    sp                 text,
    np                 text,
    pct                integer,
    fo                 text,
    testing            text,
    discovery_method   text,
    warnings           text[] NOT NULL DEFAULT '{}',
    -- SHA-256 of the report's normalised content: tells a resent copy from a conflicting one
    content_sha256     bytea,
    record_count       bigint NOT NULL DEFAULT 0,
    message_count      bigint NOT NULL DEFAULT 0,
    source_sha256      bytea NOT NULL REFERENCES originals (sha256),
    source_name        text NOT NULL,
    stored_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reports_identity UNIQUE (org_name, report_id, policy_domain, begin_time, end_time)
);
-- "failures of domain D in period P" starts here
CREATE INDEX reports_domain_period ON reports (policy_domain, begin_time, end_time);
CREATE INDEX reports_source ON reports (source_sha256);

-- The row tables below key their rows by `report` (reports.id) without declaring FOREIGN KEYs:
-- PostgreSQL checks those row by row, which measured here made COPY into records 1.7x and into
-- dkim_results 4x slower. The writer inserts a report before its rows in the same transaction, and
-- deleting reports deletes their rows through the statement trigger at the end of this file.
CREATE TABLE records (
    report      bigint NOT NULL,
    record_no   integer NOT NULL,
    source_ip   inet NOT NULL,
    count       bigint NOT NULL,
    disposition text,
    dkim        text,
    spf         text,
    header_from text NOT NULL,
    envelope_from text,
    envelope_to text,
    PRIMARY KEY (report, record_no)
);
-- "everything from IP X"
CREATE INDEX records_source_ip ON records (source_ip);
-- failing rows by the domain in From:, for support questions without a period
CREATE INDEX records_failures_by_from ON records (header_from, report)
    WHERE dkim IS DISTINCT FROM 'pass' AND spf IS DISTINCT FROM 'pass';

CREATE TABLE dkim_results (
    report       bigint NOT NULL,
    record_no    integer NOT NULL,
    ordinal      integer NOT NULL,
    domain       text NOT NULL,
    selector     text,
    result       text,
    human_result text,
    PRIMARY KEY (report, record_no, ordinal)
);

CREATE TABLE spf_results (
    report       bigint NOT NULL,
    record_no    integer NOT NULL,
    ordinal      integer NOT NULL,
    domain       text NOT NULL,
    scope        text,
    result       text,
    human_result text,
    PRIMARY KEY (report, record_no, ordinal)
);

CREATE TABLE override_reasons (
    report    bigint NOT NULL,
    record_no integer NOT NULL,
    ordinal   integer NOT NULL,
    type      text,
    comment   text,
    PRIMARY KEY (report, record_no, ordinal)
);

-- One row per input file per run: what happened to it and why.
CREATE TABLE input_files (
    id           bigserial PRIMARY KEY,
    sha256       bytea,
    path         text NOT NULL,
    size         bigint,
    status       text NOT NULL CHECK (status IN ('ingested', 'duplicate', 'rejected', 'conflict')),
    reason       text,
    reports      integer NOT NULL DEFAULT 0,
    rows         bigint NOT NULL DEFAULT 0,
    duplicate_reports integer NOT NULL DEFAULT 0,
    conflicts    integer NOT NULL DEFAULT 0,
    processed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX input_files_sha256 ON input_files (sha256);
CREATE INDEX input_files_status ON input_files (status, processed_at);

-- ON DELETE CASCADE for the row tables, once per statement (reparse deletes a file's reports at once).
CREATE FUNCTION delete_report_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM dkim_results WHERE report IN (SELECT id FROM gone);
    DELETE FROM spf_results WHERE report IN (SELECT id FROM gone);
    DELETE FROM override_reasons WHERE report IN (SELECT id FROM gone);
    DELETE FROM records WHERE report IN (SELECT id FROM gone);
    RETURN NULL;
END
$$;
CREATE TRIGGER reports_delete_rows AFTER DELETE ON reports
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION delete_report_rows();
