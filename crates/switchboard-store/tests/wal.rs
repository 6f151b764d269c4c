//! SQLite's write-ahead log stays small under load: SQLite starts it again only when no reader is on
//! it, which under steady concurrent load is never, so the store has it start again on request.

use crate::support::{TestDb, call};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use switchboard_store::repo::workgroups;
use switchboard_store::{Actor, DbConn, StoreError};

#[derive(QueryableByName)]
struct Checkpoint {
    #[diesel(sql_type = BigInt)]
    log: i64,
}

fn pages_in_log(c: &mut DbConn) -> i64 {
    diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result::<Checkpoint>(c).expect("checkpoint").log
}

#[test]
fn a_write_ahead_log_that_readers_kept_growing_starts_again_from_the_beginning() {
    let db = TestDb::sqlite();
    let (account, _) = db.account("busy");
    let (mut writer, mut reader) = (db.conn(), db.conn());
    // a reader stays on the log while the writer goes on: no checkpoint may restart it
    reader.batch_execute("BEGIN; SELECT COUNT(*) FROM accounts;").expect("read");
    for i in 0..200 {
        workgroups::create_workgroup(&mut writer, account.id, &format!("Team {i}"), &[], &Actor::System)
            .expect("write");
    }
    let grown = pages_in_log(&mut writer);
    assert!(grown > 100, "the log should have grown past the reader: {grown} pages");
    reader.batch_execute("COMMIT;").expect("end the read");
    drop(reader);

    assert_eq!(db.store().keep_wal_under(1_000_000).expect("a large bound"), grown, "under the bound, nothing to do");
    assert_eq!(pages_in_log(&mut writer), grown, "a log under the bound is left as it is");
    assert_eq!(db.store().keep_wal_under(10).expect("restart"), grown);
    workgroups::create_workgroup(&mut writer, account.id, "After", &[], &Actor::System).expect("write");
    let after = pages_in_log(&mut writer);
    assert!(after < 20, "the next write starts the log from the beginning: {after} pages (was {grown})");
}

#[test]
fn a_restart_gives_up_while_a_reader_stays_on_the_log_and_writes_go_on() {
    let db = TestDb::sqlite();
    let (account, _) = db.account("report");
    let (mut writer, mut reader) = (db.conn(), db.conn());
    reader.batch_execute("BEGIN; SELECT COUNT(*) FROM accounts;").expect("a long report");
    for i in 0..50 {
        workgroups::create_workgroup(&mut writer, account.id, &format!("Team {i}"), &[], &Actor::System)
            .expect("write");
    }
    let refused = db.store().keep_wal_under(10);
    assert!(matches!(refused, Err(StoreError::Unavailable(_))), "{refused:?}");
    workgroups::create_workgroup(&mut writer, account.id, "Meanwhile", &[], &Actor::System)
        .expect("writers are not held back once the restart gave up");
    reader.batch_execute("COMMIT;").expect("the report ends");
    assert!(db.store().keep_wal_under(10).is_ok(), "with the reader gone, the restart happens");
}

#[test]
#[cfg_attr(not(pg_tests), ignore = "set SWITCHBOARD_TEST_DATABASE_URL to run against PostgreSQL")]
fn on_postgresql_there_is_no_write_ahead_log_to_keep() {
    let db = TestDb::postgres();
    assert_eq!(db.store().keep_wal_under(0).expect("nothing to do"), 0);
}

#[test]
fn a_full_sqlite_database_refuses_writes_as_full_keeps_what_it_has_and_writes_again_once_there_is_room() {
    #[derive(QueryableByName)]
    struct Pages {
        #[diesel(sql_type = BigInt)]
        page_count: i64,
    }
    let db = TestDb::sqlite();
    let (account, _) = db.account("full");
    let mut c = db.conn();
    // as a full disk does: SQLite may not grow the file past the pages it has now
    let pages = diesel::sql_query("PRAGMA page_count").get_result::<Pages>(&mut c).expect("pages").page_count;
    c.batch_execute(&format!("PRAGMA max_page_count = {pages}")).expect("cap");
    let mut stored = 0;
    let refused = loop {
        match workgroups::create_workgroup(&mut c, account.id, &format!("Team {stored}"), &[], &Actor::System) {
            Ok(_) => stored += 1,
            Err(e) => break e,
        }
        assert!(stored < 10_000, "the capped file never filled");
    };
    assert!(matches!(refused, StoreError::Full(_)), "a full database is reported full: {refused:?}");
    let kept = workgroups::list(&mut c, account.id, &switchboard_store::PageRequest::first(500))
        .expect("reads go on while the disk is full");
    assert_eq!(kept.items.len(), stored, "the refused write left every earlier one in place, and nothing of its own");

    c.batch_execute(&format!("PRAGMA max_page_count = {}", pages * 4)).expect("room again");
    workgroups::create_workgroup(&mut c, account.id, "After", &[], &Actor::System).expect("writes again");
}

/// An account's deletion is made inside the change's own transaction (`accounts::change`), so the
/// store's transaction is a savepoint there, which journals every page it changes. With statement
/// journals held in memory up to 8 MiB (`SQLITE_CONFIG_STMTJRNL_SPILL`), SQLite answered such a large
/// savepoint "database or disk is full" on a disk with room: a large account could not be deleted.
#[test]
fn a_large_change_inside_another_transaction_is_not_refused_as_a_full_disk() {
    use switchboard_store::repo::account_deletion;
    use switchboard_store::repo::accounts;
    use switchboard_store::repo::communications;
    let db = TestDb::sqlite();
    let (account, owner) = db.account("large");
    let mut c = db.store().write_conn().expect("writer");
    let start = chrono::Utc::now() - chrono::Duration::days(30);
    for batch in 0..60 {
        let items: Vec<_> =
            (0..1000).map(|i| call(owner.id, start + chrono::Duration::seconds(batch * 1000 + i), 5)).collect();
        communications::ingest_bulk(&mut c, account.id, &items, &Actor::System).expect("seeded");
    }
    let deleted = accounts::change(&mut c, account.id, |conn, _| {
        account_deletion::delete(conn, account.id, &Actor::System, "owner@large.example")
    });
    let deleted = deleted.expect("a large account is deleted, not refused as a full disk");
    assert_eq!(deleted.records.get("communications").copied(), Some(60_000));
}
