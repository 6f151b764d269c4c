-- Totals of the communications (issue 20), kept by the transaction that stores them: for the whole
-- account and for each number, workgroup and IVR (`ref_id`; '' for the account, and for records without
-- one), per UTC day ('YYYY-MM-DD') and per month ('YYYY-MM'), per kind. Reports read them instead of
-- every record. Communications are never changed or deleted apart from their account, so ingest is the
-- only writer. The key leads with the reference: a scope's few references are one range each.
CREATE TABLE communication_totals (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    dimension TEXT NOT NULL CHECK (dimension IN ('account', 'number', 'workgroup', 'ivr')),
    grain TEXT NOT NULL CHECK (grain IN ('day', 'month')),
    ref_id TEXT NOT NULL,
    period TEXT NOT NULL,
    kind TEXT NOT NULL,
    records BIGINT NOT NULL,
    recorded BIGINT NOT NULL,
    duration_seconds BIGINT NOT NULL,
    PRIMARY KEY (account_id, dimension, grain, ref_id, period, kind)
) WITHOUT ROWID;
-- the totals of what is already stored
INSERT INTO communication_totals
    SELECT account_id, 'account', 'day', '', substr(started_at, 1, 10), kind, COUNT(*), SUM(has_recording), SUM(duration_seconds)
    FROM communications GROUP BY account_id, substr(started_at, 1, 10), kind;
INSERT INTO communication_totals
    SELECT account_id, 'account', 'month', '', substr(started_at, 1, 7), kind, COUNT(*), SUM(has_recording), SUM(duration_seconds)
    FROM communications GROUP BY account_id, substr(started_at, 1, 7), kind;
INSERT INTO communication_totals
    SELECT account_id, 'number', 'day', COALESCE(number_id, ''), substr(started_at, 1, 10), kind, COUNT(*), SUM(has_recording), SUM(duration_seconds)
    FROM communications GROUP BY account_id, COALESCE(number_id, ''), substr(started_at, 1, 10), kind;
INSERT INTO communication_totals
    SELECT account_id, 'number', 'month', COALESCE(number_id, ''), substr(started_at, 1, 7), kind, COUNT(*), SUM(has_recording), SUM(duration_seconds)
    FROM communications GROUP BY account_id, COALESCE(number_id, ''), substr(started_at, 1, 7), kind;
INSERT INTO communication_totals
    SELECT account_id, 'workgroup', 'day', COALESCE(workgroup_id, ''), substr(started_at, 1, 10), kind, COUNT(*), SUM(has_recording), SUM(duration_seconds)
    FROM communications GROUP BY account_id, COALESCE(workgroup_id, ''), substr(started_at, 1, 10), kind;
INSERT INTO communication_totals
    SELECT account_id, 'workgroup', 'month', COALESCE(workgroup_id, ''), substr(started_at, 1, 7), kind, COUNT(*), SUM(has_recording), SUM(duration_seconds)
    FROM communications GROUP BY account_id, COALESCE(workgroup_id, ''), substr(started_at, 1, 7), kind;
INSERT INTO communication_totals
    SELECT account_id, 'ivr', 'day', COALESCE(ivr_id, ''), substr(started_at, 1, 10), kind, COUNT(*), SUM(has_recording), SUM(duration_seconds)
    FROM communications GROUP BY account_id, COALESCE(ivr_id, ''), substr(started_at, 1, 10), kind;
INSERT INTO communication_totals
    SELECT account_id, 'ivr', 'month', COALESCE(ivr_id, ''), substr(started_at, 1, 7), kind, COUNT(*), SUM(has_recording), SUM(duration_seconds)
    FROM communications GROUP BY account_id, COALESCE(ivr_id, ''), substr(started_at, 1, 7), kind;
