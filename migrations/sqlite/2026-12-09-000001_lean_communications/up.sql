-- Fewer b-tree entries per stored communication (issue 20: ingest). A communication and each of its
-- participants were a row in a rowid table plus an entry in its primary-key index; without rowids the
-- primary key is the table. The number, workgroup and IVR history indexes leave out records without
-- one (internal calls have no number; half of a typical day's records have no workgroup, three
-- quarters no IVR): they are only read for `column IN (…)`, which implies the column is set. SQLite
-- cannot change a table's storage in place: the two tables are rebuilt, rows kept, as in
-- 2026-12-01-000002.
CREATE TABLE communications_lean (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'message', 'voicemail', 'recording')),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    number_id TEXT,
    workgroup_id TEXT,
    ivr_id TEXT,
    started_at TIMESTAMP NOT NULL,
    duration_seconds INTEGER NOT NULL CHECK (duration_seconds >= 0),
    has_recording BOOLEAN NOT NULL,
    PRIMARY KEY (account_id, id),
    UNIQUE (account_id, id, started_at),
    FOREIGN KEY (account_id, number_id) REFERENCES numbers (account_id, id),
    FOREIGN KEY (account_id, workgroup_id) REFERENCES workgroups (account_id, id),
    FOREIGN KEY (account_id, ivr_id) REFERENCES ivrs (account_id, id)
) WITHOUT ROWID;
INSERT INTO communications_lean
    SELECT account_id, id, kind, direction, number_id, workgroup_id, ivr_id, started_at, duration_seconds, has_recording
    FROM communications ORDER BY account_id, id;
CREATE TABLE participants_lean (
    account_id TEXT NOT NULL,
    communication_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, communication_id, user_id),
    FOREIGN KEY (account_id, communication_id, started_at)
        REFERENCES communications_lean (account_id, id, started_at) ON DELETE CASCADE,
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id)
) WITHOUT ROWID;
INSERT INTO participants_lean
    SELECT account_id, communication_id, user_id, started_at FROM communication_participants
    ORDER BY account_id, communication_id, user_id;
-- the children first: dropping a table with rows that others refer to would delete theirs
DROP TABLE communication_participants;
DROP TABLE communications;
-- renaming also renames the participants' reference (SQLite 3.26 and later)
ALTER TABLE communications_lean RENAME TO communications;
ALTER TABLE participants_lean RENAME TO communication_participants;
CREATE INDEX communications_recent ON communications (account_id, started_at DESC, id DESC, kind);
CREATE INDEX communications_number ON communications (account_id, number_id, started_at DESC, id DESC, kind)
    WHERE number_id IS NOT NULL;
CREATE INDEX communications_workgroup ON communications (account_id, workgroup_id, started_at DESC, id DESC, kind)
    WHERE workgroup_id IS NOT NULL;
CREATE INDEX communications_ivr ON communications (account_id, ivr_id, started_at DESC, id DESC, kind)
    WHERE ivr_id IS NOT NULL;
CREATE INDEX communication_participants_user
    ON communication_participants (account_id, user_id, started_at DESC, communication_id DESC);
ANALYZE communications;
ANALYZE communication_participants;
