ALTER TABLE accounts DROP COLUMN require_two_factor;
DROP TABLE two_factor;
DROP TABLE sessions;
ALTER TABLE api_keys DROP COLUMN grants;
ALTER TABLE api_keys DROP COLUMN expires_at;
