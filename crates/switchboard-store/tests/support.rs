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
