//! What the schema itself guarantees: accounts never reference each other, migrations go up and
//! down, stale writes are refused, audit rows share the fate of their change, nothing is half-done.

use crate::support::{backend_tests, key};
use diesel::prelude::*;
use switchboard_core::{RoleDefinition, RoleMode, RoleOrigin, ScopeKind, UserId, UserStatus};
use switchboard_store::repo::communications::{self, CommunicationKind, Direction, NewCommunication};
use switchboard_store::repo::numbers::{NumberInput, NumberKind};
use switchboard_store::repo::roles::{self, BulkRoleChange};
use switchboard_store::repo::users::{self, Memberships, NewUser, UserPatch};
use switchboard_store::repo::{audit, audit::AuditFilter};
use switchboard_store::repo::{ivrs, numbers, workgroups};
use switchboard_store::schema::{audit_events, role_assignments, workgroup_members};
use switchboard_store::{Actor, PageRequest, StoreError, applied_migrations, revert_all_migrations, run_migrations};

fn audit_count(conn: &mut switchboard_store::DbConn) -> i64 {
    audit_events::table.count().get_result(conn).expect("count audit events")
}

backend_tests! {
    // One transaction per change: a change waits for the account's change lock, but not forever.
    fn a_change_waiting_too_long_for_the_accounts_change_lock_is_unavailable_not_stuck(db) {
        let (account, _) = db.account("locked");
        let (mut holder, mut waiter) = (db.conn(), db.conn());
        holder
            .transaction::<_, diesel::result::Error, _>(|holder| {
                switchboard_store::repo::accounts::change(holder, account.id, |_, _| Ok::<_, StoreError>(()))
                    .expect("the first change takes the lock");
                diesel::update(switchboard_store::schema::accounts::table)
                    .set(switchboard_store::schema::accounts::access_version.eq(switchboard_store::schema::accounts::access_version))
                    .execute(holder)?;
                let started = std::time::Instant::now();
                let second = switchboard_store::repo::accounts::change(&mut waiter, account.id, |_, _| Ok::<_, StoreError>(()));
                assert!(matches!(second, Err(StoreError::Unavailable(_))), "{second:?}");
                assert!(started.elapsed() >= std::time::Duration::from_secs(4), "it waited for the lock first");
                Ok(())
            })
            .expect("the holder's transaction");
        // Once the lock is free, the change goes through.
        switchboard_store::repo::accounts::change(&mut waiter, account.id, |_, _| Ok::<_, StoreError>(()))
            .expect("the lock is free again");
    }

    fn migrations_apply_and_revert_cleanly(db) {
        let mut c = db.conn();
        let applied = applied_migrations(&mut c).expect("applied");
        assert!(!applied.is_empty(), "migrations ran on open");
        db.account("before-revert");
        let reverted = revert_all_migrations(&mut c).expect("every migration has a working down.sql");
        assert_eq!(reverted.len(), applied.len());
        assert!(applied_migrations(&mut c).expect("applied").is_empty());
        assert!(audit_events::table.count().get_result::<i64>(&mut *c).is_err(), "tables are gone after down");
        let again = run_migrations(&mut c).expect("migrations apply again after a full revert");
        assert_eq!(again.len(), applied.len());
        drop(c);
        db.account("after-reapply");
    }

    fn communications_and_their_participants_survive_the_move_to_tables_without_rowids_and_back(db) {
        let (account, owner) = db.account("lean");
        let mut c = db.conn();
        let (numbers, workgroups, ivrs) = crate::support::references(&mut c, account.id, 9, (2, 2, 2));
        let items: Vec<NewCommunication> = (0..12)
            .map(|i| NewCommunication {
                id: None,
                kind: CommunicationKind::ALL[i % 4],
                direction: Direction::Inbound,
                number: (i % 3 != 0).then(|| numbers[i % 2]),
                workgroup: (i % 2 == 0).then(|| workgroups[i % 2]),
                ivr: (i % 4 == 0).then(|| ivrs[i % 2]),
                participants: if i % 2 == 0 { vec![owner.id] } else { Vec::new() },
                started_at: chrono::Utc::now() - chrono::Duration::minutes(i as i64),
                duration_seconds: i as i32,
                has_recording: i % 3 == 0,
            })
            .collect();
        communications::ingest(&mut c, account.id, &items, &Actor::System).expect("ingest");
        let stored = crate::support::every_record(&mut c, account.id);
        assert_eq!(stored.len(), 12);
        let reverted = switchboard_store::revert_migrations_from(&mut c, "20261209000001").expect("reverted");
        assert!(reverted.iter().any(|v| v == "20261209000001"), "{reverted:?}");
        assert_eq!(crate::support::every_record(&mut c, account.id), stored, "back in rowid tables");
        run_migrations(&mut c).expect("applied again");
        assert_eq!(crate::support::every_record(&mut c, account.id), stored, "moved again");
        // and the participants still follow their communication out
        let deletion = switchboard_store::repo::account_deletion::delete(&mut c, account.id, &Actor::User(owner.id), "o@x.example")
            .expect("deleted");
        assert_eq!(deletion.records["communication_participants"], 6);
    }

    fn a_group_mapping_written_before_mappings_named_their_writer_learns_it_from_the_audit_log(db) {
        use switchboard_store::repo::group_mappings::{self, MappingInput};
        let (account, owner) = db.account("legacy");
        let mut c = db.conn();
        let wg = workgroups::create_workgroup(&mut c, account.id, "Leads", &[], &Actor::User(owner.id)).expect("wg");
        let input = MappingInput {
            workgroup_id: wg.id,
            roles: Vec::new(),
            dashboard: Default::default(),
            priority: 0,
            written_by: owner.id,
        };
        let mapping = group_mappings::create(&mut c, account.id, &input, &Actor::User(owner.id)).expect("mapping");
        let reverted = switchboard_store::revert_migrations_from(&mut c, "20261206000001").expect("reverted");
        assert!(reverted.iter().any(|v| v == "20261206000001"), "{reverted:?}");
        run_migrations(&mut c).expect("applied again");
        let learned = group_mappings::get(&mut c, account.id, mapping.id).expect("mapping");
        assert_eq!(learned.written_by, Some(owner.id), "from the audit log's group_mapping.create");
    }

    fn a_stored_id_that_is_not_a_uuid_is_an_error_naming_it_not_a_panic(db) {
        // ids are read into their types by the column's SQL type; a row damaged outside the store
        // (here by straight SQL) is refused when read, and the list says which value it could not read
        let (account, _) = db.account("damaged");
        let mut c = db.conn();
        let user = users::create(&mut c, account.id, &NewUser::invited("x@damaged.example", "X"), &Actor::System)
            .expect("created");
        diesel::sql_query(format!("UPDATE users SET id = 'not-a-uuid' WHERE id = '{}'", user.id))
            .execute(&mut *c)
            .expect("damaged");
        let err = users::list(&mut c, account.id, &PageRequest::default()).expect_err("an id that is not a UUID");
        assert!(err.to_string().contains("stored id `not-a-uuid` is not a UUID"), "{err}");
    }

    fn the_database_refuses_a_reference_into_another_account(db) {
        let (a, owner_a) = db.account("alpha");
        let (b, owner_b) = db.account("bravo");
        let mut c = db.conn();
        let wg = workgroups::create_workgroup(&mut c, a.id, "Sales", &[owner_a.id], &Actor::User(owner_a.id)).expect("wg");
        // straight SQL, bypassing every repository check: the composite foreign key refuses it
        let raw = diesel::insert_into(workgroup_members::table)
            .values((
                workgroup_members::account_id.eq(a.id),
                workgroup_members::workgroup_id.eq(wg.id),
                workgroup_members::user_id.eq(owner_b.id),
            ))
            .execute(&mut *c);
        let err = StoreError::from(raw.expect_err("a user of account B cannot join a workgroup of account A"));
        assert!(matches!(err, StoreError::InvalidReference { .. }), "{err:?}");
        // claiming the other account for the row does not help either
        let raw = diesel::insert_into(workgroup_members::table)
            .values((
                workgroup_members::account_id.eq(b.id),
                workgroup_members::workgroup_id.eq(wg.id),
                workgroup_members::user_id.eq(owner_b.id),
            ))
            .execute(&mut *c);
        assert!(raw.is_err());
        // through the repositories: the same refusal, typed
        let err = workgroups::set_workgroup_members(&mut c, a.id, wg.id, &[owner_b.id], &Actor::System).expect_err("refused");
        assert!(matches!(err, StoreError::InvalidReference { .. }), "{err:?}");
        let role_b = roles::create(&mut c, b.id, &RoleOrigin::Custom, &RoleDefinition::new("agent", "Agent"), &Actor::System)
            .expect("role");
        let err = roles::set_user_roles(&mut c, a.id, owner_a.id, &[role_b.id], RoleMode::Single, None, &Actor::System)
            .expect_err("a role of account B cannot be assigned in account A");
        assert!(matches!(err, StoreError::InvalidReference { .. }), "{err:?}");
        let num_b = numbers::create_number(
            &mut c,
            b.id,
            &NumberInput { e164: "+15550001".into(), label: "B".into(), kind: NumberKind::Local },
            &Actor::System,
        )
        .expect("number");
        let err = communications::ingest(
            &mut c,
            a.id,
            &[NewCommunication {
                id: None,
                kind: CommunicationKind::Call,
                direction: Direction::Inbound,
                number: Some(num_b.id),
                workgroup: None,
                ivr: None,
                participants: vec![owner_a.id],
                started_at: switchboard_store::now(),
                duration_seconds: 10,
                has_recording: false,
            }],
            &Actor::System,
        )
        .expect_err("history of account A cannot name a number of account B");
        assert!(matches!(err, StoreError::InvalidReference { .. }), "{err:?}");
        // nothing of it landed
        let members = workgroups::get(&mut c, a.id, wg.id).expect("wg").members;
        assert_eq!(members, vec![owner_a.id]);
        assert!(users::access(&mut c, a.id, owner_a.id).expect("access").roles.is_empty());
    }

    fn a_stale_role_or_user_write_is_refused_and_not_applied(db) {
        let (a, owner) = db.account("stale");
        let mut c = db.conn();
        let actor = Actor::User(owner.id);
        let role = roles::create(&mut c, a.id, &RoleOrigin::Custom, &RoleDefinition::new("agent", "Agent"), &actor).expect("role");
        let mut first = role.definition.clone();
        first.name = "First".into();
        let updated = roles::update(&mut c, a.id, role.id, role.version, &first, &actor).expect("fresh write");
        assert_eq!(updated.version, role.version + 1);
        let mut second = role.definition.clone();
        second.name = "Second".into();
        second.scope = ScopeKind::All;
        let err = roles::update(&mut c, a.id, role.id, role.version, &second, &actor).expect_err("stale write");
        assert!(matches!(err, StoreError::StaleVersion { entity: "role", current, .. } if current == updated.version), "{err:?}");
        let now = roles::get(&mut c, a.id, role.id).expect("role");
        assert_eq!(now.definition.name, "First");
        assert_eq!(now.definition.scope, ScopeKind::Personal);

        let user = users::create(&mut c, a.id, &NewUser::invited("ann@stale.example", "Ann"), &actor).expect("user");
        let patch = UserPatch { name: Some("Ann A".into()), ..UserPatch::default() };
        let u1 = users::update(&mut c, a.id, user.id, Some(user.version), &patch, &actor).expect("fresh");
        let patch = UserPatch { status: Some(UserStatus::Disabled), ..UserPatch::default() };
        let err = users::update(&mut c, a.id, user.id, Some(user.version), &patch, &actor).expect_err("stale");
        assert!(matches!(err, StoreError::StaleVersion { entity: "user", .. }), "{err:?}");
        let err = users::set_memberships(&mut c, a.id, user.id, Memberships::Numbers(&[]), Some(user.version), &actor).expect_err("stale");
        assert!(matches!(err, StoreError::StaleVersion { .. }));
        let now = users::get(&mut c, a.id, user.id).expect("user");
        assert_eq!((now.status, now.version), (UserStatus::Invited, u1.version));
    }

    fn every_change_writes_an_audit_row_and_a_rolled_back_change_writes_none(db) {
        let (a, owner) = db.account("audited");
        let mut c = db.conn();
        let actor = Actor::User(owner.id);
        let before = audit_count(&mut c);
        let ann = users::create(&mut c, a.id, &NewUser::invited("ann@audited.example", "Ann"), &actor).expect("user");
        assert_eq!(audit_count(&mut c), before + 1);
        let page = audit::list(&mut c, a.id, &AuditFilter { target_id: Some(ann.id.to_string()), ..Default::default() }, &PageRequest::first(10))
            .expect("audit");
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].action, "user.create");
        assert_eq!(page.items[0].actor, actor);
        // a duplicate email fails inside the transaction: neither the user nor its audit row remain
        let err = users::create(&mut c, a.id, &NewUser::invited("ANN@audited.example", "Ann twin"), &actor).expect_err("dup");
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        assert_eq!(audit_count(&mut c), before + 1);
        // a stale write neither changes the role nor logs anything
        let role = roles::create(&mut c, a.id, &RoleOrigin::Custom, &RoleDefinition::new("agent", "Agent"), &actor).expect("role");
        let n = audit_count(&mut c);
        roles::update(&mut c, a.id, role.id, role.version + 7, &role.definition, &actor).expect_err("stale");
        assert_eq!(audit_count(&mut c), n);
        roles::update(&mut c, a.id, role.id, role.version, &role.definition, &actor).expect("fresh");
        assert_eq!(audit_count(&mut c), n + 1);
    }

    fn a_failed_bulk_change_leaves_nothing_half_done(db) {
        let (a, owner) = db.account("bulk");
        let mut c = db.conn();
        let actor = Actor::User(owner.id);
        let agent = roles::create(&mut c, a.id, &RoleOrigin::Custom, &RoleDefinition::new("agent", "Agent"), &actor).expect("role");
        let manager = roles::create(&mut c, a.id, &RoleOrigin::Custom, &RoleDefinition::new("manager", "Manager"), &actor).expect("role");
        let mut team = Vec::new();
        for i in 0..3 {
            let u = users::create(&mut c, a.id, &NewUser::invited(format!("u{i}@bulk.example"), format!("U{i}")), &actor).expect("user");
            roles::assign(&mut c, a.id, u.id, agent.id, RoleMode::Single, &actor).expect("assign");
            team.push(u.id);
        }
        let audits = audit_count(&mut c);
        let mut with_stranger = team.clone();
        with_stranger.insert(2, UserId::new_random());
        let err = roles::bulk_change(&mut c, a.id, &with_stranger, BulkRoleChange::Replace(manager.id), RoleMode::Single, &actor)
            .expect_err("one unknown user fails the whole change");
        assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
        for u in &team {
            assert_eq!(users::access(&mut c, a.id, *u).expect("access").roles, vec![agent.id], "no user was changed");
        }
        assert_eq!(audit_count(&mut c), audits);
        let changed = roles::bulk_change(&mut c, a.id, &team, BulkRoleChange::Replace(manager.id), RoleMode::Single, &actor).expect("bulk");
        assert!(changed.iter().all(|acc| acc.roles == vec![manager.id]));
        assert_eq!(audit_count(&mut c), audits + 3);
        // a batch of history with one bad row stores none of it
        let good = |n: i32| NewCommunication {
            id: None,
            kind: CommunicationKind::Message,
            direction: Direction::Outbound,
            number: None,
            workgroup: None,
            ivr: None,
            participants: vec![owner.id],
            started_at: switchboard_store::now(),
            duration_seconds: n,
            has_recording: false,
        };
        let mut batch: Vec<_> = (0..700).map(good).collect();
        batch[650].participants.push(UserId::new_random());
        communications::ingest(&mut c, a.id, &batch, &actor).expect_err("unknown participant");
        let everything = switchboard_core::Visibility::Everything;
        let counts = switchboard_store::repo::reports::counts(&mut c, a.id, &everything, &Default::default()).expect("counts");
        assert_eq!(counts.total.count, 0);
        let n: i64 = role_assignments::table.count().get_result(&mut *c).expect("count");
        assert_eq!(n, 3);
    }
}

backend_tests! {
    fn of_concurrent_writers_with_the_same_version_exactly_one_wins(db) {
        let (a, owner) = db.account("race");
        let role = {
            let mut c = db.conn();
            roles::create(&mut c, a.id, &RoleOrigin::Custom, &RoleDefinition::new("agent", "Agent"), &Actor::System)
                .expect("role")
        };
        for round in 0..30 {
            let current = roles::get(&mut db.conn(), a.id, role.id).expect("role");
            let barrier = std::sync::Barrier::new(4);
            let results: Vec<_> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..4)
                    .map(|i| {
                        let (barrier, current) = (&barrier, &current);
                        s.spawn(move || {
                            let mut c = db.conn();
                            let mut d = current.definition.clone();
                            d.name = format!("writer {i} round {round}");
                            barrier.wait();
                            roles::update(&mut c, a.id, role.id, current.version, &d, &Actor::User(owner.id))
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().expect("writer thread")).collect()
            });
            let won = results.iter().filter(|r| r.is_ok()).count();
            assert_eq!(won, 1, "round {round}: {results:?}");
            for r in &results {
                if let Err(e) = r {
                    assert!(
                        matches!(e, StoreError::StaleVersion { .. }),
                        "a losing writer is refused, never applied: {e:?}"
                    );
                }
            }
            let after = roles::get(&mut db.conn(), a.id, role.id).expect("role");
            assert_eq!(after.version, current.version + 1);
        }
    }

    fn each_kind_of_mutation_writes_exactly_one_audit_event(db) {
        let (a, owner) = db.account("each");
        let mut c = db.conn();
        let actor = Actor::User(owner.id);
        let mut last = audit_count(&mut c);
        let mut step = |c: &mut switchboard_store::DbConn, what: &str| {
            let now = audit_count(c);
            assert_eq!(now, last + 1, "{what} writes one audit event");
            last = now;
        };
        let u = users::create(&mut c, a.id, &NewUser::invited("x@each.example", "X"), &actor).expect("user");
        step(&mut c, "user.create");
        users::update(&mut c, a.id, u.id, None, &UserPatch { name: Some("Y".into()), ..Default::default() }, &actor).expect("upd");
        step(&mut c, "user.update");
        let n = numbers::create_number(&mut c, a.id, &NumberInput { e164: "+15551234".into(), label: "L".into(), kind: NumberKind::TollFree }, &actor).expect("n");
        step(&mut c, "number.create");
        numbers::set_number_users(&mut c, a.id, n.id, &[u.id], &actor).expect("nu");
        step(&mut c, "number.set_users");
        let w = workgroups::create_workgroup(&mut c, a.id, "W", &[u.id], &actor).expect("w");
        step(&mut c, "workgroup.create");
        workgroups::rename_workgroup(&mut c, a.id, w.id, "W2", &actor).expect("rename");
        step(&mut c, "workgroup.update");
        let i = ivrs::create_ivr(&mut c, a.id, "I", &[n.id], &actor).expect("ivr");
        step(&mut c, "ivr.create");
        let r = roles::create(&mut c, a.id, &RoleOrigin::Custom, &RoleDefinition::new("r", "R"), &actor).expect("role");
        step(&mut c, "role.create");
        let r2 = roles::copy(&mut c, a.id, r.id, &RoleDefinition::new("r2", "R2"), &actor).expect("copy");
        step(&mut c, "role.copy");
        roles::assign(&mut c, a.id, u.id, r.id, RoleMode::Combinable, &actor).expect("assign");
        step(&mut c, "user.assign_role");
        roles::unassign(&mut c, a.id, u.id, r.id, &actor).expect("unassign");
        step(&mut c, "user.unassign_role");
        roles::delete(&mut c, a.id, r2.id, None, &actor).expect("delete role");
        step(&mut c, "role.delete");
        let k = switchboard_store::repo::api_keys::create(&mut c, a.id, u.id, &key("k", "sbk_each01", "h"), &actor).expect("key");
        step(&mut c, "api_key.create");
        switchboard_store::repo::api_keys::revoke(&mut c, a.id, switchboard_store::repo::api_keys::KeyPurpose::Api, k.id, &actor).expect("revoke");
        step(&mut c, "api_key.revoke");
        let msg = NewCommunication {
            id: None,
            kind: CommunicationKind::Voicemail,
            direction: Direction::Inbound,
            number: Some(n.id),
            workgroup: Some(w.id),
            ivr: Some(i.id),
            participants: vec![u.id],
            started_at: switchboard_store::now(),
            duration_seconds: 30,
            has_recording: true,
        };
        communications::ingest(&mut c, a.id, &[msg], &actor).expect("ingest");
        step(&mut c, "communications.ingest");
        // history keeps what it refers to
        let err = numbers::delete(&mut c, a.id, n.id, &actor).expect_err("number in history");
        assert!(matches!(err, StoreError::InUse { entity: "number", .. }), "{err:?}");
        let err = workgroups::delete(&mut c, a.id, w.id, &actor).expect_err("workgroup in history");
        assert!(matches!(err, StoreError::InUse { .. }), "{err:?}");
        let err = users::delete(&mut c, a.id, u.id, None, &actor).expect_err("participant in history");
        assert!(matches!(err, StoreError::InUse { .. }), "{err:?}");
        assert_eq!(audit_count(&mut c), last, "refused deletes leave no audit event");
        switchboard_store::repo::accounts::transfer_superadmin(&mut c, a.id, u.id, &actor).expect_err("invited user");
        assert_eq!(audit_count(&mut c), last);
    }
}

#[test]
fn every_pooled_sqlite_connection_enforces_foreign_keys_in_wal_mode() {
    use diesel::sql_types::{BigInt, Text};
    #[derive(QueryableByName)]
    struct Int {
        #[diesel(sql_type = BigInt)]
        v: i64,
    }
    #[derive(QueryableByName)]
    struct Str {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    #[derive(QueryableByName)]
    struct Pages {
        #[diesel(sql_type = BigInt)]
        wal_autocheckpoint: i64,
    }
    let db = crate::support::TestDb::sqlite();
    let checkpoint_at = |c: &mut switchboard_store::DbConn| {
        diesel::sql_query("PRAGMA wal_autocheckpoint").get_result::<Pages>(c).expect("checkpoint").wal_autocheckpoint
    };
    // the writer copies the log into the database seldom (the server's upkeep does it every second);
    // a reader that writes now and then (a sign-in) keeps SQLite's default
    let mut writer = db.store().write_conn().expect("writer");
    assert_eq!(checkpoint_at(&mut writer), i64::from(switchboard_store::db::WRITER_CHECKPOINT_PAGES));
    assert_eq!(checkpoint_at(&mut db.conn()), 1000);
    let held: Vec<_> = (0..4).map(|_| db.conn()).chain([writer]).collect();
    for mut c in held {
        let fk: Vec<Int> =
            diesel::sql_query("SELECT foreign_keys AS v FROM pragma_foreign_keys").load(&mut *c).expect("fk");
        assert_eq!(fk[0].v, 1);
        let busy: Vec<Int> =
            diesel::sql_query("SELECT timeout AS v FROM pragma_busy_timeout").load(&mut *c).expect("busy");
        assert!(busy[0].v >= 1000);
        let mode: Vec<Str> = diesel::sql_query("PRAGMA journal_mode").load(&mut *c).expect("mode");
        assert_eq!(mode[0].journal_mode, "wal");
        // a large report sorts in a file, not in the server's memory (1 = FILE)
        let temp: Vec<Int> =
            diesel::sql_query("SELECT temp_store AS v FROM pragma_temp_store").load(&mut *c).expect("temp");
        assert_eq!(temp[0].v, 1);
    }
}

#[test]
fn sqlite_changes_are_made_on_one_connection_that_keeps_its_cache_and_writers_take_turns_on_it() {
    use diesel::connection::SimpleConnection;
    let db = crate::support::TestDb::sqlite();
    let mut first = db.store().write_conn().expect("writer");
    // a temporary table lives as long as its connection: the next writer finds it, so it is the same one
    first.batch_execute("CREATE TEMP TABLE this_connection (x INTEGER)").expect("temp table");
    let store = db.store().clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let second = std::thread::spawn(move || {
        let mut c = store.write_conn().expect("the second writer's turn");
        tx.send(()).expect("report");
        c.batch_execute("INSERT INTO this_connection VALUES (1)").expect("the same connection")
    });
    assert!(rx.recv_timeout(std::time::Duration::from_millis(300)).is_err(), "the second writer waits for the first");
    drop(first);
    rx.recv_timeout(std::time::Duration::from_secs(5)).expect("then it takes its turn");
    second.join().expect("second writer");
    // readers are other connections: they never see the writer's temporary table
    assert!(db.conn().batch_execute("SELECT * FROM this_connection").is_err());
}

#[test]
fn the_url_picks_the_backend() {
    use switchboard_store::Backend;
    assert_eq!(Backend::from_url("postgres://u@h/db"), (Backend::Postgres, "postgres://u@h/db"));
    assert_eq!(Backend::from_url("postgresql://u@h/db").0, Backend::Postgres);
    assert_eq!(
        Backend::from_url("sqlite:///var/lib/switchboard/db.sqlite"),
        (Backend::Sqlite, "/var/lib/switchboard/db.sqlite")
    );
    assert_eq!(Backend::from_url("data/switchboard.db"), (Backend::Sqlite, "data/switchboard.db"));
    let err =
        switchboard_store::Store::open(":memory:").expect_err("each pooled connection would see its own database");
    assert!(matches!(err, StoreError::InvalidInput(_)), "{err:?}");
}

/// Rows holding `account` in every table of the schema that has an `account_id` column, found in the
/// database's own catalog (so a table added later is covered without being listed here).
fn rows_per_table(conn: &mut switchboard_store::DbConn, account: &str) -> std::collections::BTreeMap<String, i64> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let catalog = match conn.backend() {
        switchboard_store::db::Backend::Sqlite => {
            "SELECT m.name AS name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND c.name = 'account_id'"
        }
        switchboard_store::db::Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND column_name = 'account_id'"
        }
    };
    let tables: Vec<Name> =
        switchboard_store::per_backend!(conn, c => diesel::sql_query(catalog).load(c)).expect("tables");
    let mut out = std::collections::BTreeMap::new();
    for Name { name } in tables {
        let sql = format!("SELECT COUNT(*) AS n FROM {name} WHERE account_id = '{account}'");
        let counts: Vec<Count> =
            switchboard_store::per_backend!(conn, c => diesel::sql_query(&sql).load(c)).expect("count");
        out.insert(name, counts[0].n);
    }
    out
}

fn populate(db: &crate::support::TestDb, slug: &str) -> switchboard_store::repo::accounts::Account {
    let (account, owner) = db.account(slug);
    let (a, by) = (account.id, Actor::User(owner.id));
    let mut c = db.conn();
    let number = numbers::create_number(
        &mut c,
        a,
        &NumberInput { e164: "+15550009".into(), label: "Main".into(), kind: NumberKind::Local },
        &by,
    )
    .expect("number");
    users::set_memberships(&mut c, a, owner.id, Memberships::Numbers(&[number.id]), None, &by).expect("numbers");
    let wg = workgroups::create_workgroup(&mut c, a, "Sales", &[owner.id], &by).expect("wg");
    let ivr = ivrs::create_ivr(&mut c, a, "Menu", &[number.id], &by).expect("ivr");
    let dashboard = switchboard_core::DashboardAccess { workgroups: vec![wg.id], ivrs: vec![ivr.id] };
    users::set_dashboard_access(&mut c, a, owner.id, &dashboard, None, &by).expect("dashboard");
    let mut role = RoleDefinition::new("numbers_role", "Numbers");
    role.scope = ScopeKind::Numbers;
    role.scope_numbers = vec![number.id];
    let role = roles::create(&mut c, a, &RoleOrigin::Custom, &role, &by).expect("role");
    roles::set_user_roles(&mut c, a, owner.id, &[role.id], RoleMode::Single, None, &by).expect("assign");
    let call = NewCommunication {
        id: None,
        kind: CommunicationKind::Call,
        direction: Direction::Inbound,
        number: Some(number.id),
        workgroup: Some(wg.id),
        ivr: Some(ivr.id),
        participants: vec![owner.id],
        started_at: switchboard_store::now(),
        duration_seconds: 30,
        has_recording: true,
    };
    communications::ingest(&mut c, a, &[call], &by).expect("ingest");
    account
}

backend_tests! {
    // rule MC-2: "edit and delete the account"
    fn deleting_an_account_removes_every_record_of_it_and_nothing_of_another(db) {
        let doomed = populate(db, "doomed");
        let kept = populate(db, "kept");
        let mut c = db.conn();
        let before_kept = rows_per_table(&mut c, &kept.id.to_string());
        let before = rows_per_table(&mut c, &doomed.id.to_string());
        assert!(before.len() >= 18, "every tenant table is found: {before:?}");
        let deletion = switchboard_store::repo::account_deletion::delete(
            &mut c,
            doomed.id,
            &Actor::User(doomed.superadmin),
            "owner@doomed.example",
        )
        .expect("deleted");
        let after = rows_per_table(&mut c, &doomed.id.to_string());
        assert!(after.values().all(|n| *n == 0), "nothing of the account is left: {after:?}");
        assert_eq!(rows_per_table(&mut c, &kept.id.to_string()), before_kept, "the other account is untouched");
        assert_eq!(deletion.records["communications"], 1);
        assert_eq!(deletion.records["users"], 1);
        assert!(switchboard_store::repo::accounts::get(&mut c, doomed.id).is_err());
        // What is left: the deletion's own record, outside every tenant.
        let listed = switchboard_store::repo::account_deletion::deletions(&mut c, &PageRequest::first(10)).expect("list");
        assert_eq!(listed.items, vec![deletion]);
        // The slug is free again.
        drop(c);
        db.account("doomed");
    }
}

backend_tests! {
    // A call center's "everyone" group: more members than one statement's bound parameters allow.
    fn a_workgroup_of_twelve_thousand_people_is_written_read_and_replaced_whole(db) {
        use switchboard_store::schema::users as users_t;
        let (account, _) = db.account("everyone");
        let mut c = db.conn();
        let now = chrono::Utc::now().naive_utc();
        let people: Vec<UserId> = (0..12_000).map(|_| UserId(uuid::Uuid::new_v4())).collect();
        c.transaction::<_, diesel::result::Error, _>(|c| {
            for (i, person) in people.iter().enumerate() {
                diesel::insert_into(users_t::table)
                    .values((
                        users_t::account_id.eq(account.id),
                        users_t::id.eq(person),
                        users_t::email.eq(format!("p{i}@everyone.example")),
                        users_t::name.eq(format!("Person {i}")),
                        users_t::status.eq("active"),
                        users_t::version.eq(1i64),
                        users_t::created_at.eq(now),
                        users_t::updated_at.eq(now),
                    ))
                    .execute(c)?;
            }
            Ok(())
        })
        .expect("people");
        let group = workgroups::create_workgroup(&mut c, account.id, "Everyone", &people, &Actor::System).expect("created");
        assert_eq!(workgroups::get(&mut c, account.id, group.id).expect("read").members.len(), 12_000);
        let replaced = workgroups::set_workgroup_members(&mut c, account.id, group.id, &people[1_000..], &Actor::System)
            .expect("replaced");
        assert_eq!(replaced.members.len(), 11_000);
        let rows: i64 = workgroup_members::table
            .filter(workgroup_members::workgroup_id.eq(group.id))
            .count()
            .get_result(&mut c)
            .expect("count");
        assert_eq!(rows, 11_000);
    }
}
