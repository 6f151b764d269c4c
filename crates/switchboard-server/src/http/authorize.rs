//! `POST /v1/authorize` and `/v1/authorize/batch`: a decision with its reason, for any user of the
//! account, optionally about one record.

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::Errors;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{post, web};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use switchboard_core::{
    CommunicationId, Decision, IvrId, NumberId, Principal, Reason, RoleId, UserId, Via, Visibility, WorkgroupId,
};
use switchboard_store::repo::{communications, ivrs, numbers, roles, users, workgroups};
use utoipa::ToSchema;
use uuid::Uuid;

/// Most checks one batch answers.
pub const MAX_CHECKS: usize = 500;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    Communication,
    /// The recording of a communication: may the user play it (what a media server asks before
    /// streaming)?
    Recording,
    Number,
    Workgroup,
    Ivr,
    User,
    Role,
}

/// The record a check is about.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: ResourceType,
    pub id: Uuid,
}

/// One question: may this user use this permission (on this record)?
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Default: the caller. Asking about someone else needs `team.members:view`.
    pub user_id: Option<UserId>,
    /// `section:level` (e.g. `numbers:view`) or a right (e.g. `reports.download`) of the account's
    /// catalog (`GET /v1/permissions`). May be left out with a `communication` or `recording`
    /// resource: the answer is then that record's alone.
    #[schema(
        example = "reports.download",
        min_length = 1,
        pattern = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(:(view|manage|full))?$"
    )]
    pub permission: Option<String>,
    /// With a `communication`, the answer also says whether it is within the user's data scope and
    /// of a kind their roles show there (`kind_not_shown`); with a `recording`, whether they may play
    /// it (`no_recording` when there is none); with a `user`, whether that person is within the
    /// user's reach (`out_of_reach`).
    pub resource: Option<Resource>,
}

/// The answer, with the reason that decided it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Answer {
    pub allowed: bool,
    pub reason: Reason,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchChecks {
    /// 1 to 500 checks.
    #[schema(min_items = 1, max_items = 500)]
    pub checks: Vec<Check>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchAnswers {
    /// One answer per check, in order.
    pub results: Vec<Answer>,
}

fn decide(
    caller: &Caller,
    state: &AppState,
    principals: &mut HashMap<UserId, Arc<Principal>>,
    check: &Check,
    position: Option<usize>,
) -> Result<Answer, ApiError> {
    let policy = caller.policy();
    let field = |name: &str| position.map_or_else(|| name.to_owned(), |i| format!("checks[{i}].{name}"));
    let about_a_record = check
        .resource
        .as_ref()
        .is_some_and(|r| matches!(r.kind, ResourceType::Communication | ResourceType::Recording));
    let permission = match &check.permission {
        Some(p) => {
            Some(policy.catalog().permission(p).map_err(|e| ApiError::invalid(field("permission"), e.to_string()))?)
        }
        None if about_a_record => None,
        None => {
            let message = "give a permission (only a `communication` or `recording` resource may go without)";
            return Err(ApiError::invalid(field("permission"), message));
        }
    };
    let user = check.user_id.unwrap_or(caller.user.id);
    let principal = match principals.entry(user) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => e.insert(caller.principal_for_decision(&state.store, user)?),
    };
    let principal = &*principal;
    let mut decision = match permission {
        Some(permission) => policy.check(principal, permission),
        None if principal.active => Decision::Allowed(Via::Grant),
        None => Decision::InactiveUser,
    };
    if let Some(resource) = &check.resource {
        let mut conn = state.store.conn()?;
        let conn = &mut conn;
        let account = caller.account.id;
        match resource.kind {
            ResourceType::Communication => {
                let record = communications::get(conn, account, &Visibility::Everything, CommunicationId(resource.id))?;
                if decision.is_allowed() {
                    decision = policy.can_see(principal, &record.as_ref());
                }
            }
            ResourceType::Recording => {
                let record = communications::get(conn, account, &Visibility::Everything, CommunicationId(resource.id))?;
                if decision.is_allowed() {
                    decision = policy.can_play_recording(principal, &record.as_ref(), record.has_recording);
                }
            }
            ResourceType::Number => drop(numbers::get_number(conn, account, NumberId(resource.id))?),
            ResourceType::Workgroup => drop(workgroups::get_workgroup(conn, account, WorkgroupId(resource.id))?),
            ResourceType::Ivr => drop(ivrs::get_ivr(conn, account, IvrId(resource.id))?),
            ResourceType::User => {
                let person = UserId(resource.id);
                users::get(conn, account, person)?;
                // A decision about a person is made on that person (rule 8).
                if decision.is_allowed() {
                    let person = caller.principal_in(conn, person)?;
                    decision = policy.can_reach(principal, &person, &person);
                }
            }
            ResourceType::Role => drop(roles::get(conn, account, RoleId(resource.id))?),
        }
    }
    state.metrics.decided(decision.code());
    Ok(Answer { allowed: decision.is_allowed(), reason: decision.explain(caller.policy()) })
}

/// Whether checks can be answered from memory alone: all about the caller, none about a record.
fn from_memory(caller: &Caller, checks: &[Check]) -> bool {
    checks.iter().all(|c| c.resource.is_none() && c.user_id.is_none_or(|u| u == caller.user.id))
}

/// Answers every check; `batch` says whether errors name a field by its position (`checks[i].`).
fn answer_all(caller: &Caller, state: &AppState, checks: &[Check], batch: bool) -> Result<Vec<Answer>, ApiError> {
    let mut principals = HashMap::new();
    checks
        .iter()
        .enumerate()
        .map(|(i, check)| decide(caller, state, &mut principals, check, batch.then_some(i)))
        .collect()
}

fn may_ask_about_others(caller: &Caller, checks: &[Check], state: &AppState) -> Result<(), ApiError> {
    if checks.iter().any(|c| c.user_id.is_some_and(|u| u != caller.user.id)) {
        caller.require("team.members:view", &state.metrics)?;
    }
    Ok(())
}

/// Asks one question.
#[utoipa::path(operation_id = "authorize", tag = "decisions", security(("bearer" = []), ("api_key" = [])),
    request_body = Check, responses((status = 200, description = "The decision and its reason", body = Answer), Errors))]
#[post("/authorize")]
pub async fn authorize(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<Check>,
) -> Result<web::Json<Answer>, ApiError> {
    let checks = vec![body.parse()?];
    may_ask_about_others(&caller, &checks, &state)?;
    // The hot path: a question about the caller alone is a few bit tests, no database, no thread hop.
    let mut answers = if from_memory(&caller, &checks) {
        answer_all(&caller, &state, &checks, false)?
    } else {
        let state = state.into_inner();
        web::block(move || answer_all(&caller, &state, &checks, false)).await??
    };
    answers.pop().map(web::Json).ok_or_else(|| ApiError::Internal("no answer".into()))
}

/// Asks up to 500 questions at once; answers come back in order.
#[utoipa::path(operation_id = "authorize_batch", tag = "decisions", security(("bearer" = []), ("api_key" = [])),
    request_body = BatchChecks, responses((status = 200, description = "The decisions, in order", body = BatchAnswers), Errors))]
#[post("/authorize/batch")]
pub async fn authorize_batch(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<BatchChecks>,
) -> Result<web::Json<BatchAnswers>, ApiError> {
    let checks = body.parse()?.checks;
    if checks.is_empty() || checks.len() > MAX_CHECKS {
        return Err(ApiError::invalid("checks", format!("give 1 to {MAX_CHECKS} checks")));
    }
    may_ask_about_others(&caller, &checks, &state)?;
    let results = if from_memory(&caller, &checks) {
        answer_all(&caller, &state, &checks, true)?
    } else {
        let state = state.into_inner();
        web::block(move || answer_all(&caller, &state, &checks, true)).await??
    };
    Ok(web::Json(BatchAnswers { results }))
}
