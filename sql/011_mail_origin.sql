-- Reports that came by e-mail keep the message they came in (issue 6): who sent it, when, and its
-- Message-ID, so a report can be traced back to the rua mailbox.
ALTER TABLE reports
    ADD COLUMN message_id      text,
    ADD COLUMN message_subject text,
    ADD COLUMN message_from    text,
    ADD COLUMN message_date    timestamptz;

-- A message with no aggregate report in it (a bounce, a TLS report, spam) is neither an error nor
-- ingested: it is recorded as such and counted apart.
ALTER TABLE input_files DROP CONSTRAINT input_files_status_check;
ALTER TABLE input_files ADD CONSTRAINT input_files_status_check
    CHECK (status IN ('ingested', 'duplicate', 'rejected', 'conflict', 'no_report'));
