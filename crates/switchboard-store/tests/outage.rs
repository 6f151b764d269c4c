//! PostgreSQL ending a connection (a fast shutdown or restart, an administrator, an idle timeout)
//! is an outage, whatever the moment it catches: the store reports it unavailable (503 and
//! Retry-After to a client), never as a database error (500).

use diesel::prelude::*;
use switchboard_store::repo::workgroups;
use switchboard_store::{Actor, StoreError};

use crate::support::TestDb;

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

fn assert_unavailable(e: &StoreError, when: &str) {
    assert!(matches!(e, StoreError::Unavailable(_)), "{when}: {e:?}");
}

fn backend(c: &mut switchboard_store::DbConn) -> i32 {
    diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result::<Pid>(c).unwrap().pid
}

/// Ends a backend from another connection, as a shutdown does, and waits until it is gone.
fn terminate(db: &TestDb, pid: i32) {
    diesel::sql_query(format!("SELECT pg_terminate_backend({pid})")).execute(&mut *db.conn()).unwrap();
    let alive = format!("SELECT pid FROM pg_stat_activity WHERE pid = {pid}");
    while !diesel::sql_query(&alive).load::<Pid>(&mut *db.conn()).unwrap().is_empty() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
#[cfg_attr(not(pg_tests), ignore = "set SWITCHBOARD_TEST_DATABASE_URL to run against PostgreSQL")]
fn a_connection_postgresql_ends_is_reported_unavailable_at_any_moment() {
    let db = TestDb::postgres();
    let (account, owner) = db.account("acme");
    let by = Actor::User(owner.id);

    // Ended between two statements of one transaction (a shutdown while a write is in flight).
    let mut c = db.conn();
    let e = c
        .transaction(|c| -> Result<(), StoreError> {
            diesel::sql_query("SELECT pg_terminate_backend(pg_backend_pid())").execute(c)?;
            Ok(())
        })
        .unwrap_err();
    assert_unavailable(&e, "ended inside a transaction");
    drop(c);

    // Ended after the last statement, before COMMIT: the commit fails, and nothing is written.
    let mut c = db.conn();
    let e = c
        .transaction(|c| -> Result<(), StoreError> {
            diesel::sql_query("CREATE TABLE never_committed (x integer)").execute(c)?;
            terminate(&db, backend(c));
            Ok(())
        })
        .unwrap_err();
    assert_unavailable(&e, "ended before COMMIT");
    drop(c);
    let tables = diesel::sql_query("SELECT 0 AS pid FROM pg_tables WHERE tablename = 'never_committed'");
    assert!(tables.load::<Pid>(&mut *db.conn()).unwrap().is_empty(), "the uncommitted table exists");

    // Ended while idle in the caller's hands, after the pool handed it out: the next write fails.
    let mut c = db.conn();
    terminate(&db, backend(&mut c));
    let e = workgroups::create_workgroup(&mut c, account.id, "Sales", &[owner.id], &by).unwrap_err();
    assert_unavailable(&e, "ended while idle");
    drop(c);

    // The pool drops the broken connections and the store serves on with new ones.
    let mut c = db.conn();
    workgroups::create_workgroup(&mut c, account.id, "Sales", &[owner.id], &by).expect("a write after the outage");
}
