-- Fewer index entries per stored communication (issue 20: ingest): the number, workgroup and IVR
-- history indexes leave out records without one (internal calls have no number; half of a typical
-- day's records have no workgroup, three quarters no IVR). They are only read for `column = ANY(…)`,
-- which implies the column is set.
DROP INDEX communications_number;
DROP INDEX communications_workgroup;
DROP INDEX communications_ivr;
CREATE INDEX communications_number ON communications (account_id, number_id, started_at DESC, id DESC, kind)
    WHERE number_id IS NOT NULL;
CREATE INDEX communications_workgroup ON communications (account_id, workgroup_id, started_at DESC, id DESC, kind)
    WHERE workgroup_id IS NOT NULL;
CREATE INDEX communications_ivr ON communications (account_id, ivr_id, started_at DESC, id DESC, kind)
    WHERE ivr_id IS NOT NULL;
ANALYZE communications;
