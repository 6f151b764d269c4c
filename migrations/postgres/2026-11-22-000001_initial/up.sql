-- Switchboard schema, PostgreSQL dialect. Keep in step with migrations/sqlite (see migrations/README.md).
-- Ids are UUID text (the same column types on both backends); timestamps are UTC `timestamp`.
-- Every table carries account_id, and every reference is a composite foreign key on (account_id, id),
-- so no row can point into another account.

CREATE TABLE accounts (
    id TEXT NOT NULL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    preset_pack TEXT NOT NULL,
    -- never zero: checked when the creating transaction commits
    superadmin_user_id TEXT NOT NULL,
    -- bumped by every change of roles, assignments or data scope inputs (permission cache coherence)
    access_version BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    password_hash TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (account_id, id),
    UNIQUE (account_id, email)
);

ALTER TABLE accounts ADD CONSTRAINT accounts_superadmin_fkey
    FOREIGN KEY (id, superadmin_user_id) REFERENCES users (account_id, id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE workgroups (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (account_id, id),
    UNIQUE (account_id, name)
);

CREATE TABLE workgroup_members (
    account_id TEXT NOT NULL,
    workgroup_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (workgroup_id, user_id),
    FOREIGN KEY (account_id, workgroup_id) REFERENCES workgroups (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);
CREATE INDEX workgroup_members_user ON workgroup_members (account_id, user_id);

CREATE TABLE numbers (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL PRIMARY KEY,
    e164 TEXT NOT NULL CHECK (e164 ~ '^\+[1-9][0-9]{1,14}$'),
    label TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('local', 'toll_free', 'international')),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (account_id, id),
    UNIQUE (account_id, e164)
);

CREATE TABLE number_users (
    account_id TEXT NOT NULL,
    number_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (number_id, user_id),
    FOREIGN KEY (account_id, number_id) REFERENCES numbers (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);
CREATE INDEX number_users_user ON number_users (account_id, user_id);

CREATE TABLE ivrs (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (account_id, id),
    UNIQUE (account_id, name)
);

-- a number's incoming calls take one path: a number is linked to at most one IVR
CREATE TABLE ivr_numbers (
    account_id TEXT NOT NULL,
    ivr_id TEXT NOT NULL,
    number_id TEXT NOT NULL PRIMARY KEY,
    FOREIGN KEY (account_id, ivr_id) REFERENCES ivrs (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, number_id) REFERENCES numbers (account_id, id) ON DELETE CASCADE
);
CREATE INDEX ivr_numbers_ivr ON ivr_numbers (account_id, ivr_id);

CREATE TABLE roles (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL PRIMARY KEY,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin = 'custom' OR (origin LIKE 'preset:_%')),
    scope TEXT NOT NULL CHECK (scope IN ('all', 'numbers', 'workgroup', 'dashboard', 'personal')),
    recents TEXT NOT NULL CHECK (recents IN ('all', 'personal')),
    -- JSON: section key -> {level, rights}
    grants TEXT NOT NULL,
    -- JSON: {assignable_by, can_assign, peer_protected}
    guards TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (account_id, id),
    UNIQUE (account_id, key)
);

-- the business numbers a `numbers`-scoped role selects
CREATE TABLE role_scope_numbers (
    account_id TEXT NOT NULL,
    role_id TEXT NOT NULL,
    number_id TEXT NOT NULL,
    PRIMARY KEY (role_id, number_id),
    FOREIGN KEY (account_id, role_id) REFERENCES roles (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, number_id) REFERENCES numbers (account_id, id) ON DELETE CASCADE
);
CREATE INDEX role_scope_numbers_number ON role_scope_numbers (account_id, number_id);

CREATE TABLE role_assignments (
    account_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role_id TEXT NOT NULL,
    assigned_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, role_id),
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, role_id) REFERENCES roles (account_id, id) ON DELETE RESTRICT
);
CREATE INDEX role_assignments_role ON role_assignments (account_id, role_id);

CREATE TABLE dashboard_workgroups (
    account_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    workgroup_id TEXT NOT NULL,
    PRIMARY KEY (user_id, workgroup_id),
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, workgroup_id) REFERENCES workgroups (account_id, id) ON DELETE CASCADE
);

CREATE TABLE dashboard_ivrs (
    account_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    ivr_id TEXT NOT NULL,
    PRIMARY KEY (user_id, ivr_id),
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, ivr_id) REFERENCES ivrs (account_id, id) ON DELETE CASCADE
);

-- history keeps its references: numbers, workgroups, IVRs and users that appear in it cannot be deleted
CREATE TABLE communications (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'message', 'voicemail', 'recording')),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    number_id TEXT,
    workgroup_id TEXT,
    ivr_id TEXT,
    started_at TIMESTAMP NOT NULL,
    duration_seconds INTEGER NOT NULL CHECK (duration_seconds >= 0),
    has_recording BOOLEAN NOT NULL,
    UNIQUE (account_id, id),
    -- target of the participants' copy of started_at (see below)
    UNIQUE (account_id, id, started_at),
    FOREIGN KEY (account_id, number_id) REFERENCES numbers (account_id, id),
    FOREIGN KEY (account_id, workgroup_id) REFERENCES workgroups (account_id, id),
    FOREIGN KEY (account_id, ivr_id) REFERENCES ivrs (account_id, id)
);
CREATE INDEX communications_recent ON communications (account_id, started_at DESC, id DESC);
CREATE INDEX communications_number ON communications (account_id, number_id, started_at DESC, id DESC);
CREATE INDEX communications_workgroup ON communications (account_id, workgroup_id, started_at DESC, id DESC);
CREATE INDEX communications_ivr ON communications (account_id, ivr_id, started_at DESC, id DESC);

-- started_at is copied from the communication (the foreign key keeps the copy exact) so that a user's
-- personal history is one ordered index range
CREATE TABLE communication_participants (
    account_id TEXT NOT NULL,
    communication_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    PRIMARY KEY (communication_id, user_id),
    FOREIGN KEY (account_id, communication_id, started_at)
        REFERENCES communications (account_id, id, started_at) ON DELETE CASCADE,
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id)
);
CREATE INDEX communication_participants_user
    ON communication_participants (account_id, user_id, started_at DESC, communication_id DESC);

CREATE TABLE api_keys (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    -- the non-secret leading part of the key, for lookup
    prefix TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    UNIQUE (account_id, id),
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);
CREATE INDEX api_keys_user ON api_keys (account_id, user_id);

-- append-only; the actor is recorded as it was (no foreign key: the log outlives deleted users)
CREATE TABLE audit_events (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL PRIMARY KEY,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'operator', 'system')),
    actor_id TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT,
    before_state TEXT,
    after_state TEXT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_recent ON audit_events (account_id, at DESC, id DESC);
CREATE INDEX audit_events_target ON audit_events (account_id, target_type, target_id);
