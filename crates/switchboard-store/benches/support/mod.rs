//! What the store's benchmarks share: sizes from the environment, a fresh store on each backend, and an
//! account with people, workgroups, numbers and IVRs.
//!
//! Each benchmark uses part of it.
#![allow(dead_code)]

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;
use switchboard_core::{AccountId, IvrId, NumberId, UserId, UserStatus, WorkgroupId};
use switchboard_store::repo::accounts::{self, NewAccount};
use switchboard_store::repo::numbers::{NumberInput, NumberKind};
use switchboard_store::repo::users::NewUser;
use switchboard_store::repo::{ivrs, numbers, workgroups};
use switchboard_store::schema::{users, workgroup_members};
use switchboard_store::{Actor, DbConn, Store, StoreConfig};

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One backend's store for a benchmark.
pub struct Bench<'a> {
    /// "SQLite" or "PostgreSQL".
    pub backend: &'static str,
    pub store: &'a Store,
    /// Where a kept data set's seed is written once seeded (`None`: the data set is not kept).
    sidecar: Option<PathBuf>,
}

impl Bench<'_> {
    /// The data set: what `seed` returns, or, when this data set was kept from an earlier run that
    /// finished seeding it, what that run's `seed` returned.
    pub fn seeded<T: Serialize + DeserializeOwned>(&self, seed: impl FnOnce() -> T) -> T {
        if let Some(kept) = self.sidecar.as_ref().and_then(|p| std::fs::read_to_string(p).ok())
            && let Ok(value) = serde_json::from_str(&kept)
        {
            eprintln!("{}: reusing the data set seeded by an earlier run", self.backend);
            return value;
        }
        let value = seed();
        if let Some(path) = &self.sidecar {
            std::fs::write(path, serde_json::to_string(&value).unwrap()).unwrap();
        }
        value
    }
}

/// Runs `bench` on a store in an SQLite file (unless SWITCHBOARD_BENCH_SKIP_SQLITE=1) and, when
/// SWITCHBOARD_BENCH_DATABASE_URL names a PostgreSQL server, on a database of its own there. With a name
/// in `keep`, the data set is kept for the next run with that name (target/bench-store/NAME.db, and the
/// database `switchboard_bench_NAME`); without, it is temporary and the server is left as it was.
pub fn each_backend(keep: Option<&str>, mut bench: impl FnMut(Bench<'_>)) {
    let kept_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-store");
    let sidecar = |backend: &str| keep.map(|name| kept_dir.join(format!("{name}.{backend}.json")));
    if keep.is_some() {
        // before any backend: a PostgreSQL data set's note is written here too, with SQLite skipped
        std::fs::create_dir_all(&kept_dir).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    if std::env::var("SWITCHBOARD_BENCH_SKIP_SQLITE").is_ok_and(|v| v == "1") {
        eprintln!("SQLite bench skipped (SWITCHBOARD_BENCH_SKIP_SQLITE=1)");
    } else {
        let (path, sidecar) = match keep {
            Some(name) => {
                let sidecar = sidecar("sqlite");
                if !sidecar.as_ref().is_some_and(|p| p.exists()) {
                    // a data set whose seeding did not finish is seeded again
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(kept_dir.join(format!("{name}.db{suffix}")));
                    }
                }
                (kept_dir.join(format!("{name}.db")), sidecar)
            }
            None => (dir.path().join("bench.db"), None),
        };
        let store = Store::open_with(&StoreConfig::new(path.to_string_lossy().to_string())).unwrap();
        bench(Bench { backend: "SQLite", store: &store, sidecar });
    }
    match std::env::var("SWITCHBOARD_BENCH_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            let name = match keep {
                Some(name) => format!("switchboard_bench_{name}"),
                None => format!("switchboard_bench_{}", uuid::Uuid::new_v4().simple()),
            };
            let mut conn = diesel::pg::PgConnection::establish(&admin).unwrap();
            let sidecar = sidecar("postgres");
            let exists =
                diesel::dsl::select(diesel::dsl::exists(pg_database::table.filter(pg_database::datname.eq(&name))))
                    .get_result::<bool>(&mut conn)
                    .unwrap();
            let reusable = exists && sidecar.as_ref().is_some_and(|p| p.exists());
            if !reusable {
                conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).unwrap();
                conn.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
                if let Some(p) = &sidecar {
                    let _ = std::fs::remove_file(p);
                }
            }
            let (base, query) = admin.split_once('?').map_or((admin.as_str(), ""), |(b, q)| (b, q));
            let scheme_end = base.find("://").map_or(0, |i| i + 3);
            let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
            let url = format!("{}/{name}{}{query}", &base[..host_end], if query.is_empty() { "" } else { "?" });
            let store = Store::open(&url).unwrap();
            bench(Bench { backend: "PostgreSQL", store: &store, sidecar });
            drop(store);
            if keep.is_none() {
                conn.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
            }
        }
        _ => eprintln!("PostgreSQL bench skipped: set SWITCHBOARD_BENCH_DATABASE_URL"),
    }
}

diesel::table! {
    pg_database (datname) {
        datname -> Text,
    }
}

/// An account of the benchmark and its records.
#[derive(Serialize, Deserialize)]
pub struct Seeded {
    pub account: AccountId,
    /// The owner first.
    pub users: Vec<UserId>,
    pub workgroups: Vec<WorkgroupId>,
    pub numbers: Vec<NumberId>,
    pub ivrs: Vec<IvrId>,
}

/// A new account with `n_users` people (one multi-row insert per 500, bypassing per-user audit), each in
/// one of 50 workgroups, 200 numbers and 10 IVRs.
pub fn seed_account(c: &mut DbConn, n_users: usize) -> Seeded {
    let (account, owner) = accounts::create(
        c,
        &NewAccount {
            slug: format!("bench-{}", uuid::Uuid::new_v4().simple()),
            name: "Bench".into(),
            preset_pack: "bench".into(),
            preset_version: "1.0.0".into(),
            owner: NewUser {
                email: "owner@bench.example".into(),
                name: "Owner".into(),
                status: UserStatus::Active,
                password_hash: None,
            },
        },
        &Actor::System,
    )
    .unwrap();
    let a = account.id;
    let mut user_ids = vec![owner.id];
    let now = chrono::Utc::now().naive_utc();
    for chunk in (1..n_users).collect::<Vec<_>>().chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|i| {
                let id = UserId::new_random();
                user_ids.push(id);
                (
                    users::account_id.eq(a),
                    users::id.eq(id),
                    users::email.eq(format!("u{i}@bench.example")),
                    users::name.eq("U"),
                    users::status.eq("active"),
                    users::created_at.eq(now),
                    users::updated_at.eq(now),
                )
            })
            .collect();
        switchboard_store::per_backend!(&mut *c, cc => diesel::insert_into(users::table).values(rows).execute(cc))
            .unwrap();
    }
    let wgs: Vec<WorkgroupId> = (0..50)
        .map(|i| workgroups::create_workgroup(c, a, &format!("W{i}"), &[], &Actor::System).unwrap().id)
        .collect();
    let numbers: Vec<_> = (0..200)
        .map(|i| {
            let input = NumberInput { e164: format!("+1555{i:07}"), label: String::new(), kind: NumberKind::Local };
            numbers::create_number(c, a, &input, &Actor::System).unwrap().id
        })
        .collect();
    let ivrs: Vec<_> =
        (0..10).map(|i| ivrs::create_ivr(c, a, &format!("I{i}"), &[], &Actor::System).unwrap().id).collect();
    let member_rows: Vec<_> = user_ids
        .iter()
        .enumerate()
        .map(|(i, u)| {
            (
                workgroup_members::account_id.eq(a),
                workgroup_members::workgroup_id.eq(wgs[i % wgs.len()]),
                workgroup_members::user_id.eq(*u),
            )
        })
        .collect();
    for chunk in member_rows.chunks(500) {
        switchboard_store::per_backend!(&mut *c, cc => diesel::insert_into(workgroup_members::table).values(chunk.to_vec()).execute(cc)).unwrap();
    }
    Seeded { account: a, users: user_ids, workgroups: wgs, numbers, ivrs }
}
