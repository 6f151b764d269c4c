//! `POST /v1/authorize` and `/v1/authorize/batch`: a decision with its reason, for any user of the
//! account, optionally about one record.

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::Errors;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::mime;
use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use switchboard_core::{
    CommunicationId, Decision, IvrId, NumberId, Permission, Principal, Reason, RoleId, UserId, Via, WorkgroupId,
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
    /// user's reach (`out_of_reach`). A communication the caller cannot see themselves is answered
    /// 404, as its own page is: asking never tells anyone that a record they may not see exists.
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

// The schema of the body `render_all` writes (a test holds the two together).
#[derive(Debug, Serialize, ToSchema)]
#[cfg_attr(not(test), allow(dead_code))]
pub struct BatchAnswers {
    /// One answer per check, in order.
    pub results: Vec<Answer>,
}

/// What a request's checks share: the principals, permissions and rendered answers already worked
/// out. A batch asks about a few people and a few permissions many times over, so each is resolved,
/// and each distinct decision explained and rendered, once.
#[derive(Default)]
struct Asked {
    principals: HashMap<UserId, Arc<Principal>>,
    permissions: Vec<(String, Permission)>,
    /// Each distinct decision with its answer as JSON.
    answers: Vec<(Decision, String)>,
}

impl Asked {
    /// The principals of the checks' people, when every check can be answered from memory alone:
    /// none is about a record and every person's principal is the caller's or cached.
    fn from_memory(caller: &Caller, checks: &[Check]) -> Option<Asked> {
        let mut asked = Asked::default();
        for check in checks {
            if check.resource.is_some() {
                return None;
            }
            let user = check.user_id.unwrap_or(caller.user.id);
            if let std::collections::hash_map::Entry::Vacant(e) = asked.principals.entry(user) {
                e.insert(caller.cached_principal(user)?);
            }
        }
        Some(asked)
    }

    fn permission(
        &mut self,
        caller: &Caller,
        reference: &str,
        field: impl Fn() -> String,
    ) -> Result<Permission, ApiError> {
        if let Some((_, known)) = self.permissions.iter().find(|(r, _)| r == reference) {
            return Ok(*known);
        }
        let resolved =
            caller.policy().catalog().permission(reference).map_err(|e| ApiError::invalid(field(), e.to_string()))?;
        self.permissions.push((reference.to_owned(), resolved));
        Ok(resolved)
    }

    fn principal(&mut self, caller: &Caller, state: &AppState, user: UserId) -> Result<Arc<Principal>, ApiError> {
        if let Some(known) = self.principals.get(&user) {
            return Ok(known.clone());
        }
        let principal = caller.principal_for_decision(&state.store, user)?;
        self.principals.insert(user, principal.clone());
        Ok(principal)
    }

    /// The answer to `decision` as JSON, explained once per distinct decision.
    fn rendered(&mut self, decision: Decision, answer: &impl Fn(Decision) -> Answer) -> Result<&str, ApiError> {
        let at = match self.answers.iter().position(|(d, _)| *d == decision) {
            Some(at) => at,
            None => {
                let json = serde_json::to_string(&answer(decision))
                    .map_err(|e| ApiError::Internal(format!("an answer could not be written: {e}")))?;
                self.answers.push((decision, json));
                self.answers.len() - 1
            }
        };
        Ok(&self.answers[at].1)
    }
}

fn answer(caller: &Caller, decision: Decision) -> Answer {
    Answer { allowed: decision.is_allowed(), reason: decision.explain(caller.policy()) }
}

fn decide(
    caller: &Caller,
    state: &AppState,
    asked: &mut Asked,
    check: &Check,
    position: Option<usize>,
) -> Result<Decision, ApiError> {
    let policy = caller.policy();
    let field = |name: &str| position.map_or_else(|| name.to_owned(), |i| format!("checks[{i}].{name}"));
    let about_a_record = check
        .resource
        .as_ref()
        .is_some_and(|r| matches!(r.kind, ResourceType::Communication | ResourceType::Recording));
    let permission = match &check.permission {
        Some(p) => Some(asked.permission(caller, p, || field("permission"))?),
        None if about_a_record => None,
        None => {
            let message = "give a permission (only a `communication` or `recording` resource may go without)";
            return Err(ApiError::invalid(field("permission"), message));
        }
    };
    let principal = asked.principal(caller, state, check.user_id.unwrap_or(caller.user.id))?;
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
        // A record the caller cannot see themselves does not exist for them (404, as its page would
        // answer): asking about it must not tell them it is there, nor its kind, nor whose it is.
        let visible = caller.principal.visibility();
        match resource.kind {
            ResourceType::Communication => {
                let record = communications::get(conn, account, &visible, CommunicationId(resource.id))?;
                if decision.is_allowed() {
                    decision = policy.can_see(principal, &record.as_ref());
                }
            }
            ResourceType::Recording => {
                let record = communications::get(conn, account, &visible, CommunicationId(resource.id))?;
                if decision.is_allowed() {
                    decision = policy.can_play_recording(principal, &record.as_ref(), record.has_recording);
                }
            }
            ResourceType::Number => drop(numbers::get(conn, account, NumberId(resource.id))?),
            ResourceType::Workgroup => drop(workgroups::get(conn, account, WorkgroupId(resource.id))?),
            ResourceType::Ivr => drop(ivrs::get(conn, account, IvrId(resource.id))?),
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
    Ok(decision)
}

/// Decides every check; `batch` says whether errors name a field by its position (`checks[i].`).
fn decide_all(
    caller: &Caller,
    state: &AppState,
    asked: &mut Asked,
    checks: &[Check],
    batch: bool,
) -> Result<Vec<Decision>, ApiError> {
    checks.iter().enumerate().map(|(i, check)| decide(caller, state, asked, check, batch.then_some(i))).collect()
}

/// The batch's answers as JSON (`BatchAnswers`), each distinct answer written once.
fn render_all(
    asked: &mut Asked,
    decisions: &[Decision],
    answer: impl Fn(Decision) -> Answer,
) -> Result<String, ApiError> {
    let mut out = String::with_capacity(16 + decisions.len() * 128);
    out.push_str("{\"results\":[");
    for (i, decision) in decisions.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(asked.rendered(*decision, &answer)?);
    }
    out.push_str("]}");
    Ok(out)
}

/// The batch's answers as JSON, starting from what `asked` already knows.
fn answer_batch(caller: &Caller, state: &AppState, mut asked: Asked, checks: &[Check]) -> Result<String, ApiError> {
    let decisions = decide_all(caller, state, &mut asked, checks, true)?;
    render_all(&mut asked, &decisions, |d| answer(caller, d))
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
    // The hot path: a question about someone in memory is a few bit tests, no database, no thread hop.
    let decisions = match Asked::from_memory(&caller, &checks) {
        Some(mut asked) => decide_all(&caller, &state, &mut asked, &checks, false)?,
        None => {
            let (caller, state) = (caller.clone(), state.clone().into_inner());
            web::block(move || decide_all(&caller, &state, &mut Asked::default(), &checks, false)).await??
        }
    };
    let decision = decisions.first().copied().ok_or_else(|| ApiError::Internal("no answer".into()))?;
    Ok(web::Json(answer(&caller, decision)))
}

/// Asks up to 500 questions at once; answers come back in order.
#[utoipa::path(operation_id = "authorize_batch", tag = "decisions", security(("bearer" = []), ("api_key" = [])),
    request_body = BatchChecks, responses((status = 200, description = "The decisions, in order", body = BatchAnswers), Errors))]
#[post("/authorize/batch")]
pub async fn authorize_batch(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<BatchChecks>,
) -> Result<HttpResponse, ApiError> {
    let checks = body.parse()?.checks;
    if checks.is_empty() || checks.len() > MAX_CHECKS {
        return Err(ApiError::invalid("checks", format!("give 1 to {MAX_CHECKS} checks")));
    }
    may_ask_about_others(&caller, &checks, &state)?;
    let body = match Asked::from_memory(&caller, &checks) {
        Some(asked) => answer_batch(&caller, &state, asked, &checks)?,
        None => {
            let state = state.into_inner();
            web::block(move || answer_batch(&caller, &state, Asked::default(), &checks)).await??
        }
    };
    Ok(HttpResponse::Ok().content_type(mime::APPLICATION_JSON).body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer_to(decision: Decision) -> Answer {
        let (code, message) = if decision.is_allowed() { ("allowed", "yes") } else { ("inactive_user", "no") };
        let reason = serde_json::json!({"code": code, "message": message});
        Answer { allowed: decision.is_allowed(), reason: serde_json::from_value(reason).expect("a reason") }
    }

    #[test]
    fn a_batch_is_written_as_its_schema_would_be_each_distinct_answer_once() {
        let decisions =
            [Decision::Allowed(Via::Superadmin), Decision::InactiveUser, Decision::Allowed(Via::Superadmin)];
        let mut asked = Asked::default();
        let written = render_all(&mut asked, &decisions, answer_to).expect("written");
        let whole = BatchAnswers { results: decisions.iter().map(|d| answer_to(*d)).collect() };
        assert_eq!(written, serde_json::to_string(&whole).expect("the batch"));
        assert_eq!(asked.answers.len(), 2, "two distinct decisions, each explained once");
    }
}
