-- Alerts (`dmarc alerts check|list|ack|resolve`): a condition found in the stored data (a new
-- failing source, a pass-rate drop, a receiver gone silent, a provider-wide failure), kept while it
-- holds. One open row per fingerprint: a condition that clears resolves its row, and when it comes
-- back later it is a new alert with a new row (the history stays).
CREATE TABLE alerts (
    id              bigserial PRIMARY KEY,
    -- What the condition is about, stable across evaluations: kind, tenant, domain and subject
    -- (e.g. `new-failing-source|acme|acme-hr.ch|198.51.100.7`).
    fingerprint     text NOT NULL,
    kind            text NOT NULL CHECK (kind IN (
                        'new-failing-source', 'pass-rate-drop', 'reports-missing', 'provider-wide')),
    -- NULL for operator alerts that span tenants (provider-wide).
    tenant_id       text,
    domain          text,
    severity        text NOT NULL CHECK (severity IN ('warning', 'critical')),
    -- open: the condition holds; acknowledged: it holds and someone took it (no reminders);
    -- resolved: it cleared (resolved_by 'check') or someone closed it (resolved_by 'user').
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    summary         text NOT NULL,
    -- The evidence of the latest evaluation: counts, rates, sources, days (kind-specific).
    details         jsonb NOT NULL DEFAULT '{}',
    first_seen      timestamptz NOT NULL DEFAULT now(),
    last_seen       timestamptz NOT NULL DEFAULT now(),
    acknowledged_at timestamptz,
    resolved_at     timestamptz,
    resolved_by     text CHECK (resolved_by IN ('check', 'user')),
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
-- At most one alert per condition that is not resolved: what `alerts check` updates in place.
CREATE UNIQUE INDEX alerts_one_unresolved ON alerts (fingerprint) WHERE status <> 'resolved';
CREATE INDEX alerts_status ON alerts (status, last_seen);

-- Who was told of an alert, when and why: an alert is told once when it opens, again only when it
-- worsens or after it stayed open (unacknowledged) for the reminder interval.
CREATE TABLE alert_notifications (
    alert     bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    -- 'operators' or the tenant's id: whose side acts.
    audience  text NOT NULL,
    -- How: 'log' (printed by `alerts check`, for the nightly run's log), later 'smtp', 'webhook'.
    channel   text NOT NULL,
    recipient text NOT NULL,
    reason    text NOT NULL CHECK (reason IN ('opened', 'worse', 'reminder')),
    severity  text NOT NULL,
    sent_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_notifications_alert ON alert_notifications (alert, sent_at);
