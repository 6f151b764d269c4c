ALTER TABLE group_mappings DROP COLUMN written_by;
CREATE TABLE audit_events_new (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL PRIMARY KEY,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'scim_token', 'operator', 'system')),
    actor_id TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT,
    before_state TEXT,
    after_state TEXT,
    at TIMESTAMP NOT NULL,
    seq BIGINT NOT NULL DEFAULT 0
);
INSERT INTO audit_events_new (account_id, id, actor_kind, actor_id, action, target_type, target_id, before_state, after_state, at, seq)
    SELECT account_id, id, actor_kind, actor_id, action, target_type, target_id, before_state, after_state, at, seq
    FROM audit_events
    WHERE actor_kind <> 'identity_provider';
DROP TABLE audit_events;
ALTER TABLE audit_events_new RENAME TO audit_events;
CREATE INDEX audit_events_recent ON audit_events (account_id, at DESC, id DESC);
CREATE INDEX audit_events_target ON audit_events (account_id, target_type, target_id);
CREATE UNIQUE INDEX audit_events_seq ON audit_events (account_id, seq);
