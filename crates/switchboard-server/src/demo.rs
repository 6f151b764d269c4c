//! `switchboard serve --demo`: a sample account per preset pack — a user in every role, workgroups,
//! numbers, an IVR, dashboard access and thousands of communications — created once, then reused.

use crate::packs::Packs;
use crate::problem::ApiError;
use crate::provision::{AccountSpec, create_account};
use chrono::{Duration, Utc};
use switchboard_core::{DashboardAccess, RoleMode, UserStatus};
use switchboard_store::repo::communications::{self, CommunicationKind, Direction, NewCommunication};
use switchboard_store::repo::teams::{self, NumberInput, NumberKind};
use switchboard_store::repo::{accounts, roles, users};
use switchboard_store::{Actor, Store};

/// The password of every demo user. Demo data only: never use `--demo` for real accounts.
pub const DEMO_PASSWORD: &str = "switchboard-demo";
/// Communications per demo account.
pub const DEMO_COMMUNICATIONS: usize = 5000;

/// One demo account, for the start-up message.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub slug: String,
    pub pack: String,
    pub users: Vec<(String, Vec<String>)>,
}

fn slug(pack: &str) -> String {
    format!("demo-{pack}")
}

fn email(role: &str, slug: &str) -> String {
    format!("{}@{slug}.example", role.replace('_', "-"))
}

/// Creates the demo accounts that don't exist yet; returns them all.
pub fn seed(store: &Store, packs: &Packs) -> Result<Vec<DemoAccount>, ApiError> {
    let mut conn = store.conn()?;
    let mut out = Vec::new();
    for loaded in packs.iter() {
        let pack = &loaded.pack;
        let slug = slug(&pack.name);
        let mut demo = DemoAccount { slug: slug.clone(), pack: pack.name.clone(), users: Vec::new() };
        demo.users.push((email("superadmin", &slug), pack.owner_roles.clone()));
        for role in &pack.roles {
            let mut held = vec![role.key.clone()];
            if pack.role_mode == RoleMode::Combinable
                && let Some(default) = &pack.default_role
                && default != &role.key
            {
                held.push(default.clone());
            }
            demo.users.push((email(&role.key, &slug), held));
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
        let hash = crate::auth::password::hash(DEMO_PASSWORD).map_err(ApiError::Internal)?;
        let stored_roles = roles::load_all(&mut conn, account.id)?;
        let mut people = vec![owner.id];
        for (address, held) in demo.users.iter().skip(1) {
            let new = users::NewUser {
                email: address.clone(),
                name: address.split('@').next().unwrap_or_default().replace('-', " "),
                status: UserStatus::Active,
                password_hash: Some(hash.clone()),
            };
            let user = users::create(&mut conn, account.id, &new, &actor)?;
            let ids: Vec<_> = stored_roles.iter().filter(|r| held.contains(&r.definition.key)).map(|r| r.id).collect();
            roles::set_user_roles(&mut conn, account.id, user.id, &ids, pack.role_mode, None, &actor)?;
            people.push(user.id);
        }
        let half = people.len().div_ceil(2);
        let support = teams::create_workgroup(&mut conn, account.id, "Support", &people[..half], &actor)?;
        let sales = teams::create_workgroup(&mut conn, account.id, "Sales", &people[half..], &actor)?;
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
            let number = teams::create_number(&mut conn, account.id, &input, &actor)?;
            let assignee = people[i % people.len()];
            teams::set_number_users(&mut conn, account.id, number.id, &[assignee], &actor)?;
            numbers.push(number.id);
        }
        let ivr = teams::create_ivr(&mut conn, account.id, "Main menu", &numbers[..1], &actor)?;
        // Every non-owner user sees the Support group and the main menu on their dashboard.
        let dashboard = DashboardAccess { workgroups: vec![support.id], ivrs: vec![ivr.id] };
        for user in &people[1..] {
            users::set_dashboard_access(&mut conn, account.id, *user, &dashboard, None, &actor)?;
        }
        let now = Utc::now();
        let items: Vec<NewCommunication> = (0..DEMO_COMMUNICATIONS)
            .map(|i| {
                let kind = CommunicationKind::ALL[i % 4];
                let workgroup = match i % 3 {
                    0 => Some(support.id),
                    1 => Some(sales.id),
                    _ => None,
                };
                NewCommunication {
                    id: None,
                    kind,
                    direction: if i % 2 == 0 { Direction::Inbound } else { Direction::Outbound },
                    number: Some(numbers[i % numbers.len()]),
                    workgroup,
                    ivr: (i % 5 == 0).then_some(ivr.id),
                    participants: vec![people[i % people.len()]],
                    started_at: now - Duration::minutes((i as i64) * 7),
                    duration_seconds: if kind == CommunicationKind::Message { 0 } else { 30 + (i as i32 * 13) % 900 },
                    has_recording: kind == CommunicationKind::Recording || i % 6 == 0,
                }
            })
            .collect();
        communications::ingest_bulk(&mut conn, account.id, &items, &actor)?;
        out.push(demo);
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
