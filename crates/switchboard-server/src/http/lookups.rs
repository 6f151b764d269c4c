//! Reverse lookups (issue 17): `GET /v1/who-can` — the people who may see a communication, play its
//! recording, or hold a permission, each with what gives it to them — and
//! `GET /v1/users/{id}/what-can` — what one person reaches and holds, each with its source role.
//! Asking needs `team.members:view`; a communication is asked about only by someone who sees it.

use crate::access::Caller;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use switchboard_core::{
    CommunicationId, DataKinds, IvrId, Level, NumberId, Policy, RoleIdx, ScopeKind, Source, UserId, WorkgroupId,
};
use switchboard_store::repo::communications::{self, CommunicationFilter};
use switchboard_store::repo::lookups::{self, Candidates};
use utoipa::{IntoParams, ToSchema};

/// What to do with a communication.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CommunicationAction {
    /// See it in the history.
    See,
    /// Play its recording.
    Play,
}

/// The question: give exactly one of `permission` and `communication`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WhoCanQuery {
    /// A permission of the account's catalog: `section:level` or a right, e.g. `numbers.delete`.
    pub permission: Option<String>,
    /// A communication of the account.
    pub communication: Option<CommunicationId>,
    /// With `communication`: `see` (default) or `play`.
    #[param(inline)]
    pub action: Option<CommunicationAction>,
}

/// One person who may, and what gives it to them.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhoCanEntry {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    /// They are the account's superadmin, who holds everything.
    pub superadmin: bool,
    /// The role that gives it (absent for the superadmin and for a communication they took part in).
    pub role: Option<String>,
    /// For a communication: the part of their data scope it is in (`personal`: they took part).
    pub scope: Option<ScopeKind>,
}

page!(WhoCanPage, WhoCanEntry);

fn role_key(policy: &Policy, role: Option<RoleIdx>) -> Option<String> {
    role.map(|r| policy.role(r).key().to_owned())
}

/// The people who may see a communication, play its recording, or hold a permission, by id.
#[utoipa::path(operation_id = "who_can", tag = "decisions", security(("bearer" = []), ("api_key" = [])),
    params(WhoCanQuery, PageQuery),
    responses((status = 200, description = "A page of people, each with what gives it to them", body = WhoCanPage), Errors))]
#[get("/who-can")]
pub async fn who_can(
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<WhoCanQuery>,
    page: Query<PageQuery>,
) -> Result<web::Json<WhoCanPage>, ApiError> {
    caller.require("team.members:view", &state.metrics)?;
    let page = page.request()?;
    let query = query.into_inner();
    let answer = db(&state, move |_, conn| {
        let policy = caller.policy();
        let (account, superadmin) = (caller.account.id, caller.account.superadmin);
        let role_ids = |keep: &dyn Fn(RoleIdx) -> bool| {
            policy
                .roles()
                .filter(|(idx, _)| keep(*idx))
                .filter_map(|(_, r)| caller.access.role_by_key(r.key()).map(|s| s.id))
                .collect::<Vec<_>>()
        };
        let entry = |source: Source| (source.superadmin, role_key(policy, source.role), source.scope);
        let found = match (&query.permission, query.communication) {
            (Some(reference), None) => {
                let permission = policy
                    .catalog()
                    .permission(reference)
                    .map_err(|e| ApiError::invalid("permission", e.to_string()))?;
                let holding = role_ids(&|r| policy.role_grants(r, permission));
                let sets = [Candidates::Holding(holding), Candidates::Person(superadmin)];
                lookups::page_of_people(conn, account, &sets, &page, |subject| {
                    let p = policy.principal(subject).ok()?;
                    policy.permission_source(&p, permission).map(entry)
                })?
            }
            (None, Some(id)) => {
                // Only someone who sees the communication asks about it: otherwise it does not exist.
                let record = communications::get(conn, account, &caller.principal.visibility(), id)?;
                let c = record.as_ref();
                let play = (query.action == Some(CommunicationAction::Play)).then_some(record.has_recording);
                let opening: Vec<RoleIdx> = policy.roles_opening(&c).collect();
                let wide = role_ids(&|r| opening.contains(&r));
                let sets = lookups::communication_candidates(&record, wide, superadmin);
                lookups::page_of_people(conn, account, &sets, &page, |subject| {
                    let p = policy.principal(subject).ok()?;
                    policy.communication_source(&p, &c, play).ok().map(entry)
                })?
            }
            _ => return Err(ApiError::invalid("permission", "give exactly one of `permission` and `communication`")),
        };
        Ok(WhoCanPage::map(found, |(person, (superadmin, role, scope))| WhoCanEntry {
            user_id: person.id,
            email: person.email,
            name: person.name,
            superadmin,
            role,
            scope,
        }))
    })
    .await?;
    Ok(web::Json(answer))
}

/// Where something a person reaches comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reached<Id> {
    pub id: Id,
    /// `member` (a workgroup they belong to), `dashboard` (their dashboard access), `assigned` (a
    /// number assigned to them) or `selected` (a number their role selects).
    pub via: &'static str,
    /// The roles whose scope opens it.
    pub roles: Vec<String>,
}

/// A section or right someone holds, and the roles that give it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Held {
    /// A section key or a right key.
    pub key: String,
    /// For a section: the level held.
    pub level: Option<Level>,
    pub roles: Vec<String>,
}

/// What one person reaches and holds (whatever their status), each with its source.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhatCan {
    pub user_id: UserId,
    /// Invited and disabled people hold nothing until they are active; this says what they would.
    pub active: bool,
    pub superadmin: bool,
    pub sections: Vec<Held>,
    pub rights: Vec<Held>,
    /// Every communication of the account (scope `all`, or the superadmin).
    pub everything: bool,
    pub workgroups: Vec<Reached<WorkgroupId>>,
    pub numbers: Vec<Reached<NumberId>>,
    pub ivrs: Vec<Reached<IvrId>>,
    /// The kinds of data shown beyond their own communications.
    pub kinds: DataKinds,
    /// All recents, not only their own.
    pub recents_all: bool,
}

/// What one person reaches (numbers, workgroups, IVRs, or everything) and holds (sections, rights),
/// each with the roles it comes from. Their communications are `GET /v1/communications` as they see
/// them; asking for someone else needs `team.members:view`.
#[utoipa::path(operation_id = "what_can", tag = "decisions", security(("bearer" = []), ("api_key" = [])),
    params(("id" = UserId, Path, description = "The user's id")),
    responses((status = 200, description = "What they reach and hold", body = WhatCan), Errors))]
#[get("/users/{id}/what-can")]
pub async fn what_can(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
) -> Result<web::Json<WhatCan>, ApiError> {
    let id = id.into_inner();
    if id != caller.user.id {
        caller.require("team.members:view", &state.metrics)?;
    }
    let answer = db(&state, move |_, conn| {
        let subject = switchboard_store::repo::users::subject(conn, caller.account.id, id)?;
        let policy = caller.policy();
        let p = policy.principal(&subject)?;
        let catalog = policy.catalog();
        let keys = |keep: &dyn Fn(RoleIdx) -> bool| -> Vec<String> {
            if p.superadmin {
                return vec![switchboard_core::role::SUPERADMIN_GUARD.to_owned()];
            }
            p.roles.iter().copied().filter(|r| keep(*r)).map(|r| policy.role(r).key().to_owned()).collect()
        };
        let sections = catalog
            .sections()
            .iter()
            .filter(|s| p.superadmin || p.held_permissions.rank(s.id) > 0)
            .map(|s| {
                let rank = if p.superadmin { s.def.level_set.top().rank() } else { p.held_permissions.rank(s.id) };
                Held {
                    key: s.def.key.clone(),
                    level: Some(s.def.level_set.level_of_rank(rank)),
                    roles: keys(&|r| policy.role(r).access().permissions.rank(s.id) > 0),
                }
            })
            .collect();
        let rights = catalog
            .rights()
            .iter()
            .filter(|r| p.superadmin || p.held_permissions.has_right(r.id))
            .map(|right| Held {
                key: right.key.clone(),
                level: None,
                roles: keys(&|r| policy.role(r).access().permissions.has_right(right.id)),
            })
            .collect();
        let reach = p.reach();
        let by_scope = |part: ScopeKind| keys(&|r| policy.role(r).access().scope.has(part));
        let mut workgroups: Vec<Reached<WorkgroupId>> = reach
            .workgroups
            .iter()
            .map(|w| Reached { id: *w, via: "member", roles: by_scope(ScopeKind::Workgroup) })
            .collect();
        workgroups.extend(reach.dashboard_workgroups.iter().map(|w| Reached {
            id: *w,
            via: "dashboard",
            roles: by_scope(ScopeKind::Dashboard),
        }));
        let numbers = reach
            .numbers
            .iter()
            .map(|n| {
                let selecting = keys(&|r| policy.role(r).access().scope_numbers.binary_search(n).is_ok());
                if subject.numbers.contains(n) {
                    Reached { id: *n, via: "assigned", roles: by_scope(ScopeKind::Numbers) }
                } else {
                    Reached { id: *n, via: "selected", roles: selecting }
                }
            })
            .collect();
        let ivrs = reach
            .dashboard_ivrs
            .iter()
            .map(|i| Reached { id: *i, via: "dashboard", roles: by_scope(ScopeKind::Dashboard) })
            .collect();
        Ok(WhatCan {
            user_id: id,
            active: p.active,
            superadmin: p.superadmin,
            sections,
            rights,
            everything: reach.everything,
            workgroups,
            numbers,
            ivrs,
            kinds: DataKinds::of(reach.kinds),
            recents_all: reach.recents_all,
        })
    })
    .await?;
    Ok(web::Json(answer))
}

/// The communications one person can reach, newest first, as they see them (`recording_playable` is
/// theirs), limited to those the caller sees too: a page may hold fewer than `limit` items; follow
/// `next_cursor`. Asking about someone else needs `team.members:view`.
#[utoipa::path(operation_id = "list_user_communications", tag = "decisions", security(("bearer" = []), ("api_key" = [])),
    params(("id" = UserId, Path, description = "The user's id"), CommunicationFilter, PageQuery),
    responses((status = 200, description = "A page of their communications", body = crate::http::history::CommunicationPage), Errors))]
#[get("/users/{id}/communications")]
pub async fn user_communications(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
    filter: Query<CommunicationFilter>,
    page: Query<PageQuery>,
) -> Result<web::Json<crate::http::history::CommunicationPage>, ApiError> {
    use crate::http::history::{CommunicationPage, CommunicationView};
    let id = id.into_inner();
    if id != caller.user.id {
        caller.require("team.members:view", &state.metrics)?;
    }
    let (filter, page) = (filter.into_inner(), page.request()?);
    let answer = db(&state, move |_, conn| {
        let subject = switchboard_store::repo::users::subject(conn, caller.account.id, id)?;
        let policy = caller.policy();
        let person = policy.principal(&subject)?;
        let mut found = communications::list(conn, caller.account.id, &person.visibility(), &filter, &page)?;
        found.items.retain(|c| policy.can_see(&caller.principal, &c.as_ref()).is_allowed());
        Ok(CommunicationPage::map(found, |c| CommunicationView::seen_by(c, policy, &person)))
    })
    .await?;
    Ok(web::Json(answer))
}
