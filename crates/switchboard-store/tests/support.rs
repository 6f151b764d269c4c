//! One storage test-suite for both backends: `backend_tests!` turns each test body into a SQLite test
//! and a PostgreSQL test. PostgreSQL tests need `SWITCHBOARD_TEST_DATABASE_URL` (each test creates and
//! drops its own database); without it they are reported as ignored, with the reason.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use switchboard_core::UserStatus;
use switchboard_store::repo::accounts::{self, Account, NewAccount};
use switchboard_store::repo::users::{NewUser, User};
use switchboard_store::{Actor, Store, StoreConfig};

/// An inbound call of `person` at `at` that names no number, workgroup or IVR.
pub fn call(
    person: switchboard_core::UserId,
    at: chrono::DateTime<chrono::Utc>,
    duration_seconds: i32,
) -> switchboard_store::repo::communications::NewCommunication {
    use switchboard_store::repo::communications::{CommunicationKind, Direction, NewCommunication};
    NewCommunication {
        id: None,
        kind: CommunicationKind::Call,
        direction: Direction::Inbound,
        number: None,
        workgroup: None,
        ivr: None,
        participants: vec![person],
        started_at: at,
        duration_seconds,
        has_recording: false,
    }
}

pub struct TestDb {
    store: Option<Store>,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("switchboard.db");
        let mut config = StoreConfig::new(path.to_string_lossy().to_string());
        config.pool_size = 6;
        let store = Store::open_with(&config).expect("open sqlite store");
        TestDb { store: Some(store), _dir: Some(dir), pg: None }
    }

    pub fn postgres() -> TestDb {
        let admin = std::env::var("SWITCHBOARD_TEST_DATABASE_URL").unwrap_or_default();
        assert!(
            !admin.is_empty(),
            "SWITCHBOARD_REQUIRE_POSTGRES=1 but SWITCHBOARD_TEST_DATABASE_URL is not set: PostgreSQL tests cannot run"
        );
        let name = format!("switchboard_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(&admin)
            .unwrap_or_else(|e| panic!("PostgreSQL at SWITCHBOARD_TEST_DATABASE_URL is unreachable: {e}"));
        conn.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
        let url = with_database(&admin, &name);
        let mut config = StoreConfig::new(url);
        config.pool_size = 6;
        let store = Store::open_with(&config).expect("open postgres store");
        TestDb { store: Some(store), _dir: None, pg: Some((admin, name)) }
    }

    pub fn store(&self) -> &Store {
        self.store.as_ref().expect("store is open")
    }

    pub fn conn(&self) -> switchboard_store::PooledConn {
        self.store().conn().expect("connection")
    }

    /// A fresh account with an active superadmin.
    pub fn account(&self, slug: &str) -> (Account, User) {
        let mut c = self.conn();
        accounts::create(
            &mut c,
            &NewAccount {
                slug: slug.into(),
                name: format!("Account {slug}"),
                preset_pack: "mightycall".into(),
                preset_version: "0.1.0".into(),
                owner: NewUser {
                    email: format!("owner@{slug}.example"),
                    name: "Owner".into(),
                    status: UserStatus::Active,
                    password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
                },
            },
            &Actor::Operator,
        )
        .expect("create account")
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    format!("{}/{}{}", &base[..host_end], name, query)
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            // close the pool's connections first
            drop(self.store.take());
            if let Ok(mut conn) = PgConnection::establish(&admin) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// Writes each test once and runs it on both backends.
macro_rules! backend_tests {
    ($($(#[$meta:meta])* fn $name:ident($db:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($db: &$crate::support::TestDb) $body

            $(#[$meta])*
            #[test]
            fn sqlite() {
                run(&$crate::support::TestDb::sqlite());
            }

            $(#[$meta])*
            #[test]
            #[cfg_attr(not(pg_tests), ignore = "set SWITCHBOARD_TEST_DATABASE_URL to run against PostgreSQL")]
            fn postgres() {
                run(&$crate::support::TestDb::postgres());
            }
        }
    )*};
}
pub(crate) use backend_tests;

/// A key to store, with no expiry and no limit.
pub fn key<'a>(name: &'a str, prefix: &'a str, hash: &'a str) -> switchboard_store::repo::api_keys::NewApiKey<'a> {
    switchboard_store::repo::api_keys::NewApiKey {
        name,
        prefix,
        secret_hash: hash,
        expires_at: None,
        grants: None,
        purpose: switchboard_store::repo::api_keys::KeyPurpose::Api,
    }
}

/// Runs `check` for `cases` random seeds (proptest shrinks a failing one), each with its own case
/// number for naming its account.
pub fn each_seed(
    cases: u32,
    what: &str,
    check: impl Fn(usize, u64) -> Result<(), proptest::test_runner::TestCaseError>,
) {
    use proptest::prelude::any;
    let config = proptest::test_runner::Config { cases, failure_persistence: None, ..Default::default() };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let case = std::cell::Cell::new(0usize);
    runner
        .run(&any::<u64>(), |seed| {
            case.set(case.get() + 1);
            check(case.get(), seed)
        })
        .unwrap_or_else(|e| panic!("{what}: {e}"));
}

/// A report's rows, (key, kind) → (count, with recording, seconds).
pub type PlainReport = std::collections::BTreeMap<
    (Option<String>, switchboard_store::repo::communications::CommunicationKind),
    (i64, i64, i64),
>;

/// A report counted one record at a time, by its dimension.
pub fn plain_report(
    visible: &[&switchboard_store::repo::communications::Communication],
    dimension: switchboard_store::repo::reports::Dimension,
) -> PlainReport {
    use switchboard_store::repo::reports::Dimension;
    let mut want = PlainReport::new();
    for x in visible {
        let keys: Vec<Option<String>> = match dimension {
            Dimension::Kind => vec![Some(x.kind.as_str().to_owned())],
            Dimension::Day => vec![Some(x.started_at.format("%Y-%m-%d").to_string())],
            Dimension::Number => vec![x.number.map(|n| n.to_string())],
            Dimension::Workgroup => vec![x.workgroup.map(|w| w.to_string())],
            Dimension::Ivr => vec![x.ivr.map(|i| i.to_string())],
            Dimension::User if x.participants.is_empty() => vec![None],
            Dimension::User => x.participants.iter().map(|u| Some(u.to_string())).collect(),
        };
        for key in keys {
            let e = want.entry((key, x.kind)).or_default();
            e.0 += 1;
            e.1 += i64::from(x.has_recording);
            e.2 += i64::from(x.duration_seconds);
        }
    }
    want
}

/// The store's report as a [`PlainReport`].
pub fn stored_report(rows: Vec<switchboard_store::repo::reports::ReportRow>) -> PlainReport {
    rows.into_iter().map(|r| ((r.key, r.kind), (r.count, r.with_recording, r.total_duration_seconds))).collect()
}

/// Whether a record passes a filter, spelled out field by field.
pub fn passes(
    filter: &switchboard_store::repo::communications::CommunicationFilter,
    x: &switchboard_store::repo::communications::Communication,
) -> bool {
    filter.kind.is_none_or(|k| k == x.kind)
        && filter.number.is_none_or(|n| x.number == Some(n))
        && filter.workgroup.is_none_or(|w| x.workgroup == Some(w))
        && filter.ivr.is_none_or(|i| x.ivr == Some(i))
        && filter.user.is_none_or(|u| x.participants.contains(&u))
        && filter.from.is_none_or(|t| x.started_at >= t)
        && filter.until.is_none_or(|t| x.started_at < t)
}

/// Every communication of the account, newest first, page after page.
pub fn every_record(
    c: &mut switchboard_store::DbConn,
    account: switchboard_core::AccountId,
) -> Vec<switchboard_store::repo::communications::Communication> {
    use switchboard_store::PageRequest;
    let (mut all, mut page) = (Vec::new(), PageRequest::first(500));
    loop {
        let p = switchboard_store::repo::communications::list(
            c,
            account,
            &switchboard_core::Visibility::Everything,
            &Default::default(),
            &page,
        )
        .expect("a page of records");
        all.extend(p.items);
        match p.next_cursor {
            Some(next) => page = PageRequest::after(500, next),
            None => return all,
        }
    }
}

/// Business numbers, workgroups and IVRs of an account to file records under, named after `tag`.
pub fn references(
    c: &mut switchboard_store::DbConn,
    account: switchboard_core::AccountId,
    tag: u8,
    (numbers, workgroups, ivrs): (u8, u8, u8),
) -> (Vec<switchboard_core::NumberId>, Vec<switchboard_core::WorkgroupId>, Vec<switchboard_core::IvrId>) {
    use switchboard_store::repo::numbers::{NumberInput, NumberKind};
    let actor = Actor::System;
    let numbers = (0..numbers)
        .map(|i| {
            let input =
                NumberInput { e164: format!("+1555{tag:03}{i:02}"), label: format!("N{i}"), kind: NumberKind::Local };
            switchboard_store::repo::numbers::create_number(c, account, &input, &actor).expect("number").id
        })
        .collect();
    let workgroups = (0..workgroups)
        .map(|i| {
            switchboard_store::repo::workgroups::create_workgroup(c, account, &format!("W{i}"), &[], &actor)
                .expect("workgroup")
                .id
        })
        .collect();
    let ivrs = (0..ivrs)
        .map(|i| switchboard_store::repo::ivrs::create_ivr(c, account, &format!("I{i}"), &[], &actor).expect("ivr").id)
        .collect();
    (numbers, workgroups, ivrs)
}
