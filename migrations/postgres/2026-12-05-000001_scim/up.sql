-- An API key's purpose: 'api' keys act at /v1, 'scim' tokens only at /scim/v2 (an identity provider).
ALTER TABLE api_keys ADD COLUMN purpose TEXT NOT NULL DEFAULT 'api' CHECK (purpose IN ('api', 'scim'));

-- What an identity provider knows a user by: its userName (unique per account, compared without
-- case), its externalId, and the SCIM attributes Switchboard keeps but does not use (name, emails…).
CREATE TABLE scim_users (
    account_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    user_name_key TEXT NOT NULL,
    external_id TEXT,
    attributes TEXT NOT NULL,
    PRIMARY KEY (account_id, user_id),
    UNIQUE (account_id, user_name_key),
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);
CREATE INDEX scim_users_external ON scim_users (account_id, external_id);

-- A SCIM group is a workgroup; the provider's externalId for it.
CREATE TABLE scim_groups (
    account_id TEXT NOT NULL,
    workgroup_id TEXT NOT NULL,
    external_id TEXT,
    PRIMARY KEY (account_id, workgroup_id),
    FOREIGN KEY (account_id, workgroup_id) REFERENCES workgroups (account_id, id) ON DELETE CASCADE
);
CREATE INDEX scim_groups_external ON scim_groups (account_id, external_id);

-- An identity provider acts through its SCIM token: the audit log names it.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_kind_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_kind_check
    CHECK (actor_kind IN ('user', 'api_key', 'scim_token', 'operator', 'system'));

-- An identity provider's group (a workgroup the provider keeps) mapped to roles and dashboard access:
-- whoever the provider puts in the group gets them. `roles` and the dashboard entries are JSON lists
-- of ids; the highest `priority` wins where the account holds one role per person.
CREATE TABLE group_mappings (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    workgroup_id TEXT NOT NULL,
    roles TEXT NOT NULL,
    dashboard_workgroups TEXT NOT NULL,
    dashboard_ivrs TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (account_id, id),
    UNIQUE (account_id, workgroup_id),
    FOREIGN KEY (account_id, workgroup_id) REFERENCES workgroups (account_id, id) ON DELETE CASCADE
);
