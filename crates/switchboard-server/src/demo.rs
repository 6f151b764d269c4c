//! `switchboard serve --demo`: a sample account per preset pack — a user in every role, workgroups,
//! numbers, an IVR, dashboard access and thousands of communications — created once, then reused.
//!
//! `SWITCHBOARD_DEMO_USERS` and `SWITCHBOARD_DEMO_COMMUNICATIONS` size the accounts (benchmark data);
//! they apply when an account is created, never to one that exists.

use crate::packs::Packs;
use crate::problem::ApiError;
use crate::provision::{AccountSpec, create_account};
use chrono::{Duration, Utc};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use switchboard_core::{DashboardAccess, RoleMode, UserStatus};
use switchboard_store::repo::communications::{self, CommunicationKind, Direction, NewCommunication};
use switchboard_store::repo::numbers::{NumberInput, NumberKind};
use switchboard_store::repo::{accounts, roles, users};
use switchboard_store::repo::{ivrs, numbers, workgroups};
use switchboard_store::{Actor, Store, StoreError};

/// The password of every demo user. Demo data only: never use `--demo` for real accounts.
pub const DEMO_PASSWORD: &str = "switchboard-demo";
/// Communications per demo account unless [`COMMUNICATIONS_VAR`] says otherwise.
pub const DEMO_COMMUNICATIONS: usize = 5000;
/// Users per demo account (the superadmin included); default and minimum: one per role and the superadmin.
pub const USERS_VAR: &str = "SWITCHBOARD_DEMO_USERS";
/// Communications per demo account; default [`DEMO_COMMUNICATIONS`].
pub const COMMUNICATIONS_VAR: &str = "SWITCHBOARD_DEMO_COMMUNICATIONS";
/// The most users a demo account may have (the benchmarks seed 100,000).
pub const MAX_DEMO_USERS: usize = 100_000;
/// The most communications a demo account may have.
pub const MAX_DEMO_COMMUNICATIONS: usize = 10_000_000;
/// Communications written per transaction while seeding (bounds the seeding's memory).
const COMMUNICATIONS_PER_BATCH: usize = 50_000;

/// How big each demo account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSize {
    /// Users per account, the superadmin included; never fewer than one per role and the superadmin.
    pub users: usize,
    pub communications: usize,
}

impl Default for DemoSize {
    fn default() -> DemoSize {
        DemoSize { users: 0, communications: DEMO_COMMUNICATIONS }
    }
}

fn size_var(name: &str, max: usize) -> Result<Option<usize>, ApiError> {
    let Ok(raw) = std::env::var(name) else { return Ok(None) };
    let cleaned: String = raw.trim().chars().filter(|c| *c != '_' && *c != ',').collect();
    match cleaned.parse::<usize>() {
        Ok(n) if n <= max => Ok(Some(n)),
        _ => Err(ApiError::invalid(name, format!("`{raw}` is not a number from 0 to {max}"))),
    }
}

impl DemoSize {
    /// Reads [`USERS_VAR`] and [`COMMUNICATIONS_VAR`]; unset means the defaults.
    pub fn from_env() -> Result<DemoSize, ApiError> {
        let default = DemoSize::default();
        Ok(DemoSize {
            users: size_var(USERS_VAR, MAX_DEMO_USERS)?.unwrap_or(default.users),
            communications: size_var(COMMUNICATIONS_VAR, MAX_DEMO_COMMUNICATIONS)?.unwrap_or(default.communications),
        })
    }
}

/// One demo account, for the start-up message.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub slug: String,
    pub pack: String,
    /// The superadmin and one user per role: (email, roles held).
    pub users: Vec<(String, Vec<String>)>,
    /// Further users, named `<role>-<n>@<slug>.example` (n = 2, 3, …), the pack's roles in turn.
    pub more_users: usize,
}

fn slug(pack: &str) -> String {
    format!("demo-{pack}")
}

fn email(role: &str, slug: &str) -> String {
    format!("{}@{slug}.example", role.replace('_', "-"))
}

/// Creates the demo accounts that don't exist yet, sized by the environment ([`DemoSize::from_env`]);
/// returns them all.
pub fn seed(store: &Store, packs: &Packs) -> Result<Vec<DemoAccount>, ApiError> {
    seed_sized(store, packs, DemoSize::from_env()?)
}

/// Creates the demo accounts that don't exist yet with `size`; returns them all.
pub fn seed_sized(store: &Store, packs: &Packs, size: DemoSize) -> Result<Vec<DemoAccount>, ApiError> {
    let mut conn = store.conn()?;
    let mut out = Vec::new();
    let mut created = false;
    for loaded in packs.iter() {
        let pack = &loaded.pack;
        let slug = slug(&pack.name);
        let mut demo = DemoAccount { slug: slug.clone(), pack: pack.name.clone(), users: Vec::new(), more_users: 0 };
        demo.users.push((email("superadmin", &slug), pack.owner_roles.clone()));
        let mut held_by_role = Vec::new();
        for role in &pack.roles {
            let mut held = vec![role.key.clone()];
            if pack.role_mode == RoleMode::Combinable
                && let Some(default) = &pack.default_role
                && default != &role.key
            {
                held.push(default.clone());
            }
            demo.users.push((email(&role.key, &slug), held.clone()));
            held_by_role.push((role.key.clone(), held));
        }
        if !held_by_role.is_empty() {
            demo.more_users = size.users.saturating_sub(demo.users.len());
        }
        if accounts::get_by_slug(&mut conn, &slug).is_ok() {
            out.push(demo);
            continue;
        }
        let actor = Actor::System;
        let spec = AccountSpec {
            slug: slug.clone(),
            name: format!("Demo ({})", if pack.title.is_empty() { &pack.name } else { &pack.title }),
            preset: pack.name.clone(),
            owner_email: email("superadmin", &slug),
            owner_name: "Demo Owner".into(),
            owner_password: DEMO_PASSWORD.into(),
        };
        let (account, owner) = create_account(&mut conn, packs, spec, &actor)?;
        let hash = crate::auth::password::hash(DEMO_PASSWORD)?;
        let stored_roles = roles::load_all(&mut conn, account.id)?;
        let further = (0..demo.more_users).map(|k| {
            let (key, held) = &held_by_role[k % held_by_role.len()];
            (email(&format!("{key}-{}", k / held_by_role.len() + 2), &slug), held)
        });
        let named = demo.users.iter().skip(1).map(|(address, held)| (address.clone(), held));
        // One transaction for every user (each call nests as a savepoint): thousands of users in seconds.
        let mut people = vec![owner.id];
        conn.transaction::<_, StoreError, _>(|conn| {
            for (address, held) in named.chain(further) {
                let new = users::NewUser {
                    name: address.split('@').next().unwrap_or_default().replace('-', " "),
                    email: address,
                    status: UserStatus::Active,
                    password_hash: Some(hash.clone()),
                };
                let user = users::create(conn, account.id, &new, &actor)?;
                let ids: Vec<_> =
                    stored_roles.iter().filter(|r| held.contains(&r.definition.key)).map(|r| r.id).collect();
                roles::set_user_roles(conn, account.id, user.id, &ids, pack.role_mode, None, &actor)?;
                people.push(user.id);
            }
            Ok(())
        })?;
        let half = people.len().div_ceil(2);
        let support = workgroups::create_workgroup(&mut conn, account.id, "Support", &people[..half], &actor)?;
        let sales = workgroups::create_workgroup(&mut conn, account.id, "Sales", &people[half..], &actor)?;
        let mut numbers = Vec::new();
        for (i, (e164, label, kind)) in [
            ("+14155550100", "Main line", NumberKind::Local),
            ("+18005550199", "Toll-free support", NumberKind::TollFree),
            ("+442071838750", "London office", NumberKind::International),
        ]
        .into_iter()
        .enumerate()
        {
            let input = NumberInput { e164: e164.into(), label: label.into(), kind };
            let number = numbers::create_number(&mut conn, account.id, &input, &actor)?;
            let assignee = people[i % people.len()];
            numbers::set_number_users(&mut conn, account.id, number.id, &[assignee], &actor)?;
            numbers.push(number.id);
        }
        let ivr = ivrs::create_ivr(&mut conn, account.id, "Main menu", &numbers[..1], &actor)?;
        // Every non-owner user sees the Support group and the main menu on their dashboard.
        let dashboard = DashboardAccess { workgroups: vec![support.id], ivrs: vec![ivr.id] };
        conn.transaction::<_, StoreError, _>(|conn| {
            for user in &people[1..] {
                users::set_dashboard_access(conn, account.id, *user, &dashboard, None, &actor)?;
            }
            Ok(())
        })?;
        let now = Utc::now();
        // Seven minutes apart, or closer when that would span more than a year.
        let step = (365 * 24 * 60 * 60 / size.communications.max(1) as i64).clamp(1, 7 * 60);
        let communication = |i: usize| {
            let kind = CommunicationKind::ALL[i % 4];
            let workgroup = match i % 3 {
                0 => Some(support.id),
                1 => Some(sales.id),
                _ => None,
            };
            NewCommunication {
                id: None,
                kind,
                direction: if i.is_multiple_of(2) { Direction::Inbound } else { Direction::Outbound },
                number: Some(numbers[i % numbers.len()]),
                workgroup,
                ivr: i.is_multiple_of(5).then_some(ivr.id),
                participants: vec![people[i % people.len()]],
                started_at: now - Duration::seconds((i as i64) * step),
                duration_seconds: if kind == CommunicationKind::Message { 0 } else { 30 + (i as i32 * 13) % 900 },
                has_recording: kind == CommunicationKind::Recording || i.is_multiple_of(6),
            }
        };
        let mut start = 0;
        while start < size.communications {
            let end = (start + COMMUNICATIONS_PER_BATCH).min(size.communications);
            let items: Vec<NewCommunication> = (start..end).map(communication).collect();
            communications::ingest_bulk(&mut conn, account.id, &items, &actor)?;
            start = end;
        }
        created = true;
        out.push(demo);
    }
    if created {
        // Fresh statistics for the query planner: the accounts may have grown by millions of rows.
        conn.batch_execute("ANALYZE").map_err(StoreError::from)?;
    }
    Ok(out)
}

/// How to sign in, printed at start-up.
pub fn instructions(accounts: &[DemoAccount], base: &str) -> String {
    let mut text = format!("Demo accounts (every password: {DEMO_PASSWORD}):\n");
    for a in accounts {
        text.push_str(&format!("  {} ({} pack)\n", a.slug, a.pack));
        for (address, roles) in &a.users {
            text.push_str(&format!("    {address:<42} {}\n", roles.join(" + ")));
        }
        if a.more_users > 0 {
            text.push_str(&format!(
                "    … and {} more users named <role>-<n>@{}.example (n = 2, 3, …), the roles in turn\n",
                a.more_users, a.slug
            ));
        }
    }
    if let Some(first) = accounts.first() {
        let user = &first.users.last().map_or_else(String::new, |u| u.0.clone());
        text.push_str(&format!(
            "Sign in and call /v1/me:\n  TOKEN=$(curl -s {base}/v1/auth/token -H 'content-type: application/json' \\\n    \
             -d '{{\"account\":\"{}\",\"email\":\"{user}\",\"password\":\"{DEMO_PASSWORD}\"}}' | \
             sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/')\n  curl -s {base}/v1/me -H \"Authorization: Bearer $TOKEN\"\n\
             Interactive docs: {base}/docs/\n",
            first.slug
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instructions_name_the_further_users() {
        let account = DemoAccount {
            slug: "demo-x".into(),
            pack: "x".into(),
            users: vec![
                ("superadmin@demo-x.example".into(), vec!["admin".into()]),
                ("agent@demo-x.example".into(), vec!["agent".into()]),
            ],
            more_users: 9998,
        };
        let text = instructions(&[account], "http://127.0.0.1:1");
        assert!(text.contains("and 9998 more users named <role>-<n>@demo-x.example"), "{text}");
        assert!(text.contains("\"email\":\"agent@demo-x.example\""), "{text}");
    }

    #[test]
    fn the_default_size_is_the_small_demo() {
        assert_eq!(DemoSize::default(), DemoSize { users: 0, communications: DEMO_COMMUNICATIONS });
    }
}
