-- The kinds of data a role shows beyond its holders' own communications (rule MC-7): JSON of
-- {calls, messages, voicemails, recordings}. Existing roles limited nothing, so they keep every kind.
ALTER TABLE roles ADD COLUMN kinds TEXT NOT NULL DEFAULT '{"calls":true,"messages":true,"voicemails":true,"recordings":true}';
