-- Totals per pair of columns (issue 20), kept beside `communication_totals` by the same transaction:
-- for each number and workgroup, number and IVR, and workgroup and IVR that records have together
-- (`ref_a`, `ref_b` in that order; records without both have no row), per UTC month ('YYYY-MM'), the
-- same sums per kind. They answer what one column's totals cannot: a scope over two columns (a number
-- user's numbers and workgroup: both columns' totals less those of the pair), and a report of one
-- column's references grouped by another (a workgroup's report by number; records of the workgroup
-- without a number are its own totals less the pair's). Months only: a day's pairs are about as many
-- as its records, and rows to insert rather than add to are what ingest pays for; such a report
-- counts a range's partial months from the records. The key leads with `ref_a`, the index with
-- `ref_b`: a report always names references of at least one of the two, each then one range.
CREATE TABLE communication_pair_totals (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    pair TEXT NOT NULL CHECK (pair IN ('number_workgroup', 'number_ivr', 'workgroup_ivr')),
    ref_a TEXT NOT NULL,
    period TEXT NOT NULL,
    ref_b TEXT NOT NULL,
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
    PRIMARY KEY (account_id, pair, ref_a, period, ref_b, stripe)
) WITH (fillfactor = 70);
CREATE INDEX communication_pair_totals_by_b ON communication_pair_totals (account_id, pair, ref_b, period, ref_a);
-- records written meanwhile wait until this commits, so none is left out of the totals
LOCK TABLE communications IN SHARE MODE;
-- the totals of what is already stored
INSERT INTO communication_pair_totals (account_id, pair, ref_a, period, ref_b, call_records, call_recorded, call_seconds, message_records, message_recorded, message_seconds, voicemail_records, voicemail_recorded, voicemail_seconds, recording_records, recording_recorded, recording_seconds)
    SELECT account_id, 'number_workgroup', number_id, to_char(started_at, 'YYYY-MM'), workgroup_id,
        SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'message' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'voicemail' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'recording' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN duration_seconds ELSE 0 END)
    FROM communications WHERE number_id IS NOT NULL AND workgroup_id IS NOT NULL GROUP BY account_id, number_id, to_char(started_at, 'YYYY-MM'), workgroup_id;
INSERT INTO communication_pair_totals (account_id, pair, ref_a, period, ref_b, call_records, call_recorded, call_seconds, message_records, message_recorded, message_seconds, voicemail_records, voicemail_recorded, voicemail_seconds, recording_records, recording_recorded, recording_seconds)
    SELECT account_id, 'number_ivr', number_id, to_char(started_at, 'YYYY-MM'), ivr_id,
        SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'message' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'voicemail' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'recording' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN duration_seconds ELSE 0 END)
    FROM communications WHERE number_id IS NOT NULL AND ivr_id IS NOT NULL GROUP BY account_id, number_id, to_char(started_at, 'YYYY-MM'), ivr_id;
INSERT INTO communication_pair_totals (account_id, pair, ref_a, period, ref_b, call_records, call_recorded, call_seconds, message_records, message_recorded, message_seconds, voicemail_records, voicemail_recorded, voicemail_seconds, recording_records, recording_recorded, recording_seconds)
    SELECT account_id, 'workgroup_ivr', workgroup_id, to_char(started_at, 'YYYY-MM'), ivr_id,
        SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'call' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'message' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'message' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'voicemail' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'voicemail' THEN duration_seconds ELSE 0 END),
        SUM(CASE WHEN kind = 'recording' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN CASE WHEN has_recording THEN 1 ELSE 0 END ELSE 0 END), SUM(CASE WHEN kind = 'recording' THEN duration_seconds ELSE 0 END)
    FROM communications WHERE workgroup_id IS NOT NULL AND ivr_id IS NOT NULL GROUP BY account_id, workgroup_id, to_char(started_at, 'YYYY-MM'), ivr_id;
