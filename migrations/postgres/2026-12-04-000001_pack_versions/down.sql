ALTER TABLE roles DROP COLUMN copied_from_preset;
ALTER TABLE accounts DROP COLUMN preset_version;
