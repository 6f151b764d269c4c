-- A groups claim in an identity provider's token changes people under a group mapping's authority:
-- the audit log names that mapping, as the actor kind `identity_provider`.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_kind_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_kind_check
    CHECK (actor_kind IN ('user', 'api_key', 'scim_token', 'identity_provider', 'operator', 'system'));

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
