//! The plans SQLite chooses. It keeps no statistics unless asked, so it picks an index by its shape
//! alone: a read that names the account and one more column must find an index on both, or it reads
//! every row of the account.

use crate::support::TestDb;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
    /// Its place in the primary key (1-based), 0 when not part of it.
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct Step {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    seq: i32,
    #[diesel(sql_type = Text)]
    from: String,
}

fn tables(c: &mut switchboard_store::DbConn) -> Vec<String> {
    let sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
               AND name NOT LIKE '__diesel%' ORDER BY name";
    diesel::sql_query(sql).load::<Named>(c).expect("tables").into_iter().map(|t| t.name).collect()
}

/// The columns of each index of `table`, the primary key included, in index order.
fn indexes(c: &mut switchboard_store::DbConn, table: &str) -> Vec<Vec<String>> {
    let names: Vec<Named> =
        diesel::sql_query(format!("SELECT name FROM pragma_index_list('{table}')")).load(c).expect("indexes");
    let mut out: Vec<Vec<String>> = names
        .iter()
        .map(|index| {
            let sql = format!("SELECT name FROM pragma_index_info('{}') ORDER BY seqno", index.name);
            diesel::sql_query(sql).load::<Named>(c).expect("index columns").into_iter().map(|n| n.name).collect()
        })
        .collect();
    let mut key: Vec<Column> =
        diesel::sql_query(format!("SELECT name, pk FROM pragma_table_info('{table}') WHERE pk > 0"))
            .load(c)
            .expect("primary key");
    key.sort_by_key(|k| k.pk);
    out.push(key.into_iter().map(|k| k.name).collect());
    out
}

#[test]
fn a_link_between_two_records_is_read_from_either_end_through_an_index_on_both_the_account_and_that_end() {
    let db = TestDb::sqlite();
    let mut c = db.conn();
    let mut checked = Vec::new();
    for table in tables(&mut c) {
        // a link: a table whose primary key names two records besides the account
        let key: Vec<Column> =
            diesel::sql_query(format!("SELECT name, pk FROM pragma_table_info('{table}') WHERE pk > 0"))
                .load(&mut c)
                .expect("primary key");
        let ends: Vec<String> =
            key.into_iter().map(|k| k.name).filter(|n| n.ends_with("_id") && n != "account_id").collect();
        if ends.len() != 2 {
            continue;
        }
        for (end, other) in [(&ends[0], &ends[1]), (&ends[1], &ends[0])] {
            let mut reads = vec![
                format!("SELECT {other} FROM {table} WHERE account_id = 'a' AND {end} = 'b'"),
                format!("SELECT {other} FROM {table} WHERE account_id = 'a' AND {end} IN ('b', 'c')"),
                format!("DELETE FROM {table} WHERE account_id = 'a' AND {end} = 'b'"),
            ];
            // a person's communications are read in time order (the scoped-history tests check those plans)
            if table != "communication_participants" {
                reads.push(format!(
                    "SELECT {other} FROM {table} WHERE account_id = 'a' AND {end} = 'b' ORDER BY {other}"
                ));
            }
            for read in reads {
                let sql = format!("EXPLAIN QUERY PLAN {read}");
                let plan: Vec<Step> = diesel::sql_query(&sql).load(&mut c).expect("plan");
                let details: Vec<&str> = plan.iter().map(|s| s.detail.as_str()).collect();
                assert!(
                    details.iter().any(|d| d.starts_with("SEARCH") && d.contains(&format!("{end}=?"))),
                    "`{read}` does not search by {end}: {details:?}"
                );
            }
            checked.push(format!("{table}.{end}"));
        }
    }
    // role assignments, workgroup members, number users, role scope numbers, dashboard workgroups and IVRs
    assert!(checked.len() >= 12, "too few links found: {checked:?}");
}

#[test]
fn every_foreign_key_is_found_from_the_referencing_side_through_an_index() {
    // Deleting a record makes SQLite look for the rows that reference it: without an index led by the
    // foreign key's columns (past the account), that is a read of the account's rows, or of the table.
    let db = TestDb::sqlite();
    let mut c = db.conn();
    let mut checked = 0;
    for table in tables(&mut c) {
        let indexes = indexes(&mut c, &table);
        let keys: Vec<ForeignKey> =
            diesel::sql_query(format!("SELECT id, seq, \"from\" FROM pragma_foreign_key_list('{table}')"))
                .load(&mut c)
                .expect("foreign keys");
        let mut by_key: std::collections::BTreeMap<i32, Vec<(i32, String)>> = Default::default();
        for k in keys {
            by_key.entry(k.id).or_default().push((k.seq, k.from));
        }
        for columns in by_key.into_values() {
            let columns: Vec<String> = columns.into_iter().map(|(_, c)| c).collect();
            let found = indexes.iter().any(|index| {
                let lead: Vec<&String> = index.iter().take_while(|c| columns.contains(c)).collect();
                !lead.is_empty() && (columns.len() == 1 || lead.iter().any(|c| *c != "account_id"))
            });
            assert!(found, "{table} ({}) has no index led by those columns", columns.join(", "));
            checked += 1;
        }
    }
    assert!(checked >= 30, "too few foreign keys found: {checked}");
}

/// The plan of `read` as text, one step a line.
fn plan_of(c: &mut switchboard_store::DbConn, read: &str) -> String {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }
    match c {
        switchboard_store::DbConn::Sqlite(lite) => {
            let plan: Vec<Step> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {read}")).load(lite).expect("plan");
            plan.into_iter().map(|s| s.detail).collect::<Vec<_>>().join("\n")
        }
        switchboard_store::DbConn::Postgresql(pg) => {
            // on a table of a few rows the planner would rather read it all
            diesel::connection::SimpleConnection::batch_execute(pg, "SET enable_seqscan = off").expect("set");
            let plan: Vec<Line> = diesel::sql_query(format!("EXPLAIN {read}")).load(pg).expect("plan");
            plan.into_iter().map(|l| l.line).collect::<Vec<_>>().join("\n")
        }
    }
}

/// The history of a number's, a workgroup's or an IVR's communications reads that column's index,
/// which leaves out the records without one (migration 2026-12-09-000001): `column = …` and
/// `column IN (…)` both imply the column is set.
fn column_histories_read_their_partial_indexes(db: &TestDb) {
    let mut c = db.conn();
    // PostgreSQL prices plans: over an empty table it would walk the time index for the order instead
    let order = match &*c {
        switchboard_store::DbConn::Sqlite(_) => " ORDER BY c.started_at DESC, c.id DESC LIMIT 51",
        switchboard_store::DbConn::Postgresql(_) => "",
    };
    for (column, index) in [
        ("number_id", "communications_number"),
        ("workgroup_id", "communications_workgroup"),
        ("ivr_id", "communications_ivr"),
    ] {
        for values in ["= 'b'", "IN ('b', 'c')"] {
            let read = format!(
                "SELECT c.started_at, c.id FROM communications c WHERE c.account_id = 'a' AND c.{column} {values} \
                 AND c.kind IN ('call', 'voicemail'){order}"
            );
            let plan = plan_of(&mut c, &read);
            assert!(plan.contains(index), "`{read}` does not read {index}:\n{plan}");
        }
    }
}

#[test]
fn a_history_by_number_workgroup_or_ivr_reads_an_index_without_the_records_that_have_none_on_sqlite() {
    column_histories_read_their_partial_indexes(&TestDb::sqlite());
}

#[test]
#[cfg_attr(not(pg_tests), ignore = "set SWITCHBOARD_TEST_DATABASE_URL to run against PostgreSQL")]
fn a_history_by_number_workgroup_or_ivr_reads_an_index_without_the_records_that_have_none_on_postgresql() {
    column_histories_read_their_partial_indexes(&TestDb::postgres());
}
