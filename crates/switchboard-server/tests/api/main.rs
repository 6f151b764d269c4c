//! The server's API tests: each test starts the real server in this process, on a free port with its
//! own data directory and the real preset plugins (`switchboard_testkit::app::TestApp`), and talks
//! HTTP to it. What needs a process of its own is in the end-to-end tests (`tests/e2e`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

/// One test per backend from a test taking a `Builder`: `<name>::sqlite` and `<name>::postgres`
/// (the latter runs whenever a PostgreSQL URL is configured, as in `.ci/run`).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(switchboard_testkit::app::TestApp::new());
            }

            #[test]
            #[cfg_attr(not(pg_tests), ignore = "set SWITCHBOARD_TEST_DATABASE_URL to run against PostgreSQL")]
            fn postgres() {
                let database = switchboard_testkit::postgres::Database::create();
                super::$name(switchboard_testkit::app::TestApp::new().database_url(&database.url));
            }
        }
    )*};
}

mod account;
mod audit_export;
mod console;
mod credentials;
mod escalation;
mod events;
mod group_mappings;
mod groups_claim;
mod history;
mod isolation;
mod kinds;
mod lookups;
mod mightycall;
mod openapi;
mod ops;
mod reach;
mod reports;
mod reviews;
mod role_editor;
mod scim;
mod stories;
mod time_bound;
mod two_factor;
mod upgrades;
