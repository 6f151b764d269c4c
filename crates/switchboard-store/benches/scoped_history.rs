//! Scoped history pages on a large account, on SQLite and (when SWITCHBOARD_BENCH_DATABASE_URL names a
//! PostgreSQL server) on PostgreSQL. Not a test: run with
//! `cargo bench -p switchboard-store --bench scoped_history`; sizes via SWITCHBOARD_BENCH_COMMUNICATIONS
//! (default 1000000) and SWITCHBOARD_BENCH_USERS (default 10000); SWITCHBOARD_BENCH_SKIP_SQLITE=1 runs only
//! PostgreSQL; SWITCHBOARD_BENCH_ROUNDS (default 5) measurements of each figure;
//! SWITCHBOARD_BENCH_ONLY=reports measures the reports alone; SWITCHBOARD_BENCH_WHOLE_BY_USER=0 leaves out
//! the whole report by user (pages of it are measured either way). Prints Markdown tables;
//! the baseline is the straightforward OR query, measured in the same run.
//! The seeded data set is kept (target/bench-store/, and a database of its own on PostgreSQL) and reused by
//! the next run of the same size.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use std::time::{Duration, Instant};
use switchboard_core::{UserId, Visibility};
use switchboard_store::repo::communications::{
    self, CommunicationFilter, CommunicationKind, Direction, NewCommunication,
};
use switchboard_store::{Actor, DbConn, PageRequest};
use switchboard_testkit::Rng;

mod support;
use support::{Bench, Seeded, each_backend, env_usize, median, seed_account};

/// The straightforward query the store does not use, measured in the same run as the baseline: one
/// statement with the account filter and the OR of the scope's conditions, ordered and limited.
mod baseline {
    use chrono::NaiveDateTime;
    use diesel::dsl::{count_star, sum};
    use diesel::prelude::*;
    use diesel::sql_types::{Bool, Nullable};
    use switchboard_core::{AccountId, CommunicationId, IvrId, NumberId, UserId, Visibility, WorkgroupId};
    use switchboard_store::DbConn;
    use switchboard_store::db::MultiBackend;
    use switchboard_store::schema::{communication_participants as parts, communications as comms};

    type Cond = Box<dyn BoxableExpression<comms::table, MultiBackend, SqlType = Nullable<Bool>>>;

    fn condition(a: AccountId, vis: &Visibility<'_>, kind: Option<&'static str>) -> Cond {
        let mut cond: Cond = Box::new(comms::account_id.eq(a).nullable());
        if let Visibility::Filter { participant, workgroups, numbers, dashboard_workgroups, dashboard_ivrs, .. } = *vis
        {
            let mut scope: Cond = Box::new(
                comms::id
                    .eq_any(
                        parts::table
                            .filter(parts::account_id.eq(a))
                            .filter(parts::user_id.eq(participant))
                            .select(parts::communication_id),
                    )
                    .nullable(),
            );
            let w: Vec<WorkgroupId> = workgroups.iter().chain(dashboard_workgroups).copied().collect();
            if !w.is_empty() {
                scope = Box::new(scope.or(comms::workgroup_id.eq_any(w)));
            }
            if !numbers.is_empty() {
                scope = Box::new(scope.or(comms::number_id.eq_any(numbers.to_vec())));
            }
            if !dashboard_ivrs.is_empty() {
                scope = Box::new(scope.or(comms::ivr_id.eq_any(dashboard_ivrs.to_vec())));
            }
            cond = Box::new(cond.and(scope));
        }
        if let Some(k) = kind {
            cond = Box::new(cond.and(comms::kind.eq(k)));
        }
        cond
    }

    pub fn page(
        conn: &mut DbConn,
        a: AccountId,
        vis: &Visibility<'_>,
        kind: Option<&'static str>,
        cursor: Option<(NaiveDateTime, CommunicationId)>,
    ) -> Vec<(CommunicationId, NaiveDateTime)> {
        type Row = (
            CommunicationId,
            NaiveDateTime,
            String,
            String,
            Option<NumberId>,
            Option<WorkgroupId>,
            Option<IvrId>,
            i32,
            bool,
        );
        let mut q = comms::table
            .filter(condition(a, vis, kind))
            .select((
                comms::id,
                comms::started_at,
                comms::kind,
                comms::direction,
                comms::number_id,
                comms::workgroup_id,
                comms::ivr_id,
                comms::duration_seconds,
                comms::has_recording,
            ))
            .order((comms::started_at.desc(), comms::id.desc()))
            .limit(51)
            .into_boxed();
        if let Some((t, id)) = cursor {
            q = q.filter(comms::started_at.le(t)).filter(comms::started_at.lt(t).or(comms::id.lt(id)));
        }
        let rows: Vec<Row> = q.load(conn).unwrap();
        // like the store: the page's participants in a second statement
        let ids: Vec<CommunicationId> = rows.iter().map(|r| r.0).collect();
        let _participants: Vec<(CommunicationId, UserId)> = parts::table
            .filter(parts::communication_id.eq_any(ids))
            .select((parts::communication_id, parts::user_id))
            .load(conn)
            .unwrap();
        rows.into_iter().map(|r| (r.0, r.1)).collect()
    }

    pub fn counts(conn: &mut DbConn, a: AccountId, vis: &Visibility<'_>, kind: Option<&'static str>) -> usize {
        comms::table
            .filter(condition(a, vis, kind))
            .group_by((comms::kind, comms::has_recording))
            .select((comms::kind, comms::has_recording, count_star(), sum(comms::duration_seconds)))
            .load::<(String, bool, i64, Option<i64>)>(conn)
            .unwrap()
            .len()
    }
}

const YEAR_SECONDS: i64 = 365 * 86_400;

/// Times each measurement is taken (the median is shown): SWITCHBOARD_BENCH_ROUNDS, default 5 (3 for
/// reports). Fewer make a run at ten million records take minutes instead of hours.
fn rounds() -> usize {
    env_usize("SWITCHBOARD_BENCH_ROUNDS", 5).max(1)
}

/// The account: `n_users` people and `n_comms` communications over a year, in time order, the last
/// number and the last IVR rare (one record in 10,000 each), for sparse scopes.
fn seed(c: &mut DbConn, n_comms: usize, n_users: usize) -> Seeded {
    let seeded = seed_account(c, n_users);
    let Seeded { account: a, users: ref user_ids, workgroups: ref wgs, ref numbers, ref ivrs } = seeded;
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    let start = chrono::Utc::now() - chrono::Duration::days(365);
    let mut done = 0;
    let (rare_number, rare_ivr) = (numbers[numbers.len() - 1], ivrs[ivrs.len() - 1]);
    let mut serial = 0usize;
    while done < n_comms {
        let n = (n_comms - done).min(20_000);
        let batch: Vec<NewCommunication> = (0..n)
            .map(|_| {
                serial += 1;
                NewCommunication {
                    id: None,
                    kind: CommunicationKind::ALL[rng.below(4)],
                    direction: Direction::Inbound,
                    number: Some(if serial.is_multiple_of(10_000) {
                        rare_number
                    } else {
                        numbers[rng.below(numbers.len() - 1)]
                    }),
                    workgroup: if rng.below(2) == 0 { Some(wgs[rng.below(wgs.len())]) } else { None },
                    ivr: if serial % 10_000 == 5_000 {
                        Some(rare_ivr)
                    } else if rng.below(4) == 0 {
                        Some(ivrs[rng.below(ivrs.len() - 1)])
                    } else {
                        None
                    },
                    participants: vec![user_ids[rng.below(user_ids.len())]],
                    // in time order over the year, as a phone platform sends them when calls end
                    started_at: start
                        + chrono::Duration::seconds(
                            (serial as i64 * YEAR_SECONDS) / n_comms as i64 + rng.below(60) as i64,
                        ),
                    duration_seconds: rng.below(900) as i32,
                    has_recording: rng.below(3) == 0,
                }
            })
            .collect();
        communications::ingest_bulk(c, a, &batch, &Actor::System).unwrap();
        done += n;
    }
    seed_roles(c, a, user_ids);
    c.batch_execute("ANALYZE").unwrap();
    seeded
}

fn run(bench: Bench<'_>, n_comms: usize, n_users: usize) {
    let label = format!("{}, {n_comms} communications, {n_users} users", bench.backend);
    let mut c = bench.store.conn().unwrap();
    let seed_start = Instant::now();
    let Seeded { account: a, users: user_ids, workgroups: wgs, numbers, ivrs } =
        bench.seeded(|| seed(&mut c, n_comms, n_users));
    eprintln!("{label}: data set ready in {:.1?}", seed_start.elapsed());
    let (rare_number, rare_ivr) = (numbers[numbers.len() - 1], ivrs[ivrs.len() - 1]);

    let agent = user_ids[user_ids.len() / 2];
    let my_wg = [wgs[(user_ids.len() / 2) % wgs.len()]];
    let my_numbers = [numbers[0], numbers[1]];
    let dash_w = [wgs[3]];
    let dash_i = [ivrs[0]];
    let rare_numbers = [rare_number];
    let rare_ivrs = [rare_ivr];
    // What the agent sees: their workgroups, numbers, dashboard workgroups and dashboard IVRs.
    let seen_by = |workgroups, numbers, dashboard_workgroups, dashboard_ivrs| Visibility::Filter {
        participant: agent,
        kinds: switchboard_core::KindFlags::ALL,
        all: false,
        workgroups,
        numbers,
        dashboard_workgroups,
        dashboard_ivrs,
    };
    let cases: Vec<(&str, Visibility<'_>, CommunicationFilter)> = vec![
        ("all (superadmin)", Visibility::Everything, CommunicationFilter::default()),
        (
            "all + kind=voicemail",
            Visibility::Everything,
            CommunicationFilter { kind: Some(CommunicationKind::Voicemail), ..Default::default() },
        ),
        ("personal", seen_by(&[], &[], &[], &[]), CommunicationFilter::default()),
        ("workgroup", seen_by(&my_wg, &[], &[], &[]), CommunicationFilter::default()),
        ("numbers", seen_by(&my_wg, &my_numbers, &[], &[]), CommunicationFilter::default()),
        ("dashboard", seen_by(&[], &[], &dash_w, &dash_i), CommunicationFilter::default()),
        ("numbers, one rare number (sparse)", seen_by(&[], &rare_numbers, &[], &[]), CommunicationFilter::default()),
        ("dashboard, one rare IVR (sparse)", seen_by(&[], &[], &[], &rare_ivrs), CommunicationFilter::default()),
        (
            "workgroup + kind=voicemail",
            seen_by(&my_wg, &[], &[], &[]),
            CommunicationFilter { kind: Some(CommunicationKind::Voicemail), ..Default::default() },
        ),
    ];
    let reports_only = std::env::var("SWITCHBOARD_BENCH_ONLY").is_ok_and(|v| v == "reports");
    if !reports_only {
        println!(
            "\n| {label} | first page (50) | baseline | 10th page | baseline | counts by kind | baseline |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
        );
    }
    for (name, vis, filter) in cases.iter().filter(|_| !reports_only) {
        let kind = filter.kind.map(CommunicationKind::as_str);
        let (mut first, mut tenth, mut counts) = (Vec::new(), Vec::new(), Vec::new());
        let (mut b_first, mut b_tenth, mut b_counts) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds() {
            let t = Instant::now();
            let mut p = communications::list(&mut c, a, vis, filter, &PageRequest::first(50)).unwrap();
            first.push(t.elapsed());
            let t = Instant::now();
            for _ in 0..9 {
                match p.next_cursor.clone() {
                    Some(next) => {
                        p = communications::list(&mut c, a, vis, filter, &PageRequest::after(50, next)).unwrap()
                    }
                    None => break,
                }
            }
            tenth.push(t.elapsed() / 9);
            let t = Instant::now();
            switchboard_store::repo::reports::counts(&mut c, a, vis, filter).unwrap();
            counts.push(t.elapsed());

            let t = Instant::now();
            let mut rows = baseline::page(&mut c, a, vis, kind, None);
            b_first.push(t.elapsed());
            let t = Instant::now();
            for _ in 0..9 {
                if rows.len() < 51 {
                    break;
                }
                let (id, at) = rows[49];
                rows = baseline::page(&mut c, a, vis, kind, Some((at, id)));
            }
            b_tenth.push(t.elapsed() / 9);
            let t = Instant::now();
            baseline::counts(&mut c, a, vis, kind);
            b_counts.push(t.elapsed());
        }
        println!(
            "| {name} | {:.2?} | {:.2?} | {:.2?} | {:.2?} | {:.2?} | {:.2?} |",
            median(first),
            median(b_first),
            median(tenth),
            median(b_tenth),
            median(counts),
            median(b_counts)
        );
    }
    // Reports: the whole account, its last 30 days, one kind shown (rule MC-7), and an agent's scopes.
    let last_month =
        CommunicationFilter { from: Some(chrono::Utc::now() - chrono::Duration::days(30)), ..Default::default() };
    let calls_only = Visibility::Filter {
        participant: agent,
        kinds: switchboard_core::DataKinds { calls: true, messages: false, voicemails: false, recordings: false }
            .flags(),
        all: true,
        workgroups: &[],
        numbers: &[],
        dashboard_workgroups: &[],
        dashboard_ivrs: &[],
    };
    let report_cases: Vec<(&str, Visibility<'_>, CommunicationFilter)> = vec![
        ("all (superadmin)", Visibility::Everything, CommunicationFilter::default()),
        ("all, last 30 days", Visibility::Everything, last_month.clone()),
        ("all, calls only (kinds)", calls_only, CommunicationFilter::default()),
        ("workgroup", seen_by(&my_wg, &[], &[], &[]), CommunicationFilter::default()),
        ("workgroup, last 30 days", seen_by(&my_wg, &[], &[], &[]), last_month.clone()),
        ("one number", seen_by(&[], &my_numbers[..1], &[], &[]), CommunicationFilter::default()),
        ("dashboard, one IVR", seen_by(&[], &[], &[], &dash_i), CommunicationFilter::default()),
        (
            "all, one number's last 30 days",
            Visibility::Everything,
            CommunicationFilter { number: Some(my_numbers[0]), ..last_month },
        ),
        ("two columns: numbers + workgroup", seen_by(&my_wg, &my_numbers, &[], &[]), CommunicationFilter::default()),
        ("personal (an agent's reports)", seen_by(&[], &[], &[], &[]), CommunicationFilter::default()),
    ];
    reports_table(&label, &mut c, a, &user_ids, &report_cases);
    if !reports_only {
        who_can_table(&label, &mut c, a, user_ids[0]);
    }
}

/// Everyone is an agent of their workgroup; one person in 200 supervises everything.
fn seed_roles(c: &mut DbConn, a: switchboard_core::AccountId, people: &[UserId]) {
    use switchboard_core::{RoleDefinition, RoleOrigin, ScopeKind};
    use switchboard_store::repo::roles;
    use switchboard_store::schema::role_assignments;
    let mut agent = RoleDefinition::new("agent", "Agent");
    agent.scope = ScopeKind::Workgroup;
    let mut supervisor = RoleDefinition::new("supervisor", "Supervisor");
    supervisor.scope = ScopeKind::All;
    let agent = roles::create(c, a, &RoleOrigin::Custom, &agent, &Actor::System).unwrap();
    let supervisor = roles::create(c, a, &RoleOrigin::Custom, &supervisor, &Actor::System).unwrap();
    let now = chrono::Utc::now().naive_utc();
    for chunk in people.iter().enumerate().collect::<Vec<_>>().chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(i, u)| {
                let role = if i % 200 == 7 { supervisor.id } else { agent.id };
                (
                    role_assignments::account_id.eq(a),
                    role_assignments::user_id.eq(**u),
                    role_assignments::role_id.eq(role),
                    role_assignments::assigned_at.eq(now),
                )
            })
            .collect();
        switchboard_store::per_backend!(&mut *c, cc => diesel::insert_into(role_assignments::table).values(rows).execute(cc)).unwrap();
    }
}

/// "Who can see this communication" at the same size, next to listing the account's users.
fn who_can_table(label: &str, c: &mut DbConn, a: switchboard_core::AccountId, owner: UserId) {
    use switchboard_core::{Catalog, Policy, PolicySettings, RoleMode};
    use switchboard_store::repo::{lookups, roles};
    let stored = roles::load_all(c, a).unwrap();
    let supervisor = stored.iter().find(|r| r.definition.key == "supervisor").unwrap();
    let settings = PolicySettings { role_mode: RoleMode::Combinable, ..PolicySettings::default() };
    let policy = Policy::new(
        std::sync::Arc::new(Catalog::core()),
        settings,
        stored.iter().map(|r| (r.origin.clone(), r.definition.clone())),
    )
    .unwrap();
    let first =
        communications::list(c, a, &Visibility::Everything, &CommunicationFilter::default(), &PageRequest::first(50))
            .unwrap();
    let record = first.items.iter().find(|x| x.workgroup.is_some()).unwrap().clone();
    let wide = vec![supervisor.id];
    let sets = lookups::communication_candidates(&record, wide, owner);
    let (mut users_page, mut who_first, mut who_all, mut found) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for _ in 0..rounds() {
        let t = Instant::now();
        switchboard_store::repo::users::list(c, a, &PageRequest::first(50)).unwrap();
        users_page.push(t.elapsed());
        let decide = |s: &switchboard_core::Subject| {
            policy.can_see(&policy.principal(s).unwrap(), &record.as_ref()).is_allowed().then_some(())
        };
        let t = Instant::now();
        lookups::page_of_people(c, a, &sets, &PageRequest::first(50), decide).unwrap();
        who_first.push(t.elapsed());
        let t = Instant::now();
        let mut page = PageRequest::first(50);
        found = 0;
        loop {
            let p = lookups::page_of_people(c, a, &sets, &page, decide).unwrap();
            found += p.items.len();
            match p.next_cursor {
                Some(n) => page = PageRequest::after(50, n),
                None => break,
            }
        }
        who_all.push(t.elapsed());
    }
    println!(
        "\n| {label}: who can see a communication | users page (50) | who can, first page (50) | who can, all {found} people |\n\
         | --- | ---: | ---: | ---: |\n\
         | a call of one workgroup, 50 supervisors | {:.2?} | {:.2?} | {:.2?} |",
        median(users_page),
        median(who_first),
        median(who_all)
    );
}

/// Reports (grouped counts) at the same size, next to the unscoped history page, in the same run. By
/// user also a page of 100 people as the API reads it: the first, and the last (after the cursor of the
/// 50th person from the end; a cursor is the last key, hex-encoded), which also counts the records
/// without a participant.
fn reports_table(
    label: &str,
    c: &mut switchboard_store::DbConn,
    a: switchboard_core::AccountId,
    people: &[UserId],
    cases: &[(&str, Visibility<'_>, CommunicationFilter)],
) {
    use switchboard_store::repo::reports::{self, Dimension};
    let dimensions =
        [Dimension::Kind, Dimension::Day, Dimension::Number, Dimension::Workgroup, Dimension::Ivr, Dimension::User];
    let whole_by_user = std::env::var("SWITCHBOARD_BENCH_WHOLE_BY_USER").map_or(true, |v| v != "0");
    let mut ids: Vec<String> = people.iter().map(ToString::to_string).collect();
    ids.sort();
    let near_the_end = ids[ids.len().saturating_sub(50)].bytes().map(|b| format!("{b:02x}")).collect::<String>();
    let pages = [PageRequest::first(100), PageRequest::after(100, near_the_end)];
    println!(
        "\n| {label}: reports | history page (50), unscoped | by kind | by day | by number | by workgroup | by IVR | by user | by user, first page (100) | by user, last page |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for (name, vis, filter) in cases {
        let mut page = Vec::new();
        let mut by: Vec<Vec<Duration>> = vec![Vec::new(); dimensions.len() + pages.len()];
        for _ in 0..rounds().min(3) {
            let t = Instant::now();
            communications::list(
                c,
                a,
                &Visibility::Everything,
                &CommunicationFilter::default(),
                &PageRequest::first(50),
            )
            .unwrap();
            page.push(t.elapsed());
            for (i, d) in dimensions.iter().enumerate() {
                if *d == Dimension::User && !whole_by_user {
                    continue;
                }
                let t = Instant::now();
                reports::report(c, a, vis, filter, *d).unwrap();
                by[i].push(t.elapsed());
            }
            for (i, p) in pages.iter().enumerate() {
                let t = Instant::now();
                reports::report_page(c, a, vis, filter, Dimension::User, p).unwrap();
                by[dimensions.len() + i].push(t.elapsed());
            }
        }
        let cells: Vec<String> =
            by.into_iter().map(|v| if v.is_empty() { "-".to_owned() } else { format!("{:.2?}", median(v)) }).collect();
        println!("| {name} | {:.2?} | {} |", median(page), cells.join(" | "));
    }
}

fn main() {
    let n_comms = env_usize("SWITCHBOARD_BENCH_COMMUNICATIONS", 1_000_000);
    let n_users = env_usize("SWITCHBOARD_BENCH_USERS", 10_000);
    // kept between runs, one data set per size
    let name = format!("scoped_history_{n_comms}_{n_users}");
    each_backend(Some(&name), |bench| run(bench, n_comms, n_users));
}
