-- Time-bound access (issue 17): a role assignment or a dashboard-access entry may start later and end
-- at an instant; decisions read only what holds now. Who assigned a role, and why (break-glass), are
-- kept for access reviews. Existing rows: no bounds, assigner unknown.
ALTER TABLE role_assignments ADD COLUMN starts_at TIMESTAMP;
ALTER TABLE role_assignments ADD COLUMN expires_at TIMESTAMP;
ALTER TABLE role_assignments ADD COLUMN assigned_by TEXT;
ALTER TABLE role_assignments ADD COLUMN reason TEXT;
ALTER TABLE dashboard_workgroups ADD COLUMN starts_at TIMESTAMP;
ALTER TABLE dashboard_workgroups ADD COLUMN expires_at TIMESTAMP;
ALTER TABLE dashboard_ivrs ADD COLUMN starts_at TIMESTAMP;
ALTER TABLE dashboard_ivrs ADD COLUMN expires_at TIMESTAMP;
ALTER TABLE users ADD COLUMN last_sign_in_at TIMESTAMP;
-- the expiry sweep finds what is due without reading every assignment
CREATE INDEX role_assignments_expiry ON role_assignments (expires_at);
CREATE INDEX dashboard_workgroups_expiry ON dashboard_workgroups (expires_at);
CREATE INDEX dashboard_ivrs_expiry ON dashboard_ivrs (expires_at);
-- The latest access-review decision on each role assignment: kept, or revoked (the revocation itself is
-- an ordinary role change, audited as such).
CREATE TABLE access_review_decisions (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    role_id TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('keep', 'revoke')),
    reviewer_id TEXT NOT NULL,
    note TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, user_id, role_id),
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);
