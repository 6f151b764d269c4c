-- A communication's id is unique within its account, not across accounts: an integration that
-- ingests an id another account happens to use is answered as for any new id, and learns nothing.
ALTER TABLE communication_participants DROP CONSTRAINT communication_participants_pkey;
ALTER TABLE communication_participants ADD PRIMARY KEY (account_id, communication_id, user_id);
ALTER TABLE communications DROP CONSTRAINT communications_pkey;
ALTER TABLE communications ADD PRIMARY KEY (account_id, id);
