DROP TABLE sessions;
ALTER TABLE api_keys DROP COLUMN grants;
ALTER TABLE api_keys DROP COLUMN expires_at;
