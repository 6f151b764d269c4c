//! A throwaway PostgreSQL database, created on the server `SWITCHBOARD_TEST_DATABASE_URL` names and
//! dropped (with its connections) when the test is done.

use diesel::{Connection, PgConnection, RunQueryDsl, connection::SimpleConnection};

#[derive(Debug)]
pub struct Database {
    admin: String,
    name: String,
    pub url: String,
}

impl Database {
    pub fn create() -> Database {
        let admin = std::env::var("SWITCHBOARD_TEST_DATABASE_URL").unwrap_or_default();
        assert!(!admin.is_empty(), "SWITCHBOARD_REQUIRE_POSTGRES=1 but SWITCHBOARD_TEST_DATABASE_URL is not set");
        let name = format!("switchboard_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(&admin).unwrap_or_else(|e| panic!("PostgreSQL is unreachable: {e}"));
        conn.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let (base, query) =
            admin.split_once('?').map_or((admin.as_str(), String::new()), |(b, q)| (b, format!("?{q}")));
        let host_end = base.rfind('/').filter(|i| *i > base.find("://").map_or(0, |s| s + 2)).unwrap_or(base.len());
        let url = format!("{}/{name}{query}", &base[..host_end]);
        Database { admin, name, url }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut conn);
        }
    }
}
