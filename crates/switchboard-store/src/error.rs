//! The one error type of the store.
//!
//! Policy: repositories return [`StoreError`]; database failures are classified here, once, so the
//! server can map each kind to one HTTP status (not found → 404, conflict → 409, stale version → 412,
//! invalid reference / invalid input → 422, in use → 409, unavailable → 503).

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Result of every store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The record does not exist in this account.
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    /// A unique constraint refused the change (email, role key, slug, number, name …): `field` names
    /// what is already in use.
    #[error("conflict: {message}")]
    Conflict { field: Option<&'static str>, message: String },
    /// The record changed since the caller read it: the write was not applied.
    #[error("stale {entity}: expected version {expected}, current version is {current}")]
    StaleVersion { entity: &'static str, expected: i64, current: i64 },
    /// A reference names a record that does not exist in the same account (the database refused it).
    #[error("invalid reference: {message}")]
    InvalidReference { message: String },
    /// The record is still referenced (e.g. by history or role assignments) and cannot be deleted.
    #[error("{entity} is in use: {message}")]
    InUse { entity: &'static str, message: String },
    /// The request cannot be stored as given (bad cursor, bad enum value, rule of the role mode …).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// One field of the request is invalid (a name too long, an email without a domain …).
    #[error("invalid {field}: {message}")]
    InvalidField { field: &'static str, message: String },
    /// The database could not be reached or a connection could not be obtained.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database has no room left to write (its disk is full, or SQLite's `max_page_count`):
    /// nothing was written; reads go on, and writes succeed again once the operator frees space.
    #[error("database full: {0}")]
    Full(String),
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// Any other database failure.
    #[error("database error: {}", with_causes(.0))]
    Database(DieselError),
}

impl StoreError {
    pub(crate) fn not_found(entity: &'static str) -> StoreError {
        StoreError::NotFound { entity }
    }

    pub(crate) fn invalid_field(field: &'static str, message: impl Into<String>) -> StoreError {
        StoreError::InvalidField { field, message: message.into() }
    }

    /// Maps a failed delete: a foreign key refusing it means the record is in use.
    pub(crate) fn on_delete(entity: &'static str) -> impl Fn(StoreError) -> StoreError {
        move |e| match e {
            StoreError::InvalidReference { .. } => {
                StoreError::InUse { entity, message: "other records (the history, roles) refer to it".into() }
            }
            other => other,
        }
    }
}

/// A value that is not of its kind (an email without a domain, a blank name …) names its field.
impl From<switchboard_core::InvalidValue> for StoreError {
    fn from(e: switchboard_core::InvalidValue) -> StoreError {
        StoreError::InvalidField { field: e.field, message: e.message }
    }
}

/// What a refused reference tells the client: not which table or constraint refused it.
const REFERENCE: &str = "a record it names does not exist in this account, or another still refers to it";

fn is_foreign_key_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("foreign key")
}

/// What PostgreSQL and libpq say when a connection ends or cannot be used (a shutdown or restart, an
/// administrator ending it, an idle timeout, the network): an outage, not a fault of the request.
fn is_connection_ending(message: &str) -> bool {
    const ENDING: [&str; 9] = [
        "terminating connection",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "server closed the connection",
        "no connection to the server",
        "could not receive data from server",
        "could not send data to server",
        "connection to server",
    ];
    ENDING.iter().any(|m| message.contains(m))
}

/// What SQLite (`SQLITE_FULL`) and PostgreSQL (`53100 disk_full`, or the file system's own words while
/// extending a file) say when the disk is full.
fn is_disk_full(message: &str) -> bool {
    const FULL: [&str; 3] = ["database or disk is full", "No space left on device", "could not extend file"];
    FULL.iter().any(|m| message.contains(m))
}

/// What a unique violation means to the client, in the domain's words: the database's own message
/// names tables, columns and constraints, and differs between backends.
/// A communication id that is taken, in this account (with other contents) or in another: one answer
/// for both, so it tells nothing about other accounts.
pub(crate) const ALREADY_INGESTED: &str = "a communication with this id was already ingested with other contents";

/// The field a unique constraint guards, and what to tell the client: never the database's words.
fn unique_conflict(message: &str, constraint: Option<&str>) -> (Option<&'static str>, &'static str) {
    let text = format!("{message} {}", constraint.unwrap_or_default());
    let on = |table: &str, column: &str| text.contains(table) && text.contains(column);
    if text.contains("slug") {
        (Some("slug"), "slug already in use")
    } else if on("scim_users", "user_name") {
        (Some("userName"), "userName already in use")
    } else if on("users", "email") {
        (Some("email"), "email already in use")
    } else if on("numbers", "e164") {
        (Some("e164"), "number already in this account")
    } else if on("roles", "key") {
        (Some("key"), "role key already in use")
    } else if on("workgroups", "name") || on("ivrs", "name") {
        (Some("name"), "name already in use")
    } else if text.contains("communications") {
        (Some("id"), ALREADY_INGESTED)
    } else {
        (None, "it conflicts with an existing record")
    }
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => StoreError::NotFound { entity: "record" },
            DieselError::DatabaseError(kind, info) => {
                let message = info.message().to_owned();
                // What the database said names its tables and constraints: it never reaches a client.
                match kind {
                    DatabaseErrorKind::UniqueViolation => {
                        let (field, what) = unique_conflict(&message, info.constraint_name());
                        StoreError::Conflict { field, message: what.to_owned() }
                    }
                    DatabaseErrorKind::ForeignKeyViolation | DatabaseErrorKind::RestrictViolation => {
                        StoreError::InvalidReference { message: REFERENCE.into() }
                    }
                    DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => {
                        StoreError::InvalidInput("a value is outside what the record allows".into())
                    }
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                        StoreError::Unavailable(message)
                    }
                    // The FATAL message of an ending connection can be read before libpq sees the
                    // socket close, and then carries no kind of its own
                    _ if is_connection_ending(&message) => StoreError::Unavailable(message),
                    _ if is_disk_full(&message) => StoreError::Full(message),
                    // SQLite reports a deferred foreign key failing at COMMIT without an extended code
                    _ if is_foreign_key_message(&message) => StoreError::InvalidReference { message: REFERENCE.into() },
                    // PostgreSQL broke a deadlock or a serialisation conflict by aborting this
                    // transaction: nothing was written, and trying again succeeds (503, Retry-After)
                    DatabaseErrorKind::SerializationFailure => StoreError::Unavailable(message),
                    _ if message.contains("database is locked")
                        || message.contains("lock timeout")
                        || message.contains("deadlock detected") =>
                    {
                        StoreError::Unavailable(message)
                    }
                    _ => StoreError::Database(DieselError::DatabaseError(kind, info)),
                }
            }
            DieselError::RollbackErrorOnCommit { commit_error, .. } => StoreError::from(*commit_error),
            // A statement succeeded and the connection was lost right after (libpq no longer knows
            // the transaction's state), so COMMIT was never sent: nothing was written, and the pool
            // drops the connection
            DieselError::BrokenTransactionManager => {
                StoreError::Unavailable("the connection to the database was lost during a transaction".into())
            }
            other => StoreError::Database(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

impl From<diesel::ConnectionError> for StoreError {
    fn from(e: diesel::ConnectionError) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::InvalidInput(format!("stored JSON does not parse: {e}"))
    }
}

/// An error with its causes: diesel names only the field of a row that does not read, its cause says
/// which value and why.
fn with_causes(e: &DieselError) -> String {
    let mut out = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{StoreError, unique_conflict};
    use diesel::result::{DatabaseErrorKind, Error as DieselError};

    #[test]
    fn a_connection_postgresql_ends_is_an_outage_however_diesel_reports_it() {
        let unavailable = |e: DieselError| matches!(StoreError::from(e), StoreError::Unavailable(_));
        for message in [
            "terminating connection due to administrator command",
            "terminating connection due to idle-session timeout",
            "FATAL:  the database system is shutting down",
            "server closed the connection unexpectedly",
            "no connection to the server",
        ] {
            assert!(unavailable(DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(message.to_owned()))));
        }
        assert!(unavailable(DieselError::BrokenTransactionManager));
        // A statement the database refuses for what it says stays a database error.
        assert!(!unavailable(DieselError::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("division by zero".to_owned())
        )));
    }

    #[test]
    fn a_unique_violation_names_its_field_without_the_databases_words() {
        let sqlite = unique_conflict("UNIQUE constraint failed: users.account_id, users.email", None);
        let pg = unique_conflict(
            "duplicate key value violates unique constraint \"users_account_id_email_key\"",
            Some("users_account_id_email_key"),
        );
        assert_eq!(sqlite, (Some("email"), "email already in use"));
        assert_eq!(pg, sqlite);
        assert_eq!(
            unique_conflict("UNIQUE constraint failed: numbers.account_id, numbers.e164", None),
            (Some("e164"), "number already in this account")
        );
        assert_eq!(unique_conflict("something else entirely", None), (None, "it conflicts with an existing record"));
    }
}
