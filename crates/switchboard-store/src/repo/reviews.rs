//! Access reviews (issue 17): every person with each role assignment — who gave it, when, for how
//! long, why — their last sign-in, and the reviewers' latest decision on each assignment.

use crate::common::{Actor, Page, PageRequest, audit, from_db_time, now, to_db_time};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::repo::users::{self, User, UserRow};
use crate::schema::{access_review_decisions as decisions, role_assignments, roles, users as users_t};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use switchboard_core::{AccountId, RoleId, UserId};

/// A reviewer's decision on one assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Keep,
    Revoke,
}

impl ReviewDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewDecision::Keep => "keep",
            ReviewDecision::Revoke => "revoke",
        }
    }
}

/// The latest decision on an assignment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = LastReviewView))]
pub struct LastReview {
    pub decision: String,
    /// `user:<id>` or `api_key:<id>`.
    pub reviewer_id: String,
    pub note: String,
    pub decided_at: DateTime<Utc>,
}

/// One role assignment under review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ReviewedRole))]
pub struct ReviewedAssignment {
    #[serde(skip)]
    pub role_id: RoleId,
    #[cfg_attr(feature = "openapi", schema(example = "supervisor"))]
    pub role: String,
    pub assigned_at: DateTime<Utc>,
    /// `user:<id>`, `api_key:<id>`, `operator` or `system`; absent for assignments made before this was recorded.
    pub assigned_by: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Why, for emergency access.
    pub reason: Option<String>,
    /// The latest review of this assignment: `keep` or `revoke`, by whom, when, with their note.
    pub last_review: Option<LastReview>,
}

/// One person in a review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReviewedUser {
    pub user: User,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub assignments: Vec<ReviewedAssignment>,
}

/// A stored role assignment with its role's key.
#[derive(Queryable, Selectable)]
#[diesel(table_name = role_assignments, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct AssignmentRow {
    user_id: UserId,
    role_id: RoleId,
    #[diesel(select_expression = roles::key)]
    role_key: String,
    assigned_at: NaiveDateTime,
    assigned_by: Option<String>,
    starts_at: Option<NaiveDateTime>,
    expires_at: Option<NaiveDateTime>,
    reason: Option<String>,
}

/// A stored review decision.
#[derive(Queryable, Selectable)]
#[diesel(table_name = decisions, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct DecisionRow {
    user_id: UserId,
    role_id: RoleId,
    decision: String,
    reviewer_id: String,
    note: String,
    decided_at: NaiveDateTime,
}

/// One page of the account's people, by email, with every assignment (current, future, or ended but
/// not yet swept) and its latest review.
pub fn page(conn: &mut DbConn, account: AccountId, page: &PageRequest) -> StoreResult<Page<ReviewedUser>> {
    let (rows, limit) = crate::common::page_by_text!(conn, users_t of account, by email, UserRow, page);
    let ids: Vec<UserId> = rows.iter().map(UserRow::id).collect();
    let signed_in: BTreeMap<UserId, Option<NaiveDateTime>> = users_t::table
        .filter(users_t::account_id.eq(account).and(users_t::id.eq_any(&ids)))
        .select((users_t::id, users_t::last_sign_in_at))
        .load::<(UserId, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .collect();
    let assigned: Vec<AssignmentRow> = role_assignments::table
        .inner_join(roles::table)
        .filter(role_assignments::account_id.eq(account).and(role_assignments::user_id.eq_any(&ids)))
        .select(AssignmentRow::as_select())
        .order((role_assignments::user_id, roles::key))
        .load(conn)?;
    let reviewed: Vec<DecisionRow> = decisions::table
        .filter(decisions::account_id.eq(account).and(decisions::user_id.eq_any(&ids)))
        .select(DecisionRow::as_select())
        .load(conn)?;
    let mut last: BTreeMap<(UserId, RoleId), LastReview> = reviewed
        .into_iter()
        .map(|d| {
            let review = LastReview {
                decision: d.decision,
                reviewer_id: d.reviewer_id,
                note: d.note,
                decided_at: from_db_time(d.decided_at),
            };
            ((d.user_id, d.role_id), review)
        })
        .collect();
    let mut by_user: BTreeMap<UserId, Vec<ReviewedAssignment>> = BTreeMap::new();
    for a in assigned {
        let last_review = last.remove(&(a.user_id, a.role_id));
        by_user.entry(a.user_id).or_default().push(ReviewedAssignment {
            role_id: a.role_id,
            role: a.role_key,
            assigned_at: from_db_time(a.assigned_at),
            assigned_by: a.assigned_by,
            starts_at: a.starts_at.map(from_db_time),
            expires_at: a.expires_at.map(from_db_time),
            reason: a.reason,
            last_review,
        });
    }
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let user = users::user_of(row)?;
        items.push(ReviewedUser {
            last_sign_in_at: signed_in.get(&user.id).copied().flatten().map(from_db_time),
            assignments: by_user.remove(&user.id).unwrap_or_default(),
            user,
        });
    }
    Ok(Page::from_rows(items, limit, |u| vec![u.user.email.clone()]))
}

/// Records a reviewer's decision on an assignment the person holds (a revocation is made by the
/// caller, as an ordinary role change, in the same transaction).
pub fn decide(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    role: RoleId,
    decision: ReviewDecision,
    note: &str,
    actor: &Actor,
) -> StoreResult<()> {
    let reviewer = actor.label();
    if note.chars().count() > 2000 {
        return Err(StoreError::InvalidInput("a note has at most 2000 characters".into()));
    }
    crate::common::write_tx(conn, |conn| {
        let t = to_db_time(now());
        diesel::delete(decisions::table.filter(
            decisions::account_id.eq(account).and(decisions::user_id.eq(user)).and(decisions::role_id.eq(role)),
        ))
        .execute(conn)?;
        diesel::insert_into(decisions::table)
            .values((
                decisions::account_id.eq(account),
                decisions::user_id.eq(user),
                decisions::role_id.eq(role),
                decisions::decision.eq(decision.as_str()),
                decisions::reviewer_id.eq(&reviewer),
                decisions::note.eq(note),
                decisions::decided_at.eq(t),
            ))
            .execute(conn)?;
        let after = json!({"role": role, "decision": decision.as_str(), "note": note});
        audit(conn, account, actor, &format!("access_review.{}", decision.as_str()), "user", user, None, Some(after))?;
        Ok(())
    })
}

/// Whether the person holds the role (now, later, or ended but not yet swept).
pub fn is_assigned(conn: &mut DbConn, account: AccountId, user: UserId, role: RoleId) -> StoreResult<bool> {
    let n: i64 = role_assignments::table
        .filter(role_assignments::account_id.eq(account))
        .filter(role_assignments::user_id.eq(user))
        .filter(role_assignments::role_id.eq(role))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
