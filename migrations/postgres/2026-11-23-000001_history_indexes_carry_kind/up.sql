-- The history's index ranges also carry `kind`: a page filtered by kind (the voicemail or recording tab)
-- is then decided from index entries alone, instead of reading every record of the range to test it.
DROP INDEX communications_recent;
DROP INDEX communications_number;
DROP INDEX communications_workgroup;
DROP INDEX communications_ivr;
CREATE INDEX communications_recent ON communications (account_id, started_at DESC, id DESC, kind);
CREATE INDEX communications_number ON communications (account_id, number_id, started_at DESC, id DESC, kind);
CREATE INDEX communications_workgroup ON communications (account_id, workgroup_id, started_at DESC, id DESC, kind);
CREATE INDEX communications_ivr ON communications (account_id, ivr_id, started_at DESC, id DESC, kind);
-- new indexes have no statistics; planners given statistics for the table but none for them choose badly
ANALYZE communications;
