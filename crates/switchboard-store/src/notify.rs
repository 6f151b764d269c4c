//! Push coherence on PostgreSQL: every transaction that moves an account's access version also sends
//! `pg_notify('switchboard_access', <account id>)`, delivered by PostgreSQL when (and only if) the
//! transaction commits. An instance listens on a connection of its own ([`AccessListener`]) and drops
//! those accounts from its cache at once; the periodic version check stays as the fallback.

use crate::error::{StoreError, StoreResult};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use switchboard_core::AccountId;

/// The channel access changes are announced on.
pub const ACCESS_CHANNEL: &str = "switchboard_access";

/// Announces, in `conn`'s transaction, that an account's access changed.
pub(crate) fn announce(conn: &mut PgConnection, account: AccountId) -> StoreResult<()> {
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<diesel::sql_types::Text, _>(ACCESS_CHANNEL)
        .bind::<diesel::sql_types::Text, _>(account.to_string())
        .execute(conn)?;
    Ok(())
}

/// A connection listening for access changes.
pub struct AccessListener {
    conn: PgConnection,
}

impl std::fmt::Debug for AccessListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessListener").finish_non_exhaustive()
    }
}

impl AccessListener {
    /// Connects to `url` and listens; `name` becomes the connection's `application_name`, so an
    /// operator (or a test) can find it in `pg_stat_activity`.
    pub fn connect(url: &str, name: &str) -> StoreResult<AccessListener> {
        let mut conn = PgConnection::establish(url).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        diesel::sql_query("SELECT set_config('application_name', $1, false)")
            .bind::<diesel::sql_types::Text, _>(name)
            .execute(&mut conn)?;
        diesel::sql_query(format!("LISTEN {ACCESS_CHANNEL}")).execute(&mut conn)?;
        Ok(AccessListener { conn })
    }

    /// The accounts announced since the last call (without waiting); an error when the connection is
    /// lost, after which the listener must be replaced.
    pub fn changed(&mut self) -> StoreResult<Vec<AccountId>> {
        let mut accounts = Vec::new();
        for notification in self.conn.notifications_iter() {
            let notification = notification.map_err(|e| StoreError::Unavailable(e.to_string()))?;
            if let Ok(account) = notification.payload.parse::<uuid::Uuid>() {
                let account = AccountId::from(account);
                if !accounts.contains(&account) {
                    accounts.push(account);
                }
            }
        }
        Ok(accounts)
    }
}
