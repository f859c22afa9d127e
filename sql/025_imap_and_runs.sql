-- Messages fetched from IMAP mailboxes (`dmarc fetch`): which message (the configured mailbox's
-- name, UIDVALIDITY, UID) held which input (its SHA-256, as in input_files and originals), what the
-- ledger said of it, and what was done with it on the server. Kept beside the ledger rather than in
-- it: the ledger row is written by ingest, this row after its commit, before the message is moved.
CREATE TABLE imap_messages (
    mailbox     text NOT NULL,
    uidvalidity bigint NOT NULL,
    uid         bigint NOT NULL,
    sha256      bytea NOT NULL,
    -- stored: its reports are in the database (ingested, duplicate or conflict); no_report and
    -- rejected: nothing stored, the message is left in place or moved to the configured folder.
    status      text NOT NULL CHECK (status IN ('stored', 'no_report', 'rejected')),
    -- The folder it is to be moved to; NULL: left where it is.
    target      text,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    -- When the server confirmed the move; NULL with a target: the move is still to be done.
    moved_at    timestamptz,
    PRIMARY KEY (mailbox, uidvalidity, uid)
);
CREATE INDEX imap_messages_sha256 ON imap_messages (sha256);

-- Every `dmarc nightly` (and `dmarc fetch`) run: when, what each step did, how it ended.
CREATE TABLE runs (
    id          bigserial PRIMARY KEY,
    command     text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    -- The process's exit status; NULL while running (or when it died: finished_at stays NULL too).
    exit_status integer,
    -- One object per step: {"step": "fetch rua", "status": 0, "summary": "…", "seconds": 1.2, …}.
    steps       jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX runs_started_at ON runs (started_at);
