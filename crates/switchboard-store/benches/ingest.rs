//! Ingest throughput on SQLite and (when SWITCHBOARD_BENCH_DATABASE_URL names a PostgreSQL server) on
//! PostgreSQL: `communications::ingest`, what `POST /v1/communications/batch` stores with, against a
//! plain multi-row insert of the same kind of rows (one `INSERT … VALUES` of communications and one of
//! participants per 500, in a transaction each, no checks, no audit), in the same run, into the same
//! account. Records come in time order, as a phone platform sends them when calls end. Not a test: run
//! with `cargo bench -p switchboard-store --bench ingest`; SWITCHBOARD_BENCH_INGEST communications per
//! method (default 200000), in rounds of 20,000 that take turns, so both meet a table of the same size.
//! Prints one line per backend: `ingest-bench: <backend> plain=<per second> ingest=<per second>`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::connection::SimpleConnection;
use std::fmt::Write;
use std::time::{Duration, Instant};
use switchboard_store::repo::communications::{self, CommunicationKind, Direction, NewCommunication};
use switchboard_store::{Actor, DbConn};
use switchboard_testkit::Rng;

mod support;
use support::{Bench, Seeded, each_backend, env_usize, median, seed_account};

const PER_CALL: usize = 500;
const ROUND: usize = 20_000;

/// `n` records in the order a phone platform sends them: each starts a few seconds after the last (the
/// clock moves on by `clock`), with one or two participants, a number, half with a workgroup and a
/// quarter with an IVR.
fn records(
    rng: &mut Rng,
    seeded: &Seeded,
    clock: &mut chrono::DateTime<chrono::Utc>,
    n: usize,
) -> Vec<NewCommunication> {
    (0..n)
        .map(|_| {
            *clock += chrono::Duration::seconds(rng.below(4) as i64);
            let mut participants = vec![seeded.users[rng.below(seeded.users.len())]];
            if rng.below(2) == 0 {
                participants.push(seeded.users[rng.below(seeded.users.len())]);
            }
            NewCommunication {
                id: None,
                kind: CommunicationKind::ALL[rng.below(4)],
                direction: Direction::Inbound,
                number: Some(seeded.numbers[rng.below(seeded.numbers.len())]),
                workgroup: (rng.below(2) == 0).then(|| seeded.workgroups[rng.below(seeded.workgroups.len())]),
                ivr: (rng.below(4) == 0).then(|| seeded.ivrs[rng.below(seeded.ivrs.len())]),
                participants,
                started_at: *clock,
                duration_seconds: rng.below(900) as i32,
                has_recording: rng.below(3) == 0,
            }
        })
        .collect()
}

fn quoted(s: Option<String>) -> String {
    s.map_or_else(|| "NULL".to_owned(), |s| format!("'{s}'"))
}

/// The baseline: one call's rows written as literal `VALUES`, one statement per table, in one
/// transaction, with ids made as the store makes them.
fn plain_insert(c: &mut DbConn, seeded: &Seeded, items: &[NewCommunication]) {
    let a = seeded.account;
    let mut comms = String::from(
        "BEGIN; INSERT INTO communications (account_id, id, kind, direction, number_id, workgroup_id, ivr_id, \
         started_at, duration_seconds, has_recording) VALUES ",
    );
    let mut parts = String::from(
        "INSERT INTO communication_participants (account_id, communication_id, user_id, started_at) VALUES ",
    );
    for (i, item) in items.iter().enumerate() {
        let id = uuid::Uuid::now_v7();
        let at = item.started_at.format("%Y-%m-%d %H:%M:%S%.6f");
        let sep = if i == 0 { "" } else { "," };
        write!(
            comms,
            "{sep}('{a}','{id}','{}','{}',{},{},{},'{at}',{},{})",
            item.kind.as_str(),
            item.direction.as_str(),
            quoted(item.number.map(|n| n.to_string())),
            quoted(item.workgroup.map(|w| w.to_string())),
            quoted(item.ivr.map(|v| v.to_string())),
            item.duration_seconds,
            if item.has_recording { "TRUE" } else { "FALSE" },
        )
        .unwrap();
        let mut people = item.participants.clone();
        people.sort();
        people.dedup();
        for (j, user) in people.iter().enumerate() {
            let sep = if i == 0 && j == 0 { "" } else { "," };
            write!(parts, "{sep}('{a}','{id}','{user}','{at}')").unwrap();
        }
    }
    comms.push(';');
    comms.push_str(&parts);
    comms.push_str("; COMMIT;");
    c.batch_execute(&comms).unwrap();
}

fn run(Bench { backend, store, .. }: Bench<'_>, total: usize) {
    // as in the server: changes on the store's write connection, and the log copied into the database
    // every second by another thread (the server's upkeep)
    let mut c = store.write_conn().unwrap();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let upkeep = {
        let (store, done) = (store.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(Duration::from_secs(1));
                let _ = store.keep_wal_under(switchboard_store::db::WAL_RESTART_FRAMES);
            }
        })
    };
    let seeded = seed_account(&mut c, 1_000);
    let mut rng = Rng::new(0x2545_F491_4F6C_DD1D);
    let mut clock = chrono::Utc::now() - chrono::Duration::days(30);
    let (mut plain, mut ingest) = (Vec::new(), Vec::new());
    for _ in 0..total.div_ceil(ROUND) {
        let items = records(&mut rng, &seeded, &mut clock, ROUND);
        let t = Instant::now();
        for call in items.chunks(PER_CALL) {
            plain_insert(&mut c, &seeded, call);
        }
        plain.push(t.elapsed());

        let items = records(&mut rng, &seeded, &mut clock, ROUND);
        let t = Instant::now();
        for call in items.chunks(PER_CALL) {
            communications::ingest(&mut c, seeded.account, call, &Actor::System).unwrap();
        }
        ingest.push(t.elapsed());
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    upkeep.join().unwrap();
    let per_second = |d: Duration| ROUND as f64 / d.as_secs_f64();
    println!("ingest-bench: {backend} plain={:.0} ingest={:.0}", per_second(median(plain)), per_second(median(ingest)));
}

fn main() {
    let total = env_usize("SWITCHBOARD_BENCH_INGEST", 200_000);
    each_backend(None, |bench| run(bench, total));
}
