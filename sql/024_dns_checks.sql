-- Issue 20: every `dmarc dns check` run, one row per domain checked, so "what did the record say on
-- the 3rd" has an answer and changes between runs are visible ("include removed since 2026-11-28").
-- Rows are only ever added; the newest row of a domain is its current DNS evidence, and the
-- diagnosis shows it beside failures (stale after a configurable age).
CREATE TABLE dns_checks (
    id          bigserial PRIMARY KEY,
    checked_at  timestamptz NOT NULL,
    domain      text NOT NULL,
    tenant_id   text NOT NULL,
    method      text NOT NULL CHECK (method IN ('spf', 'dkim', 'relay')),
    -- What was asked: dmarc, spf, dkim:<selector>.
    asked       text[] NOT NULL,
    -- Every DNS answer the checks used: name, type, outcome, CNAMEs followed, records.
    answers     jsonb NOT NULL,
    -- The verdicts: [{check, code, verdict, name, english, german}].
    findings    jsonb NOT NULL,
    -- Facts compared run to run (spf include …, dkim <selector> key sha256:…, dmarc p=…).
    facts       text[] NOT NULL,
    verdict     text NOT NULL CHECK (verdict IN ('ok', 'warning', 'error')),
    -- The resolver asked (HOST:PORT), or 'system'.
    resolver    text NOT NULL
);

CREATE INDEX dns_checks_domain_time ON dns_checks (domain, checked_at DESC, id DESC);
