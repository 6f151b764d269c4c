//! Storage work runs off the async workers: diesel is blocking.

use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::web;
use switchboard_store::{DbConn, PooledConn, Store, StoreResult};

/// Runs storage work on the blocking pool with one pooled connection.
pub async fn db<T, F>(state: &web::Data<AppState>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&AppState, &mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    on(state, Store::conn, work).await
}

/// [`db`] for a change: on the store's write connection ([`Store::write_conn`]).
pub async fn write<T, F>(state: &web::Data<AppState>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&AppState, &mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    on(state, Store::write_conn, work).await
}

async fn on<T, F>(
    state: &web::Data<AppState>,
    take: fn(&Store) -> StoreResult<PooledConn>,
    work: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&AppState, &mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    let state = state.clone();
    web::block(move || {
        let mut conn = take(&state.store)?;
        work(&state, &mut conn)
    })
    .await?
}
