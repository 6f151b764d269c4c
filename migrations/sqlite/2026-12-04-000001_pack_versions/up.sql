-- The version of its pack an account's preset roles came from ('' where it was never recorded), and
-- the preset role (by key) a custom role was copied from: an upgrade reports copies whose source changes.
ALTER TABLE accounts ADD COLUMN preset_version TEXT NOT NULL DEFAULT '';
ALTER TABLE roles ADD COLUMN copied_from_preset TEXT NULL;
