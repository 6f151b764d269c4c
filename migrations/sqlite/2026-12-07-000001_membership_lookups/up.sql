-- Every link between two records is read from both ends within an account, in the order of the other
-- end: a user's roles and a role's holders, a workgroup's members and a user's workgroups, and so on.
-- Each end gets an index on (account_id, this end, the other end). Without one, SQLite (which keeps no
-- statistics unless asked) answered a lookup by one end from the other end's index on account_id
-- alone, the one that gave the order: a read of every link of the account, so that each user's roles
-- cost O(account) and seeding 100,000 people took O(n²).
DROP INDEX role_assignments_role;
DROP INDEX workgroup_members_user;
DROP INDEX number_users_user;
DROP INDEX role_scope_numbers_number;
CREATE INDEX role_assignments_role ON role_assignments (account_id, role_id, user_id);
CREATE INDEX role_assignments_user ON role_assignments (account_id, user_id, role_id);
CREATE INDEX workgroup_members_user ON workgroup_members (account_id, user_id, workgroup_id);
CREATE INDEX workgroup_members_workgroup ON workgroup_members (account_id, workgroup_id, user_id);
CREATE INDEX number_users_user ON number_users (account_id, user_id, number_id);
CREATE INDEX number_users_number ON number_users (account_id, number_id, user_id);
CREATE INDEX role_scope_numbers_number ON role_scope_numbers (account_id, number_id, role_id);
CREATE INDEX role_scope_numbers_role ON role_scope_numbers (account_id, role_id, number_id);
CREATE INDEX dashboard_workgroups_user ON dashboard_workgroups (account_id, user_id, workgroup_id);
CREATE INDEX dashboard_workgroups_workgroup ON dashboard_workgroups (account_id, workgroup_id, user_id);
CREATE INDEX dashboard_ivrs_user ON dashboard_ivrs (account_id, user_id, ivr_id);
CREATE INDEX dashboard_ivrs_ivr ON dashboard_ivrs (account_id, ivr_id, user_id);
CREATE INDEX access_review_decisions_role ON access_review_decisions (account_id, role_id, user_id);
