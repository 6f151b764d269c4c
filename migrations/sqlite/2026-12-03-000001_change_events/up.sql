-- Change events (issue 19). Every audited change is an event: the audit log is the transactional
-- outbox. Each account numbers its events 1, 2, 3 … in commit order: the counter row is locked by the
-- first event of a transaction until it commits, so a reader resumes after the last number it saw.
-- The counter has a table of its own, locked last (when a change is audited), never before the rows
-- the change writes, so transactions that lock those rows in another order do not deadlock on it.
CREATE TABLE event_counters (
    account_id TEXT NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL
);
ALTER TABLE audit_events ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
UPDATE audit_events SET seq = numbered.n
FROM (SELECT account_id, id, ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY at, id) AS n FROM audit_events) AS numbered
WHERE audit_events.account_id = numbered.account_id AND audit_events.id = numbered.id;
INSERT INTO event_counters (account_id, seq)
SELECT id, COALESCE((SELECT MAX(seq) FROM audit_events WHERE audit_events.account_id = accounts.id), 0) FROM accounts;
CREATE UNIQUE INDEX audit_events_seq ON audit_events (account_id, seq);

-- A receiver of the account's events. The signing secret is sealed (it must be read to sign);
-- `delivered_seq` is the last event it acknowledged, so delivery resumes there after any restart.
CREATE TABLE webhooks (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL PRIMARY KEY,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    delivered_seq BIGINT NOT NULL,
    -- failed attempts at the next event, and when to try it again
    failures BIGINT NOT NULL,
    retry_at TIMESTAMP,
    last_error TEXT,
    -- the delivery thread holding it, until when (another takes over after a crash); after a
    -- release, when it was released: the least recently delivered webhook is leased first
    leased_by TEXT,
    lease_until TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (account_id, id)
);

-- Every attempt to deliver an event, kept 30 days.
CREATE TABLE webhook_deliveries (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    webhook_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    attempt BIGINT NOT NULL,
    manual BOOLEAN NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    status_code BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    UNIQUE (account_id, id),
    FOREIGN KEY (account_id, webhook_id) REFERENCES webhooks (account_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (account_id, webhook_id, attempted_at DESC, id DESC);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (attempted_at);

-- How far a sink (the NATS publisher) has published each account's events.
CREATE TABLE event_sink_cursors (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    sink TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (account_id, sink)
);

-- A grant that starts later is announced (an event) when it starts; of the rows written before this,
-- those still to start are announced when they do.
ALTER TABLE role_assignments ADD COLUMN start_announced BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE dashboard_workgroups ADD COLUMN start_announced BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE dashboard_ivrs ADD COLUMN start_announced BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE role_assignments SET start_announced = FALSE WHERE starts_at > CURRENT_TIMESTAMP;
UPDATE dashboard_workgroups SET start_announced = FALSE WHERE starts_at > CURRENT_TIMESTAMP;
UPDATE dashboard_ivrs SET start_announced = FALSE WHERE starts_at > CURRENT_TIMESTAMP;
CREATE INDEX role_assignments_start ON role_assignments (start_announced, starts_at);
CREATE INDEX dashboard_workgroups_start ON dashboard_workgroups (start_announced, starts_at);
CREATE INDEX dashboard_ivrs_start ON dashboard_ivrs (start_announced, starts_at);
