-- What is left of a deleted account: who deleted it, when, and how many records went with it. It has
-- no account to belong to, so it is the operator's record, outside every tenant.
CREATE TABLE account_deletions (
    deleted_account_id TEXT NOT NULL PRIMARY KEY,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    preset_pack TEXT NOT NULL,
    deleted_by TEXT NOT NULL,
    deleted_at TIMESTAMP NOT NULL,
    records TEXT NOT NULL
);
CREATE INDEX account_deletions_recent ON account_deletions (deleted_at DESC, deleted_account_id DESC);
