-- An API key may expire, and may be limited to a role-like set of grants (JSON, as a role's `grants`).
ALTER TABLE api_keys ADD COLUMN expires_at TIMESTAMP;
ALTER TABLE api_keys ADD COLUMN grants TEXT;

-- A signed-in session. Every token names one; ending it (sign-out, a password change, a disable)
-- ends the token on every instance.
CREATE TABLE sessions (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    -- why it ended: signed_out, password_changed, disabled, access_reduced, ended_by_user
    ended_why TEXT,
    UNIQUE (account_id, id),
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (account_id, user_id, created_at);

-- Two-factor sign-in: the TOTP secret sealed (never in clear), confirmed once a code matched, the
-- last step used (a code works once), and the hashes of the unused recovery codes (JSON).
CREATE TABLE two_factor (
    account_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT NOT NULL DEFAULT 0,
    recovery_hashes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, user_id),
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);

-- An account may require two-factor sign-in of everyone who manages people or roles.
ALTER TABLE accounts ADD COLUMN require_two_factor BOOLEAN NOT NULL DEFAULT FALSE;
