//! Issue 13: a decision about a person is made on that person (DESIGN §2 rule 8), and each change is
//! loaded, decided and written in one transaction. Every finding of the issue is a regression test
//! here, and the onboarding the seeds describe works; each runs on SQLite and on PostgreSQL.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use serde_json::{Value, json};
use switchboard_testkit::app::TestApp;
use switchboard_testkit::http::{Reply, Session};
use switchboard_testkit::postgres::Database;

/// A running server and, on PostgreSQL, its database (dropped after the server).
struct Backend {
    app: TestApp,
    database: Option<Database>,
}

fn sqlite() -> Backend {
    Backend { app: TestApp::spawn(), database: None }
}

fn postgres() -> Backend {
    let database = Database::create();
    Backend { app: TestApp::new().database_url(&database.url).start(), database: Some(database) }
}

/// One test per backend: `<name>::sqlite` and `<name>::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(&super::sqlite());
            }

            #[test]
            #[cfg_attr(not(pg_tests), ignore = "set SWITCHBOARD_TEST_DATABASE_URL to run against PostgreSQL")]
            fn postgres() {
                super::$name(&super::postgres());
            }
        }
    )*};
}

on_both_backends!(
    a_workgroup_lead_cannot_set_the_password_of_an_agent_in_another_workgroup,
    a_workgroup_lead_cannot_duplicate_an_agent_of_another_workgroup,
    a_workgroup_lead_cannot_reassign_the_roles_of_people_outside_their_workgroup,
    a_manager_cannot_take_over_an_invited_or_disabled_administrator,
    nobody_but_the_superadmin_writes_guards_that_lock_out_people_who_outrank_them,
    revoking_an_api_key_is_a_change_to_its_owner,
    a_manager_cannot_move_the_superadmin_in_or_out_of_workgroups_and_numbers,
    an_aircall_supervisor_cannot_list_people_through_a_roles_members,
    a_mightycall_manager_invites_and_duplicates_members_without_managing_roles,
    a_groups_technical_creates_users_and_puts_them_in_groups,
    an_owner_who_is_not_the_superadmin_invites_a_new_owner_with_the_agent_role,
    a_change_in_flight_is_judged_on_committed_state,
);

fn id_of(reply: Reply) -> String {
    assert!(reply.status < 300, "{}: {}", reply.status, reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

/// A MightyCall account with workgroups Sales and Support; the lead and a seller are in Sales, an
/// Agent in Support. The lead's custom role holds what an Agent holds, plus `team.roles` manage and
/// `team.members` manage with edit and invite, scope `workgroup` (the first finding).
struct Teams {
    owner: Session,
    sales: String,
    support: String,
    lead: Session,
    agent: Session,
    seller: Session,
}

fn teams(app: &TestApp) -> Teams {
    let owner = app.account("mc", "mightycall");
    let sales = id_of(app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "Sales"}))));
    let support = id_of(app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "Support"}))));
    let agent_role = app.call(&owner, "GET", &format!("/v1/roles/{}", app.role_id(&owner, "agent")), None).json();
    let mut grants = agent_role["grants"].as_object().unwrap().clone();
    grants.insert("team.roles".into(), json!({"level": "manage"}));
    grants.insert(
        "team.members".into(),
        json!({"level": "manage", "rights": ["team.members.edit", "team.members.invite"]}),
    );
    let lead_role = json!({"key": "sales_lead", "name": "Sales lead", "grants": grants, "scope": "workgroup"});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(lead_role)).status, 201);
    let lead = app.user(&owner, "mc", "lead@mc.example", &["sales_lead"]);
    let agent = app.user(&owner, "mc", "agent@mc.example", &["agent"]);
    let seller = app.user(&owner, "mc", "seller@mc.example", &["agent"]);
    let members = |users: Vec<&str>| Some(json!({ "users": users }));
    let path = |w: &str| format!("/v1/workgroups/{w}/members");
    assert_eq!(app.call(&owner, "PUT", &path(&sales), members(vec![&lead.user_id, &seller.user_id])).status, 200);
    assert_eq!(app.call(&owner, "PUT", &path(&support), members(vec![&agent.user_id])).status, 200);
    Teams { owner, sales, support, lead, agent, seller }
}

/// Asserts an `out_of_reach` denial naming the person and the workgroup.
fn assert_out_of_reach(reply: &Reply, user: &str, workgroup: &str) {
    let body = reply.assert_problem(403, "forbidden");
    assert_eq!(body["reason"]["code"], "out_of_reach", "{body}");
    assert_eq!(body["reason"]["user"], user, "{body}");
    assert_eq!(body["reason"]["workgroup"], workgroup, "{body}");
}

fn reason_of(reply: &Reply) -> Value {
    reply.assert_problem(403, "forbidden")["reason"].clone()
}

// rule 8, finding 1
fn a_workgroup_lead_cannot_set_the_password_of_an_agent_in_another_workgroup(b: &Backend) {
    let (app, t) = (&b.app, teams(&b.app));
    let reply = app.call(
        &t.lead,
        "PATCH",
        &format!("/v1/users/{}", t.agent.user_id),
        Some(json!({"password": "taken-over-password"})),
    );
    assert_out_of_reach(&reply, &t.agent.user_id, &t.support);
    let body = json!({"account": "mc", "email": "agent@mc.example", "password": "taken-over-password"});
    assert_eq!(app.request("POST", "/v1/auth/token", Some(&body.to_string()), &[]).status, 401);
    app.login("mc", "agent@mc.example", "user-password");
    // Asked beforehand, the decision API gives the same answer.
    let question = |user: &str| json!({"permission": "team.members.edit", "resource": {"type": "user", "id": user}});
    let answer = app.call(&t.lead, "POST", "/v1/authorize", Some(question(&t.agent.user_id))).json();
    assert_eq!((answer["allowed"].clone(), answer["reason"]["code"].clone()), (json!(false), json!("out_of_reach")));
    let answer = app.call(&t.lead, "POST", "/v1/authorize", Some(question(&t.seller.user_id))).json();
    assert_eq!(answer["allowed"], true, "{answer}");
    // Within the lead's own workgroup, the same change is theirs to make.
    let own = app.call(&t.lead, "PATCH", &format!("/v1/users/{}", t.seller.user_id), Some(json!({"name": "Seller"})));
    assert_eq!(own.status, 200, "{}", own.body);
    let _ = &t.sales;
}

// rule 8, finding 2
fn a_workgroup_lead_cannot_duplicate_an_agent_of_another_workgroup(b: &Backend) {
    let (app, t) = (&b.app, teams(&b.app));
    let copy = json!({"email": "copy@mc.example", "name": "Copy", "password": "copy-password"});
    let reply = app.call(&t.lead, "POST", &format!("/v1/users/{}/duplicate", t.agent.user_id), Some(copy));
    let reason = reason_of(&reply);
    assert_eq!(reason["code"], "out_of_reach", "{reason}");
    assert_eq!(reason["workgroup"], t.support.as_str());
    let users = app.call(&t.owner, "GET", "/v1/users?limit=500", None).json();
    assert!(!users["items"].as_array().unwrap().iter().any(|u| u["email"] == "copy@mc.example"), "nothing was created");
    // A seller of the lead's own workgroup can be duplicated.
    let copy = json!({"email": "seller2@mc.example", "name": "Seller 2"});
    let reply = app.call(&t.lead, "POST", &format!("/v1/users/{}/duplicate", t.seller.user_id), Some(copy));
    assert_eq!(reply.status, 201, "{}", reply.body);
}

// rule 8, finding 3
fn a_workgroup_lead_cannot_reassign_the_roles_of_people_outside_their_workgroup(b: &Backend) {
    let (app, t) = (&b.app, teams(&b.app));
    let path = format!("/v1/users/{}/roles", t.agent.user_id);
    let reply = app.call(&t.lead, "PUT", &path, Some(json!({"roles": ["sales_lead"]})));
    assert_out_of_reach(&reply, &t.agent.user_id, &t.support);
    let bulk = json!({"user_ids": [t.agent.user_id], "role": "sales_lead"});
    assert_out_of_reach(&app.call(&t.lead, "POST", "/v1/users/bulk-role", Some(bulk)), &t.agent.user_id, &t.support);
    let role = app.role_id(&t.owner, "sales_lead");
    let add = json!({"user_ids": [t.agent.user_id]});
    let reply = app.call(&t.lead, "POST", &format!("/v1/roles/{role}/members"), Some(add));
    assert_out_of_reach(&reply, &t.agent.user_id, &t.support);
    let detail = app.call(&t.owner, "GET", &format!("/v1/users/{}", t.agent.user_id), None).json();
    assert_eq!(detail["roles"][0]["key"], "agent", "the agent's roles are unchanged");
}

// rule MC-3, finding 4
fn a_manager_cannot_take_over_an_invited_or_disabled_administrator(b: &Backend) {
    let app = &b.app;
    let owner = app.account("mc", "mightycall");
    let manager = app.user(&owner, "mc", "manager@mc.example", &["manager"]);
    let invite = json!({"email": "invited@mc.example", "name": "Invited", "roles": ["administrator"]});
    let invited = id_of(app.call(&owner, "POST", "/v1/users", Some(invite)));
    let reply =
        app.call(&manager, "PATCH", &format!("/v1/users/{invited}"), Some(json!({"password": "manager-chosen-1"})));
    assert_eq!(reason_of(&reply)["code"], "escalation", "{}", reply.body);
    let detail = app.call(&owner, "GET", &format!("/v1/users/{invited}"), None).json();
    assert_eq!(detail["status"], "invited", "still invited, with no password");

    let disabled = app.user(&owner, "mc", "disabled@mc.example", &["administrator"]).user_id;
    let path = format!("/v1/users/{disabled}");
    assert_eq!(app.call(&owner, "PATCH", &path, Some(json!({"status": "disabled"}))).status, 200);
    let reenable = json!({"status": "active", "password": "manager-chosen-2"});
    assert_eq!(reason_of(&app.call(&manager, "PATCH", &path, Some(reenable)))["code"], "escalation");
    let again = json!({"password": "manager-chosen-2"});
    assert_eq!(reason_of(&app.call(&manager, "PATCH", &path, Some(again)))["code"], "escalation");
    assert_eq!(app.call(&owner, "GET", &path, None).json()["status"], "disabled");
}

// rule 2, finding 5
fn nobody_but_the_superadmin_writes_guards_that_lock_out_people_who_outrank_them(b: &Backend) {
    let app = &b.app;
    let owner = app.account("mc", "mightycall");
    let squatter_role = json!({"key": "squatter", "name": "Squatter", "grants": {"team.roles": {"level": "manage"}}});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(squatter_role)).status, 201);
    let squatter = app.user(&owner, "mc", "squatter@mc.example", &["squatter"]);
    let fortress = json!({"key": "fortress", "name": "Fortress",
        "guards": {"assignable_by": ["fortress"], "peer_protected": true}});
    let reason = reason_of(&app.call(&squatter, "POST", "/v1/roles", Some(fortress)));
    assert_eq!(reason["code"], "superadmin_only", "{reason}");
    let plain = id_of(app.call(&squatter, "POST", "/v1/roles", Some(json!({"key": "plain", "name": "Plain"}))));
    let protect = json!({"guards": {"peer_protected": true}});
    assert_eq!(
        reason_of(&app.call(&squatter, "PATCH", &format!("/v1/roles/{plain}"), Some(protect)))["code"],
        "superadmin_only"
    );
    // The superadmin may, and an Administrator can still manage everyone the squatter creates.
    let admin = app.user(&owner, "mc", "admin@mc.example", &["administrator"]);
    let newcomer = app.user(&owner, "mc", "new@mc.example", &["plain"]);
    let disable =
        app.call(&admin, "PATCH", &format!("/v1/users/{}", newcomer.user_id), Some(json!({"status": "disabled"})));
    assert_eq!(disable.status, 200, "{}", disable.body);
}

// finding 6
fn revoking_an_api_key_is_a_change_to_its_owner(b: &Backend) {
    let app = &b.app;
    let key_of = |who: &Session| {
        let reply = app.call(who, "POST", "/v1/api-keys", Some(json!({"name": "integration"})));
        assert_eq!(reply.status, 201, "{}", reply.body);
        let body = reply.json();
        (body["id"].as_str().unwrap().to_owned(), body["key"].as_str().unwrap().to_owned())
    };
    let still_works = |key: &str| app.request("GET", "/v1/me", None, &[("x-api-key", key)]).status == 200;
    // MightyCall: a Manager and the superadmin's key.
    let owner = app.account("mc", "mightycall");
    let manager = app.user(&owner, "mc", "manager@mc.example", &["manager"]);
    let (id, key) = key_of(&owner);
    let reply = app.call(&manager, "DELETE", &format!("/v1/api-keys/{id}"), None);
    assert_eq!(reason_of(&reply)["code"], "superadmin_protected");
    assert!(still_works(&key));
    let (own, own_key) = key_of(&manager);
    assert_eq!(app.call(&manager, "DELETE", &format!("/v1/api-keys/{own}"), None).status, 204, "one's own key");
    assert!(!still_works(&own_key));
    // Aircall: an Admin and an Owner's key (only Owners edit Owners, rule AC-6).
    let superadmin = app.account("ac", "aircall");
    let owner = app.user(&superadmin, "ac", "co-owner@ac.example", &["owner", "admin", "agent"]);
    let admin = app.user(&superadmin, "ac", "admin@ac.example", &["admin", "agent"]);
    let (id, key) = key_of(&owner);
    assert_eq!(reason_of(&app.call(&admin, "DELETE", &format!("/v1/api-keys/{id}"), None))["code"], "guarded_role");
    assert!(still_works(&key));
    // Groups/IVR: an admin and a peer admin's key (rule GI-6).
    let superadmin = app.account("gi", "groups-ivr");
    let first = app.user(&superadmin, "gi", "a1@gi.example", &["admin"]);
    let second = app.user(&superadmin, "gi", "a2@gi.example", &["admin"]);
    let (id, key) = key_of(&second);
    assert_eq!(reason_of(&app.call(&first, "DELETE", &format!("/v1/api-keys/{id}"), None))["code"], "peer_protected");
    assert!(still_works(&key));
}

// rule 7, finding 7
fn a_manager_cannot_move_the_superadmin_in_or_out_of_workgroups_and_numbers(b: &Backend) {
    let app = &b.app;
    let owner = app.account("mc", "mightycall");
    let manager = app.user(&owner, "mc", "manager@mc.example", &["manager"]);
    let wg = id_of(app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "Support"}))));
    let number = id_of(app.call(&owner, "POST", "/v1/numbers", Some(json!({"e164": "+14155550100", "kind": "local"}))));
    let join = Some(json!({"users": [owner.user_id]}));
    let members = format!("/v1/workgroups/{wg}/members");
    assert_eq!(reason_of(&app.call(&manager, "PUT", &members, join.clone()))["code"], "superadmin_protected");
    let users = format!("/v1/numbers/{number}/users");
    assert_eq!(reason_of(&app.call(&manager, "PUT", &users, join.clone()))["code"], "superadmin_protected");
    // Taking them out is refused too.
    assert_eq!(app.call(&owner, "PUT", &members, join.clone()).status, 200);
    assert_eq!(app.call(&owner, "PUT", &users, join).status, 200);
    let empty = Some(json!({"users": []}));
    assert_eq!(reason_of(&app.call(&manager, "PUT", &members, empty.clone()))["code"], "superadmin_protected");
    assert_eq!(reason_of(&app.call(&manager, "PUT", &users, empty))["code"], "superadmin_protected");
    // Deleting the number takes it from everyone: not a change aimed at the superadmin.
    assert_eq!(app.call(&manager, "DELETE", &format!("/v1/numbers/{number}"), None).status, 204);
}

// rule AC-8, finding 8
fn an_aircall_supervisor_cannot_list_people_through_a_roles_members(b: &Backend) {
    let app = &b.app;
    let owner = app.account("ac", "aircall");
    let supervisor = app.user(&owner, "ac", "sup@ac.example", &["supervisor", "agent"]);
    assert_eq!(app.call(&supervisor, "GET", "/v1/roles", None).status, 200, "roles are readable (AC-8)");
    assert_eq!(reason_of(&app.call(&supervisor, "GET", "/v1/users", None))["section"], "team.members");
    let agent = app.role_id(&owner, "agent");
    let reply = app.call(&supervisor, "GET", &format!("/v1/roles/{agent}/members"), None);
    let reason = reason_of(&reply);
    assert_eq!(
        (reason["code"].as_str(), reason["section"].as_str()),
        (Some("missing_permission"), Some("team.members"))
    );
}

// rule MC-3, rule MC-34
fn a_mightycall_manager_invites_and_duplicates_members_without_managing_roles(b: &Backend) {
    let app = &b.app;
    let owner = app.account("mc", "mightycall");
    let manager = app.user(&owner, "mc", "manager@mc.example", &["manager"]);
    let invite = json!({"email": "new@mc.example", "name": "New", "password": "new-password"});
    let reply = app.call(&manager, "POST", "/v1/users", Some(invite));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let invited = reply.json();
    assert_eq!(invited["roles"][0]["key"], "agent", "the pack's default role");
    let copy = json!({"email": "copy@mc.example", "name": "Copy"});
    let path = format!("/v1/users/{}/duplicate", invited["id"].as_str().unwrap());
    let reply = app.call(&manager, "POST", &path, Some(copy));
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.json()["roles"][0]["key"], "agent");
    // Duplicating copies roles, within the Manager's own access: a fellow Manager, not an Administrator.
    let fellow = app.user(&owner, "mc", "fellow@mc.example", &["manager"]);
    let copy = json!({"email": "fellow2@mc.example", "name": "Fellow 2"});
    let reply = app.call(&manager, "POST", &format!("/v1/users/{}/duplicate", fellow.user_id), Some(copy));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let copy = json!({"email": "admin2@mc.example", "name": "Admin 2"});
    let reply = app.call(&manager, "POST", &format!("/v1/users/{}/duplicate", owner.user_id), Some(copy));
    assert_eq!(reason_of(&reply)["code"], "escalation", "{}", reply.body);
    // Choosing another role is assigning it: Managers can't view or manage roles.
    let chosen = json!({"email": "m2@mc.example", "name": "M2", "roles": ["manager"]});
    let reason = reason_of(&app.call(&manager, "POST", "/v1/users", Some(chosen)));
    assert_eq!((reason["code"].as_str(), reason["section"].as_str()), (Some("missing_permission"), Some("team.roles")));
}

// rule GI-10
fn a_groups_technical_creates_users_and_puts_them_in_groups(b: &Backend) {
    let app = &b.app;
    let superadmin = app.account("gi", "groups-ivr");
    let technical = app.user(&superadmin, "gi", "tech@gi.example", &["technical"]);
    let group = id_of(app.call(&technical, "POST", "/v1/workgroups", Some(json!({"name": "Night shift"}))));
    let invite = json!({"email": "op@gi.example", "name": "Operator", "password": "operator-password"});
    let user = id_of(app.call(&technical, "POST", "/v1/users", Some(invite)));
    let reply = app.call(&technical, "PUT", &format!("/v1/workgroups/{group}/members"), Some(json!({"users": [user]})));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["members"][0], user.as_str());
    // Dashboard access is an administrator's grant (GI-8), not Technical's.
    let access = json!({"workgroups": [group], "ivrs": []});
    let reply = app.call(&technical, "PUT", &format!("/v1/users/{user}/dashboard-access"), Some(access));
    assert_eq!(reply.status, 403, "{}", reply.body);
}

// rule AC-3, rule AC-4, rule AC-10
fn an_owner_who_is_not_the_superadmin_invites_a_new_owner_with_the_agent_role(b: &Backend) {
    let app = &b.app;
    let superadmin = app.account("ac", "aircall");
    let owner = app.user(&superadmin, "ac", "co-owner@ac.example", &["owner", "agent"]);
    let invite = json!({"email": "owner2@ac.example", "name": "Owner 2", "roles": ["owner", "agent"]});
    let reply = app.call(&owner, "POST", "/v1/users", Some(invite));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let mut keys: Vec<String> =
        reply.json()["roles"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_owned()).collect();
    keys.sort();
    assert_eq!(keys, ["agent", "owner"]);
    // Owners may only create and edit Owners (AC-4): an Admin is not theirs to give.
    let admin = json!({"email": "admin@ac.example", "name": "Admin", "roles": ["admin", "agent"]});
    assert_eq!(reason_of(&app.call(&owner, "POST", "/v1/users", Some(admin)))["code"], "guarded_role");
}

/// Opens the server's database directly and runs `sql` in a transaction it leaves open.
enum Held {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Held {
    fn begin(b: &Backend, sql: &str) -> Held {
        match &b.database {
            None => {
                let path = b.app.data_dir().join("switchboard.db");
                let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
                conn.batch_execute(&format!("PRAGMA busy_timeout = 5000; BEGIN IMMEDIATE; {sql}")).unwrap();
                Held::Sqlite(conn)
            }
            Some(db) => {
                let mut conn = PgConnection::establish(&db.url).unwrap();
                conn.batch_execute(&format!("BEGIN; {sql}")).unwrap();
                Held::Postgres(conn)
            }
        }
    }

    fn commit(self) {
        match self {
            Held::Sqlite(mut c) => c.batch_execute("COMMIT").unwrap(),
            Held::Postgres(mut c) => c.batch_execute("COMMIT").unwrap(),
        }
    }
}

// One transaction per change: the actor's role is revoked while their change waits for the lock; the
// change is judged on what was committed, not on what the actor held when the request arrived.
fn a_change_in_flight_is_judged_on_committed_state(b: &Backend) {
    let app = &b.app;
    let owner = app.account("mc", "mightycall");
    let manager = app.user(&owner, "mc", "manager@mc.example", &["manager"]);
    let agent = app.user(&owner, "mc", "agent@mc.example", &["agent"]);
    // The manager's access is cached by now.
    assert_eq!(app.call(&manager, "GET", "/v1/users", None).status, 200);
    let revoke = format!(
        "UPDATE accounts SET access_version = access_version + 1 WHERE slug = 'mc'; \
         DELETE FROM role_assignments WHERE user_id = '{}';",
        manager.user_id
    );
    let held = Held::begin(b, &revoke);
    let rename = {
        let (base, token, path) = (app.base.clone(), manager.token.clone(), format!("/v1/users/{}", agent.user_id));
        std::thread::spawn(move || {
            let body = json!({"name": "Renamed by a former manager"});
            switchboard_testkit::http::Client::new(base).send(Some(&token), "PATCH", &path, Some(body))
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(!rename.is_finished(), "the change waits for the account's change lock");
    held.commit();
    let reply = rename.join().unwrap();
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.json()["reason"]["section"], "team.members", "{}", reply.body);
    let detail = app.call(&owner, "GET", &format!("/v1/users/{}", agent.user_id), None).json();
    assert_eq!(detail["name"], "agent@mc.example", "nothing was written");
}
