DROP INDEX communications_number;
DROP INDEX communications_workgroup;
DROP INDEX communications_ivr;
CREATE INDEX communications_number ON communications (account_id, number_id, started_at DESC, id DESC, kind);
CREATE INDEX communications_workgroup ON communications (account_id, workgroup_id, started_at DESC, id DESC, kind);
CREATE INDEX communications_ivr ON communications (account_id, ivr_id, started_at DESC, id DESC, kind);
