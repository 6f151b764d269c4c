//! Access reviews (issue 17): `GET /v1/access-review` lists every person with their role
//! assignments — who gave each, when, until when, why — their reach and last sign-in, as JSON or
//! (with `Accept: text/csv`) CSV; `POST /v1/access-review/decisions` records a reviewer's decision to
//! keep or revoke an assignment. A revocation is an ordinary role change, judged by the same rules.
//! Reviewing is for those who read the audit log.

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::http::csv::{self, Accepts};
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use switchboard_core::{IvrId, NumberId, RoleKey, UserId, UserStatus, WorkgroupId};
use switchboard_store::repo::reviews::{self, ReviewDecision, ReviewedAssignment, ReviewedUser};
use switchboard_store::{Page, PageRequest};
use utoipa::ToSchema;

/// One person under review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewEntry {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub status: UserStatus,
    pub superadmin: bool,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub roles: Vec<ReviewedAssignment>,
    /// Every communication of the account (scope `all`, or the superadmin).
    pub everything: bool,
    /// The workgroups, numbers and IVRs their scope reaches now (dashboard access included).
    pub workgroups: Vec<WorkgroupId>,
    pub numbers: Vec<NumberId>,
    pub ivrs: Vec<IvrId>,
}

page!(ReviewPage, ReviewEntry);

fn may_review(caller: &Caller, state: &AppState) -> Result<(), ApiError> {
    caller.allow(caller.policy().can_read_audit(&caller.principal)?, &state.metrics)
}

/// One page of the review: the people, their assignments and their reach now.
fn review_page(
    caller: &Caller,
    conn: &mut switchboard_store::DbConn,
    request: &PageRequest,
) -> Result<ReviewPage, ApiError> {
    let (account, superadmin) = (caller.account.id, caller.account.superadmin);
    let page: Page<ReviewedUser> = reviews::page(conn, account, request)?;
    let ids: Vec<UserId> = page.items.iter().map(|u| u.user.id).collect();
    let subjects = switchboard_store::repo::users::subjects(conn, account, &ids)?;
    let policy = caller.policy();
    let mut items = Vec::with_capacity(page.items.len());
    for (reviewed, subject) in page.items.into_iter().zip(subjects) {
        let p = policy.principal(&subject)?;
        let reach = p.reach();
        let mut workgroups: Vec<WorkgroupId> =
            reach.workgroups.iter().chain(reach.dashboard_workgroups).copied().collect();
        workgroups.sort();
        workgroups.dedup();
        items.push(ReviewEntry {
            user_id: reviewed.user.id,
            email: reviewed.user.email,
            name: reviewed.user.name,
            status: reviewed.user.status,
            superadmin: reviewed.user.id == superadmin,
            last_sign_in_at: reviewed.last_sign_in_at,
            roles: reviewed.assignments,
            everything: reach.everything,
            workgroups,
            numbers: reach.numbers.to_vec(),
            ivrs: reach.dashboard_ivrs.to_vec(),
        });
    }
    Ok(ReviewPage { items, next_cursor: page.next_cursor })
}

fn time(t: &Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)).unwrap_or_default()
}

const CSV_HEADER: [&str; 14] = [
    "email",
    "name",
    "status",
    "superadmin",
    "last_sign_in_at",
    "role",
    "assigned_at",
    "assigned_by",
    "starts_at",
    "expires_at",
    "reason",
    "last_review",
    "reach",
    "user_id",
];

/// One line per assignment (a person without roles gets one line without a role).
fn push_csv(out: &mut String, e: &ReviewEntry) {
    let status = serde_json::to_value(e.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let reach = if e.everything {
        "everything".to_owned()
    } else {
        format!("{} workgroups, {} numbers, {} IVRs", e.workgroups.len(), e.numbers.len(), e.ivrs.len())
    };
    let person = [e.email.clone(), e.name.clone(), status, e.superadmin.to_string(), time(&e.last_sign_in_at)];
    let empty =
        [String::new(), String::new(), String::new(), String::new(), String::new(), String::new(), String::new()];
    let lines: Vec<[String; 7]> = if e.roles.is_empty() {
        vec![empty]
    } else {
        e.roles
            .iter()
            .map(|r| {
                [
                    r.role.clone(),
                    time(&Some(r.assigned_at)),
                    r.assigned_by.clone().unwrap_or_default(),
                    time(&r.starts_at),
                    time(&r.expires_at),
                    r.reason.clone().unwrap_or_default(),
                    r.last_review.as_ref().map(|l| l.decision.clone()).unwrap_or_default(),
                ]
            })
            .collect()
    };
    let user_id = e.user_id.to_string();
    for line in lines {
        let fields = person.iter().chain(line.iter()).chain([&reach, &user_id]).map(String::as_str).collect::<Vec<_>>();
        csv::push_line(out, fields);
    }
}

/// The access review: every person by email, with their assignments (who gave each, when, until
/// when, why, the latest review), their reach and their last sign-in. `Accept: text/csv` downloads all
/// of it, one line per assignment, streamed a page at a time.
#[utoipa::path(operation_id = "get_access_review", tag = "audit", security(("bearer" = []), ("api_key" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of the review, or all of it as CSV", content(
        (ReviewPage = "application/json"), (String = "text/csv"))), Errors))]
#[get("/access-review")]
pub async fn access_review(
    accepts: Accepts,
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    may_review(&caller, &state)?;
    if accepts.csv {
        let mut head = String::new();
        csv::push_line(&mut head, CSV_HEADER);
        return Ok(csv::stream_pages(state, csv::CONTENT_TYPE, head, move |conn, request| {
            let page = review_page(&caller, conn, request)?;
            let mut out = String::new();
            page.items.iter().for_each(|e| push_csv(&mut out, e));
            Ok((out, page.next_cursor))
        }));
    }
    let request = query.request()?;
    let page = db(&state, move |_, conn| review_page(&caller, conn, &request)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// What a reviewer decides about one assignment.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Keep,
    Revoke,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDecisionRequest {
    pub user_id: UserId,
    /// The key of the role they hold.
    pub role: RoleKey,
    pub decision: DecisionKind,
    /// Why, for the record (at most 2000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// Records a reviewer's decision on one assignment: `keep`, or `revoke` — an ordinary role change,
/// judged by the same rules as any (the reviewer must be able to take the role away). Both are audited.
#[utoipa::path(operation_id = "decide_access_review", tag = "audit", security(("bearer" = []), ("api_key" = [])),
    request_body = ReviewDecisionRequest, responses((status = 204, description = "Recorded"), Errors))]
#[post("/access-review/decisions")]
pub async fn decide(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<ReviewDecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.parse()?;
    let decision = match request.decision {
        DecisionKind::Keep => ReviewDecision::Keep,
        DecisionKind::Revoke => ReviewDecision::Revoke,
    };
    service::run(&state, caller, move |cx| {
        service::reviews::decide(cx, request.user_id, request.role.into_inner(), decision, &request.note)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
