DROP TABLE group_mappings;
UPDATE audit_events SET actor_kind = 'api_key' WHERE actor_kind = 'scim_token';
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_kind_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_kind_check
    CHECK (actor_kind IN ('user', 'api_key', 'operator', 'system'));
DROP TABLE scim_groups;
DROP TABLE scim_users;
ALTER TABLE api_keys DROP COLUMN purpose;
