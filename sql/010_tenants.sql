-- Tenants' sending configuration, as applied by `dmarc tenants apply FILE.yaml`.
-- Each apply stores the whole file as a new version; the newest is in force. The history inside
-- the file (`since:` entries) decides which entry applies to a row's day, so a changed file changes
-- the diagnosis of past rows only where its dates say so — and nothing needs re-ingesting, because
-- diagnoses are computed when queried.
CREATE TABLE tenant_configurations (
    version      bigserial PRIMARY KEY,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    sha256       text NOT NULL,
    source_path  text NOT NULL,
    yaml         text NOT NULL,
    changes      text[] NOT NULL DEFAULT '{}'
);

-- Support asks by domain, including subdomains: a prefix search on the reversed header From
-- ("ch.acme-hr" covers "ch.acme-hr.mail") uses this index.
CREATE INDEX records_header_from_reversed ON records (reverse(header_from) text_pattern_ops);
