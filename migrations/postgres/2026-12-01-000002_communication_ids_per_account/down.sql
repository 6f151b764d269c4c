-- Back to ids unique across accounts (fails if two accounts now share one).
ALTER TABLE communications DROP CONSTRAINT communications_pkey;
ALTER TABLE communications ADD PRIMARY KEY (id);
ALTER TABLE communication_participants DROP CONSTRAINT communication_participants_pkey;
ALTER TABLE communication_participants ADD PRIMARY KEY (communication_id, user_id);
