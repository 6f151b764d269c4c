-- A groups claim in an identity provider's token changes people under a group mapping's authority:
-- the audit log names that mapping, as the actor kind `identity_provider`. SQLite changes a CHECK
-- only by rebuilding the table.
CREATE TABLE audit_events_new (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL PRIMARY KEY,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'scim_token', 'identity_provider', 'operator', 'system')),
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
    FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_new RENAME TO audit_events;
CREATE INDEX audit_events_recent ON audit_events (account_id, at DESC, id DESC);
CREATE INDEX audit_events_target ON audit_events (account_id, target_type, target_id);
CREATE UNIQUE INDEX audit_events_seq ON audit_events (account_id, seq);

-- A mapping carries the authority of the person who last wrote it: a groups claim in a provider's
-- token moves people into and out of a mapped group as that person would. Mappings written before
-- learn their writer from the audit log (a key acted as its owner).
ALTER TABLE group_mappings ADD COLUMN written_by TEXT;
UPDATE group_mappings SET written_by = (
    SELECT CASE e.actor_kind WHEN 'user' THEN e.actor_id
        ELSE (SELECT k.user_id FROM api_keys k WHERE k.account_id = e.account_id AND k.id = e.actor_id) END
    FROM audit_events e
    WHERE e.account_id = group_mappings.account_id AND e.target_type = 'group_mapping'
        AND e.target_id = group_mappings.id AND e.actor_kind IN ('user', 'api_key', 'scim_token')
    ORDER BY e.seq DESC LIMIT 1
);
