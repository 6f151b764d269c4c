-- Totals of the communications (issue 20), kept by the transaction that stores them: for the whole
-- account and for each number, workgroup and IVR (`ref_id`; '' for the account, and for records without
-- one), per UTC day ('YYYY-MM-DD') and per month ('YYYY-MM'): per kind, the records, those recorded and
-- their seconds. Reports read them instead of every record. Communications are never changed or deleted
-- apart from their account, so ingest is the only writer. The kinds are columns, not rows: an ingest
-- writes a row per reference and period, not four. The key leads with the reference: a scope's few
-- references are one range each. `stripe` lets concurrent ingests on PostgreSQL add to rows of their
-- own instead of waiting for each other's (a report sums the stripes); on SQLite, one writer, it is 0.
-- Rows are updated by every ingest: pages keep room for the new versions beside the old (HOT updates,
-- no index entry per update).
CREATE TABLE communication_totals (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    dimension TEXT NOT NULL CHECK (dimension IN ('account', 'number', 'workgroup', 'ivr')),
    grain TEXT NOT NULL CHECK (grain IN ('day', 'month')),
    ref_id TEXT NOT NULL,
    period TEXT NOT NULL,
    stripe INTEGER NOT NULL DEFAULT 0,
    call_records BIGINT NOT NULL,
    call_recorded BIGINT NOT NULL,
    call_seconds BIGINT NOT NULL,
    message_records BIGINT NOT NULL,
    message_recorded BIGINT NOT NULL,
    message_seconds BIGINT NOT NULL,
    voicemail_records BIGINT NOT NULL,
    voicemail_recorded BIGINT NOT NULL,
    voicemail_seconds BIGINT NOT NULL,
    recording_records BIGINT NOT NULL,
    recording_recorded BIGINT NOT NULL,
    recording_seconds BIGINT NOT NULL,
    PRIMARY KEY (account_id, dimension, grain, ref_id, period, stripe)
) WITH (fillfactor = 70);
-- records written meanwhile wait until this commits, so none is left out of the totals
LOCK TABLE communications IN SHARE MODE;
-- the totals of what is already stored
INSERT INTO communication_totals (account_id, dimension, grain, ref_id, period, call_records, call_recorded, call_seconds, message_records, message_recorded, message_seconds, voicemail_records, voicemail_recorded, voicemail_seconds, recording_records, recording_recorded, recording_seconds)
    SELECT account_id, 'account', 'day', '', to_char(started_at, 'YYYY-MM-DD'),
        SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'message' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'voicemail' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'recording' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN duration_seconds ELSE 0 END)
    FROM communications GROUP BY account_id, to_char(started_at, 'YYYY-MM-DD');
INSERT INTO communication_totals (account_id, dimension, grain, ref_id, period, call_records, call_recorded, call_seconds, message_records, message_recorded, message_seconds, voicemail_records, voicemail_recorded, voicemail_seconds, recording_records, recording_recorded, recording_seconds)
    SELECT account_id, 'account', 'month', '', to_char(started_at, 'YYYY-MM'),
        SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'message' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'voicemail' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'recording' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN duration_seconds ELSE 0 END)
    FROM communications GROUP BY account_id, to_char(started_at, 'YYYY-MM');
INSERT INTO communication_totals (account_id, dimension, grain, ref_id, period, call_records, call_recorded, call_seconds, message_records, message_recorded, message_seconds, voicemail_records, voicemail_recorded, voicemail_seconds, recording_records, recording_recorded, recording_seconds)
    SELECT account_id, 'number', 'day', COALESCE(number_id, ''), to_char(started_at, 'YYYY-MM-DD'),
        SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'message' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'voicemail' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'recording' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN duration_seconds ELSE 0 END)
    FROM communications GROUP BY account_id, COALESCE(number_id, ''), to_char(started_at, 'YYYY-MM-DD');
INSERT INTO communication_totals (account_id, dimension, grain, ref_id, period, call_records, call_recorded, call_seconds, message_records, message_recorded, message_seconds, voicemail_records, voicemail_recorded, voicemail_seconds, recording_records, recording_recorded, recording_seconds)
    SELECT account_id, 'number', 'month', COALESCE(number_id, ''), to_char(started_at, 'YYYY-MM'),
        SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'message' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'voicemail' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'recording' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN duration_seconds ELSE 0 END)
    FROM communications GROUP BY account_id, COALESCE(number_id, ''), to_char(started_at, 'YYYY-MM');
INSERT INTO communication_totals (account_id, dimension, grain, ref_id, period, call_records, call_recorded, call_seconds, message_records, message_recorded, message_seconds, voicemail_records, voicemail_recorded, voicemail_seconds, recording_records, recording_recorded, recording_seconds)
    SELECT account_id, 'workgroup', 'day', COALESCE(workgroup_id, ''), to_char(started_at, 'YYYY-MM-DD'),
        SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'message' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'voicemail' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'recording' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN duration_seconds ELSE 0 END)
    FROM communications GROUP BY account_id, COALESCE(workgroup_id, ''), to_char(started_at, 'YYYY-MM-DD');
INSERT INTO communication_totals (account_id, dimension, grain, ref_id, period, call_records, call_recorded, call_seconds, message_records, message_recorded, message_seconds, voicemail_records, voicemail_recorded, voicemail_seconds, recording_records, recording_recorded, recording_seconds)
    SELECT account_id, 'workgroup', 'month', COALESCE(workgroup_id, ''), to_char(started_at, 'YYYY-MM'),
        SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'message' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'voicemail' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'recording' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN duration_seconds ELSE 0 END)
    FROM communications GROUP BY account_id, COALESCE(workgroup_id, ''), to_char(started_at, 'YYYY-MM');
INSERT INTO communication_totals (account_id, dimension, grain, ref_id, period, call_records, call_recorded, call_seconds, message_records, message_recorded, message_seconds, voicemail_records, voicemail_recorded, voicemail_seconds, recording_records, recording_recorded, recording_seconds)
    SELECT account_id, 'ivr', 'day', COALESCE(ivr_id, ''), to_char(started_at, 'YYYY-MM-DD'),
        SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'message' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'voicemail' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'recording' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN duration_seconds ELSE 0 END)
    FROM communications GROUP BY account_id, COALESCE(ivr_id, ''), to_char(started_at, 'YYYY-MM-DD');
INSERT INTO communication_totals (account_id, dimension, grain, ref_id, period, call_records, call_recorded, call_seconds, message_records, message_recorded, message_seconds, voicemail_records, voicemail_recorded, voicemail_seconds, recording_records, recording_recorded, recording_seconds)
    SELECT account_id, 'ivr', 'month', COALESCE(ivr_id, ''), to_char(started_at, 'YYYY-MM'),
        SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'message' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'voicemail' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'recording' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN duration_seconds ELSE 0 END)
    FROM communications GROUP BY account_id, COALESCE(ivr_id, ''), to_char(started_at, 'YYYY-MM');
