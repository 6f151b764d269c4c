ALTER TABLE group_mappings DROP COLUMN written_by;
DELETE FROM audit_events WHERE actor_kind = 'identity_provider';
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_kind_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_kind_check
    CHECK (actor_kind IN ('user', 'api_key', 'scim_token', 'operator', 'system'));
