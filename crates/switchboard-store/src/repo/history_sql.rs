//! The scoped history as SQL written for the planners: one statement per page, built from one
//! ordered, limited index range per scope part (a participant, a workgroup, a number, an IVR), merged
//! with `UNION ALL` and cut to the page. A sparse scope therefore reads about a page of index entries
//! per part instead of walking the account's history until a page is full, on both backends.
//!
//! Placeholders are per dialect (`$n` on PostgreSQL, `?` on SQLite); every value is a bind parameter.

use crate::db::{Backend, DbConn};
use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;
use std::fmt::Write;
use switchboard_core::{CommunicationId, IvrId, NumberId, WorkgroupId};

/// One bind parameter.
#[derive(Clone, Debug)]
pub(crate) enum Bind {
    Text(String),
    Time(NaiveDateTime),
    Int(i64),
}

/// SQL text and its bind parameters, with the placeholders of one dialect.
#[derive(Debug)]
pub(crate) struct SqlBuf {
    backend: Backend,
    text: String,
    binds: Vec<Bind>,
}

impl SqlBuf {
    pub(crate) fn new(backend: Backend) -> SqlBuf {
        SqlBuf { backend, text: String::with_capacity(1024), binds: Vec::new() }
    }

    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQL text so far, to write into (never values: those are bound).
    pub(crate) fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }

    pub(crate) fn sql(&mut self, s: &str) -> &mut SqlBuf {
        self.text.push_str(s);
        self
    }

    pub(crate) fn bind(&mut self, b: Bind) -> &mut SqlBuf {
        self.binds.push(b);
        match self.backend {
            Backend::Postgres => {
                let _ = write!(self.text, "${}", self.binds.len());
            }
            Backend::Sqlite => self.text.push('?'),
        }
        self
    }

    /// A text parameter: a string, or an id (ids are stored as their UUID text).
    pub(crate) fn text(&mut self, s: impl ToString) -> &mut SqlBuf {
        self.bind(Bind::Text(s.to_string()))
    }

    /// `(?, ?, …)`
    pub(crate) fn list(&mut self, values: &[String]) -> &mut SqlBuf {
        self.sql("(");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.sql(", ");
            }
            self.text(v);
        }
        self.sql(")")
    }

    /// `AND` the row of the table aliased `x` (with `starts_at`/`expires_at`) holds at `t`.
    pub(crate) fn holding(&mut self, t: NaiveDateTime) -> &mut SqlBuf {
        self.sql(" AND (x.starts_at IS NULL OR x.starts_at <= ").bind(Bind::Time(t));
        self.sql(") AND (x.expires_at IS NULL OR x.expires_at > ").bind(Bind::Time(t)).sql(")")
    }

    /// Runs the statement on the connection's backend.
    pub(crate) fn load<T>(self, conn: &mut DbConn) -> QueryResult<Vec<T>>
    where
        T: QueryableByName<Pg> + QueryableByName<Sqlite> + 'static,
    {
        let SqlBuf { text, binds, .. } = self;
        crate::per_backend!(conn, c => bind_all(diesel::sql_query(text.clone()).into_boxed(), binds).load::<T>(c))
    }

    /// Runs the statement (one that returns no rows) on the connection's backend.
    pub(crate) fn execute(self, conn: &mut DbConn) -> QueryResult<usize> {
        let SqlBuf { text, binds, .. } = self;
        crate::per_backend!(conn, c => bind_all(diesel::sql_query(text.clone()).into_boxed(), binds).execute(c))
    }
}

fn bind_all<'f, DB>(
    mut q: BoxedSqlQuery<'f, DB, diesel::query_builder::SqlQuery>,
    binds: Vec<Bind>,
) -> BoxedSqlQuery<'f, DB, diesel::query_builder::SqlQuery>
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<Text>
        + diesel::sql_types::HasSqlType<Timestamp>
        + diesel::sql_types::HasSqlType<BigInt>,
    String: diesel::serialize::ToSql<Text, DB>,
    NaiveDateTime: diesel::serialize::ToSql<Timestamp, DB>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
{
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind::<Text, _>(s),
            Bind::Time(t) => q.bind::<Timestamp, _>(t),
            Bind::Int(i) => q.bind::<BigInt, _>(i),
        };
    }
    q
}

/// A row of `communications`, as the history statements (by name) and the query builder (by
/// position) return it; a missing reference is `None`.
#[derive(Debug, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = crate::schema::communications, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct CommRow {
    pub id: CommunicationId,
    pub kind: String,
    pub direction: String,
    pub number_id: Option<NumberId>,
    pub workgroup_id: Option<WorkgroupId>,
    pub ivr_id: Option<IvrId>,
    pub started_at: NaiveDateTime,
    pub duration_seconds: i32,
    pub has_recording: bool,
}

/// One group of the analytics counts: its key (the reported dimension), kind and recording flag.
#[derive(Debug, QueryableByName)]
pub(crate) struct CountRow {
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Bool)]
    pub has_recording: bool,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub total: Option<i64>,
}

pub(crate) const COMM_COLUMNS: &str = "c.id AS id, c.kind AS kind, c.direction AS direction, c.number_id AS number_id, \
     c.workgroup_id AS workgroup_id, c.ivr_id AS ivr_id, c.started_at AS started_at, \
     c.duration_seconds AS duration_seconds, c.has_recording AS has_recording";
