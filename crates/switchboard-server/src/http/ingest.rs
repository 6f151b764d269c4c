//! `POST /v1/communications` and `/v1/communications/batch`: the phone platform records calls,
//! messages, voicemails and recordings (metadata only), each reference checked against the account.

use crate::access::Caller;
use crate::blocking::write;
use crate::http::body::Body;
use crate::http::common::Errors;
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_core::{AccountId, CommunicationId, IvrId, NumberId, UserId, WorkgroupId};
use switchboard_store::DbConn;
use switchboard_store::repo::communications::{self, CommunicationKind, Direction, NewCommunication};
use switchboard_store::repo::{ivrs, numbers, users, workgroups};
use utoipa::ToSchema;

/// The permission of the phone platform's integration that stores records.
const INGEST: &str = "integrations.api:manage";
/// Most records one batch ingests.
pub const MAX_BATCH: usize = 1000;
/// Longest call accepted: a day.
const MAX_DURATION: i32 = 86_400;

/// A record to ingest.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IngestCommunication {
    /// Optional: makes retries idempotent.
    pub id: Option<CommunicationId>,
    pub kind: CommunicationKind,
    pub direction: Direction,
    pub number: Option<NumberId>,
    pub workgroup: Option<WorkgroupId>,
    pub ivr: Option<IvrId>,
    /// Users of the account who took part, at most 100.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub participants: Vec<UserId>,
    pub started_at: DateTime<Utc>,
    /// 0 to 86400 (a day).
    #[serde(default, deserialize_with = "crate::http::body::whole_number")]
    #[schema(minimum = 0, maximum = 86400)]
    pub duration_seconds: i32,
    #[serde(default)]
    pub has_recording: bool,
}

impl IngestCommunication {
    fn into_new(self, index: Option<usize>) -> Result<NewCommunication, ApiError> {
        let at = |field: &str| match index {
            Some(i) => format!("items[{i}].{field}"),
            None => field.to_owned(),
        };
        if !(0..=MAX_DURATION).contains(&self.duration_seconds) {
            return Err(ApiError::invalid(at("duration_seconds"), format!("must be between 0 and {MAX_DURATION}")));
        }
        if self.participants.len() > 100 {
            return Err(ApiError::invalid(at("participants"), "at most 100 participants"));
        }
        Ok(NewCommunication {
            id: self.id,
            kind: self.kind,
            direction: self.direction,
            number: self.number,
            workgroup: self.workgroup,
            ivr: self.ivr,
            participants: self.participants,
            started_at: self.started_at,
            duration_seconds: self.duration_seconds,
            has_recording: self.has_recording,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IngestBatch {
    /// 1 to 1000 records, stored all or nothing.
    #[schema(min_items = 1, max_items = 1000)]
    pub items: Vec<IngestCommunication>,
}

/// 422 naming the first reference of `items` (numbers, workgroups, IVRs, participants) that is not a
/// record of the account, as `items[i].field` in a batch (`field` alone for one record).
fn known_references(
    conn: &mut DbConn,
    account: AccountId,
    items: &[NewCommunication],
    batch: bool,
) -> Result<(), ApiError> {
    let unknown = |i: usize, field: &str, what: &str, id: String| {
        let field = if batch { format!("items[{i}].{field}") } else { field.to_owned() };
        ApiError::invalid(field, format!("{what} {id} is not in this account"))
    };
    let numbers: Vec<NumberId> = items.iter().filter_map(|c| c.number).collect();
    if let Some(n) = numbers::first_unknown(conn, account, &numbers)? {
        let i = items.iter().position(|c| c.number == Some(n)).unwrap_or_default();
        return Err(unknown(i, "number", "number", n.to_string()));
    }
    let workgroups: Vec<WorkgroupId> = items.iter().filter_map(|c| c.workgroup).collect();
    if let Some(w) = workgroups::first_unknown(conn, account, &workgroups)? {
        let i = items.iter().position(|c| c.workgroup == Some(w)).unwrap_or_default();
        return Err(unknown(i, "workgroup", "workgroup", w.to_string()));
    }
    let ivrs: Vec<IvrId> = items.iter().filter_map(|c| c.ivr).collect();
    if let Some(v) = ivrs::first_unknown(conn, account, &ivrs)? {
        let i = items.iter().position(|c| c.ivr == Some(v)).unwrap_or_default();
        return Err(unknown(i, "ivr", "IVR", v.to_string()));
    }
    let participants: Vec<UserId> = items.iter().flat_map(|c| c.participants.iter().copied()).collect();
    if let Some(u) = users::first_unknown(conn, account, &participants)? {
        let i = items.iter().position(|c| c.participants.contains(&u)).unwrap_or_default();
        return Err(unknown(i, "participants", "user", u.to_string()));
    }
    Ok(())
}

/// Checks the records' references (naming the first unknown one) and stores them, on the writer's
/// connection, with the caller's permission judged again in the transaction that stores (the one
/// the handler checked came from the cache). Checking on a reading connection first was tried: on two
/// cores SQLite gained nothing, and PostgreSQL made two trips to the pool instead of one.
async fn store(
    state: &web::Data<AppState>,
    caller: Caller,
    items: impl AsRef<[NewCommunication]> + Send + 'static,
    batch: bool,
) -> Result<Vec<CommunicationId>, ApiError> {
    write(state, move |state, conn| {
        let (account, items, who) = (caller.account.id, items.as_ref(), caller.actor.clone());
        communications::ingest_judged(conn, account, items, &who, |conn| {
            service::as_stored(state, conn, &caller, |cx| {
                cx.require(INGEST)?;
                known_references(cx.conn, account, items, batch)
            })
        })
    })
    .await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ingested {
    pub ids: Vec<CommunicationId>,
}

/// Records one communication. Needs `integrations.api:manage` (the phone platform's integration).
#[utoipa::path(operation_id = "ingest_communication", tag = "history", security(("bearer" = []), ("api_key" = [])),
    request_body = IngestCommunication, responses((status = 201, description = "Stored", body = Ingested), Errors))]
#[post("/communications")]
pub async fn ingest_one(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<IngestCommunication>,
) -> Result<HttpResponse, ApiError> {
    caller.require(INGEST, &state.metrics)?;
    let items = [body.parse()?.into_new(None)?];
    let ids = store(&state, caller, items, false).await?;
    Ok(HttpResponse::Created().json(Ingested { ids }))
}

/// Records many communications in one transaction.
#[utoipa::path(operation_id = "ingest_communications", tag = "history", security(("bearer" = []), ("api_key" = [])),
    request_body = IngestBatch, responses((status = 201, description = "Stored", body = Ingested), Errors))]
#[post("/communications/batch")]
pub async fn ingest_batch(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<IngestBatch>,
) -> Result<HttpResponse, ApiError> {
    caller.require(INGEST, &state.metrics)?;
    let items = body.parse()?.items;
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(ApiError::invalid("items", format!("give 1 to {MAX_BATCH} records")));
    }
    let items = items.into_iter().enumerate().map(|(i, c)| c.into_new(Some(i))).collect::<Result<Vec<_>, _>>()?;
    let ids = store(&state, caller, items, true).await?;
    Ok(HttpResponse::Created().json(Ingested { ids }))
}
