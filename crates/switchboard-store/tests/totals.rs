//! Reports read from the totals kept at ingest agree with a plain count over the records: for random
//! records spread over months, random scopes (the whole account, the account's records of some kinds,
//! one column's references, two columns, a person's own) and random filters and date ranges (on day
//! boundaries and between them), every report and the analytics counts hold exactly the records
//! counted one by one.

use crate::support::{
    TestDb, backend_tests, call, each_seed, every_record, passes, plain_report, references, stored_report,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use switchboard_core::{IvrId, KindFlags, NumberId, UserId, Visibility, WorkgroupId};
use switchboard_store::repo::communications::{
    self, Communication, CommunicationFilter, CommunicationKind, Direction, NewCommunication,
};
use switchboard_store::repo::reports::{self, Dimension};
use switchboard_store::repo::users::{self, NewUser};
use switchboard_store::{Actor, PageRequest};
use switchboard_testkit::Rng;

const DIMENSIONS: [Dimension; 6] =
    [Dimension::Kind, Dimension::Day, Dimension::Number, Dimension::Workgroup, Dimension::Ivr, Dimension::User];

/// An owned scope, lent out as a core `Visibility`.
#[derive(Debug)]
enum Scope {
    Everything,
    Filter {
        participant: UserId,
        kinds: KindFlags,
        all: bool,
        workgroups: Vec<WorkgroupId>,
        numbers: Vec<NumberId>,
        dashboard_workgroups: Vec<WorkgroupId>,
        dashboard_ivrs: Vec<IvrId>,
    },
}

impl Scope {
    fn visibility(&self) -> Visibility<'_> {
        match self {
            Scope::Everything => Visibility::Everything,
            Scope::Filter { participant, kinds, all, workgroups, numbers, dashboard_workgroups, dashboard_ivrs } => {
                Visibility::Filter {
                    participant: *participant,
                    kinds: *kinds,
                    all: *all,
                    workgroups,
                    numbers,
                    dashboard_workgroups,
                    dashboard_ivrs,
                }
            }
        }
    }

    /// What the scope shows, spelled out from `Visibility`'s documentation, record by record.
    fn shows(&self, x: &Communication) -> bool {
        match self {
            Scope::Everything => true,
            Scope::Filter { participant, kinds, all, workgroups, numbers, dashboard_workgroups, dashboard_ivrs } => {
                let column = *all
                    || x.workgroup.is_some_and(|w| workgroups.contains(&w) || dashboard_workgroups.contains(&w))
                    || x.number.is_some_and(|n| numbers.contains(&n))
                    || x.ivr.is_some_and(|i| dashboard_ivrs.contains(&i));
                x.participants.contains(participant) || (kinds.has(x.kind) && column)
            }
        }
    }
}

fn random_kinds(g: &mut Rng) -> KindFlags {
    let mut kinds = KindFlags::ALL;
    if g.chance(50) {
        for k in CommunicationKind::ALL {
            if g.chance(40) {
                kinds = kinds.without(k);
            }
        }
    }
    kinds
}

/// A time in the records' span: on a day boundary, a second either side of one, or anywhere.
fn random_time(g: &mut Rng, start: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    let day = start + Duration::days(g.below(days as usize + 2) as i64 - 1);
    match g.below(4) {
        0 => day,
        1 => day - Duration::seconds(1),
        2 => day + Duration::seconds(1),
        _ => day + Duration::seconds(g.below(86_400) as i64),
    }
}

fn check_totals(db: &TestDb, case: usize, seed: u64) -> Result<(), TestCaseError> {
    let mut g = Rng::new(seed | 1);
    let (account, owner) = db.account(&format!("totals-{case}"));
    let a = account.id;
    let actor = Actor::System;
    let mut c = db.conn();
    let (numbers, wgs, ivrs) = references(&mut c, a, 1, (3, 3, 2));
    let mut people = vec![owner.id];
    for i in 0..3 {
        people.push(
            users::create(&mut c, a, &NewUser::invited(format!("t{i}@t.example"), "T"), &actor).expect("user").id,
        );
    }
    // about seventy days over three months, so ranges hold whole months, whole days and partial days
    let start = Utc.with_ymd_and_hms(2026, 1, 20, 0, 0, 0).single().expect("start");
    let days = 70;
    let mut first_batch = Vec::new();
    for batch in 0..3 {
        let mut items = Vec::new();
        for _ in 0..30 {
            items.push(NewCommunication {
                id: Some(uuid::Uuid::new_v4().into()),
                kind: CommunicationKind::ALL[g.below(4)],
                direction: Direction::Inbound,
                number: if g.chance(70) { g.pick(&numbers) } else { None },
                workgroup: if g.chance(50) { g.pick(&wgs) } else { None },
                ivr: if g.chance(40) { g.pick(&ivrs) } else { None },
                participants: (0..g.below(3)).filter_map(|_| g.pick(&people)).collect(),
                started_at: random_time(&mut g, start, days),
                duration_seconds: g.below(900) as i32,
                has_recording: g.chance(30),
            });
        }
        communications::ingest(&mut c, a, &items, &actor).expect("ingest");
        if batch == 0 {
            first_batch = items;
        }
    }
    // a retried batch is stored once, and counted once
    communications::ingest(&mut c, a, &first_batch, &actor).expect("retry");
    let all = every_record(&mut c, a);
    prop_assert_eq!(all.len(), 90);

    for _ in 0..12 {
        let scope = match g.below(8) {
            0 => Scope::Everything,
            // 6, 7: two columns (a number user's numbers and workgroup; a dashboard's workgroups and IVRs)
            shape => {
                let participant = g.one_of(&people);
                let kinds = random_kinds(&mut g);
                // 1: the account's records of some kinds; 2-4: one column; 5: any mix, two columns too
                let (mut w, mut n, mut dw, mut di) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
                match shape {
                    2 => w = g.some(&wgs, 50),
                    3 => n = g.some(&numbers, 50),
                    4 => di = g.some(&ivrs, 60),
                    5 => {
                        w = g.some(&wgs, 40);
                        n = g.some(&numbers, 40);
                        dw = g.some(&wgs, 30);
                        di = g.some(&ivrs, 40);
                    }
                    6 => {
                        n = g.some(&numbers, 50);
                        w = g.some(&wgs, 50);
                    }
                    7 => {
                        dw = g.some(&wgs, 50);
                        di = g.some(&ivrs, 60);
                    }
                    _ => {}
                }
                Scope::Filter {
                    participant,
                    kinds,
                    all: shape == 1,
                    workgroups: w,
                    numbers: n,
                    dashboard_workgroups: dw,
                    dashboard_ivrs: di,
                }
            }
        };
        let from = g.chance(50).then(|| random_time(&mut g, start, days));
        let until = g.chance(50).then(|| random_time(&mut g, start, days));
        let filter = CommunicationFilter {
            kind: if g.chance(25) { Some(CommunicationKind::ALL[g.below(4)]) } else { None },
            number: if g.chance(15) { g.pick(&numbers) } else { None },
            workgroup: if g.chance(15) { g.pick(&wgs) } else { None },
            ivr: if g.chance(10) { g.pick(&ivrs) } else { None },
            user: if g.chance(10) { g.pick(&people) } else { None },
            from,
            until,
        };
        let visible: Vec<&Communication> = all.iter().filter(|x| scope.shows(x) && passes(&filter, x)).collect();
        let visibility = scope.visibility();
        for dimension in DIMENSIONS {
            let rows = reports::report(&mut c, a, &visibility, &filter, dimension).expect("report");
            // read a page of a few groups at a time, the pages make up the report
            let limit = 1 + g.below(4) as u32;
            // by participant: the page cut from the whole report, or the people's records walked
            let few = if g.chance(50) { 0 } else { i64::MAX };
            let (mut paged, mut page) = (Vec::new(), PageRequest::first(limit));
            for pages in 1.. {
                // a cursor that does not move on would never end
                prop_assert!(pages <= rows.len() + 1, "more pages than rows by {:?}", dimension);
                let read = reports::report_page_counting_whole(&mut c, a, &visibility, &filter, dimension, &page, few)
                    .expect("page");
                let groups = read.rows.iter().map(|r| &r.key).collect::<std::collections::BTreeSet<_>>().len();
                prop_assert!(groups <= limit as usize, "{} groups in a page of {}", groups, limit);
                paged.extend(read.rows);
                match read.next_cursor {
                    Some(next) => page = PageRequest::after(limit, next),
                    None => break,
                }
            }
            prop_assert_eq!(&paged, &rows, "paged by {:?}, {} groups a page, whole up to {}", dimension, limit, few);
            prop_assert_eq!(
                &stored_report(rows),
                &plain_report(&visible, dimension),
                "by {:?}, {:?}, {:?}",
                dimension,
                scope,
                filter
            );
        }
        let counts = reports::counts(&mut c, a, &visibility, &filter).expect("counts");
        prop_assert_eq!(counts.total.count, visible.len() as i64);
        let recorded = visible.iter().filter(|x| x.has_recording).count() as i64;
        prop_assert_eq!(counts.total.with_recording, recorded);
        let seconds: i64 = visible.iter().map(|x| i64::from(x.duration_seconds)).sum();
        prop_assert_eq!(counts.total.total_duration_seconds, seconds);
    }
    Ok(())
}

/// Every row of a totals table (stripes summed) as one line of text, in key order.
fn totals_as_text(c: &mut switchboard_store::DbConn, table: &str, key: &[&str]) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        line: String,
    }
    let mut sums = String::new();
    for k in CommunicationKind::ALL {
        for column in ["records", "recorded", "seconds"] {
            sums.push_str(&format!(" || '|' || CAST(SUM({}_{column}) AS TEXT)", k.as_str()));
        }
    }
    let key = key.join(", ");
    let line = key.replace(", ", " || '|' || ");
    let sql = format!("SELECT {line}{sums} AS line FROM {table} GROUP BY {key} ORDER BY {key}");
    let lines: Vec<Line> =
        switchboard_store::per_backend!(c, x => diesel::RunQueryDsl::load(diesel::sql_query(sql.clone()), x))
            .expect("totals");
    lines.into_iter().map(|l| l.line).collect()
}

backend_tests! {
    fn reports_from_the_totals_agree_with_a_plain_count_over_the_records(db) {
        each_seed(12, "reports from the totals agree with the records", |case, seed| check_totals(db, case, seed));
    }

    // A report reads totals and records in several statements; a record stored between two of them
    // must be in all of them or in none (else one takes it away and no other adds it).
    fn a_report_reads_one_snapshot_while_records_are_stored(db) {
        let (account, _) = db.account("totals-snapshot");
        let a = account.id;
        let (numbers, _, _) = references(&mut db.conn(), a, 1, (1, 0, 0));
        let record = |hour: u32| NewCommunication {
            id: None,
            kind: CommunicationKind::Call,
            direction: Direction::Inbound,
            number: numbers.first().copied(),
            workgroup: None,
            ivr: None,
            participants: Vec::new(),
            started_at: Utc.with_ymd_and_hms(2026, 3, 1, hour, 0, 0).single().expect("time"),
            duration_seconds: 60,
            has_recording: false,
        };
        let (mut reader, mut writer) = (db.conn(), db.conn());
        communications::ingest(&mut writer, a, &[record(9)], &Actor::System).expect("first");
        let calls = |c: &mut switchboard_store::DbConn| {
            reports::counts(c, a, &Visibility::Everything, &CommunicationFilter::default()).map(|n| n.total.count)
        };
        switchboard_store::common::read_snapshot(&mut reader, |r| {
            assert_eq!(calls(r)?, 1);
            communications::ingest(&mut writer, a, &[record(10)], &Actor::System)?;
            assert_eq!(calls(r)?, 1, "a record stored meanwhile is not seen within the snapshot");
            Ok(())
        })
        .expect("snapshot");
        assert_eq!(calls(&mut reader).expect("after"), 2);
    }

    // On PostgreSQL concurrent ingests add to totals rows of their own (stripes): none waits for
    // another's rows, none deadlocks, and reports sum the stripes.
    fn concurrent_ingests_are_all_counted(db) {
        let (account, _) = db.account("totals-concurrent");
        let a = account.id;
        let (numbers, _, _) = references(&mut db.conn(), a, 2, (5, 0, 0));
        let day = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("day");
        std::thread::scope(|s| {
            for t in 0..4u64 {
                let numbers = &numbers;
                s.spawn(move || {
                    let mut g = Rng::new(t + 1);
                    let mut c = db.conn();
                    for _ in 0..8 {
                        let items: Vec<NewCommunication> = (0..40)
                            .map(|_| NewCommunication {
                                id: None,
                                kind: CommunicationKind::ALL[g.below(4)],
                                direction: Direction::Inbound,
                                number: g.pick(numbers),
                                workgroup: None,
                                ivr: None,
                                participants: Vec::new(),
                                started_at: day + Duration::seconds(g.below(3_600) as i64),
                                duration_seconds: g.below(300) as i32,
                                has_recording: g.chance(50),
                            })
                            .collect();
                        communications::ingest(&mut c, a, &items, &Actor::System).expect("concurrent ingest");
                    }
                });
            }
        });
        let mut c = db.conn();
        let all = every_record(&mut c, a);
        assert_eq!(all.len(), 4 * 8 * 40);
        let visible: Vec<&Communication> = all.iter().collect();
        let filter = CommunicationFilter::default();
        for dimension in [Dimension::Kind, Dimension::Day, Dimension::Number] {
            let rows = reports::report(&mut c, a, &Visibility::Everything, &filter, dimension).expect("report");
            assert_eq!(stored_report(rows), plain_report(&visible, dimension), "by {dimension:?}");
        }
    }

    // The migrations that brought the totals, of each column and of each pair, filled them for what
    // was stored: the same totals as ingest keeps.
    fn the_migrations_fill_the_totals_ingest_keeps(db) {
        let (account, owner) = db.account("totals-migrated");
        let a = account.id;
        let mut c = db.conn();
        let (numbers, wgs, ivrs) = references(&mut c, a, 3, (2, 2, 1));
        let mut g = Rng::new(7);
        let start = Utc.with_ymd_and_hms(2026, 2, 20, 0, 0, 0).single().expect("start");
        let items: Vec<NewCommunication> = (0..200)
            .map(|_| NewCommunication {
                id: None,
                kind: CommunicationKind::ALL[g.below(4)],
                direction: Direction::Inbound,
                number: if g.chance(60) { g.pick(&numbers) } else { None },
                workgroup: if g.chance(50) { g.pick(&wgs) } else { None },
                ivr: if g.chance(40) { g.pick(&ivrs) } else { None },
                participants: vec![owner.id],
                started_at: random_time(&mut g, start, 20),
                duration_seconds: g.below(900) as i32,
                has_recording: g.chance(40),
            })
            .collect();
        communications::ingest(&mut c, a, &items, &Actor::System).expect("ingest");
        let dialect = match c.backend() {
            switchboard_store::db::Backend::Sqlite => "sqlite",
            switchboard_store::db::Backend::Postgres => "postgres",
        };
        // each column's by day and month; each pair's (2 numbers, 2 workgroups, 1 IVR) by month
        let tables = [
            ("2026-12-08-000001_communication_totals", "communication_totals", &["dimension", "grain", "ref_id", "period"][..], 20),
            ("2026-12-10-000001_communication_pair_totals", "communication_pair_totals", &["pair", "ref_a", "period", "ref_b"][..], 10),
        ];
        for (migration, table, key, rows) in tables {
            let kept = totals_as_text(&mut c, table, key);
            assert!(kept.len() > rows, "{table}: {kept:?}");
            let up = std::fs::read_to_string(format!(
                "{}/../../migrations/{dialect}/{migration}/up.sql",
                env!("CARGO_MANIFEST_DIR")
            ))
            .expect("the migration");
            let (_, fill) = up.split_once("-- the totals of what is already stored").expect("the migration's fill");
            let emptied = format!("DELETE FROM {table}");
            diesel::connection::SimpleConnection::batch_execute(&mut *c, &emptied).expect("emptied");
            diesel::connection::SimpleConnection::batch_execute(&mut *c, fill).expect("filled");
            assert_eq!(totals_as_text(&mut c, table, key), kept, "{table}");
        }
    }

    fn deleting_an_account_deletes_its_totals(db) {
        let (account, owner) = db.account("totals-gone");
        let mut c = db.conn();
        let (numbers, wgs, _) = references(&mut c, account.id, 4, (1, 1, 0));
        let item = NewCommunication { number: Some(numbers[0]), workgroup: Some(wgs[0]), ..call(owner.id, Utc::now(), 30) };
        communications::ingest(&mut c, account.id, &[item], &Actor::System).expect("ingest");
        let deletion = switchboard_store::repo::account_deletion::delete(&mut c, account.id, &Actor::User(owner.id), "o@x.example")
            .expect("deleted");
        // the account and every column, by day and by month; the number and workgroup's pair by month
        assert_eq!(deletion.records["communication_totals"], 8);
        assert_eq!(deletion.records["communication_pair_totals"], 1);
    }
}
