//! Pieces every route shares: pages, ETags, running storage off the async workers ([`db`]), and
//! the documented error responses.

pub use crate::blocking::db;

use crate::http::query::{AfterTheCredentials, after_the_credentials};
use crate::problem::{ApiError, Problem};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use serde::Deserialize;
use std::collections::BTreeMap;
use switchboard_store::{DbConn, PageRequest};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Required, Response, ResponseBuilder};
use utoipa::{IntoParams, IntoResponses};

/// Defines a named page schema (`RolePage`, `UserPage`, …) whose `items` refer to the item's own
/// schema, so generated clients get one class per view instead of one inlined copy per list. The
/// JSON is the same for every page: `items`, and `next_cursor` unless this is the last page.
macro_rules! page {
    ($page:ident, $item:ty) => {
        /// One page of a list. Pass `next_cursor` as `cursor` to read the next page; it is absent on the last.
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $page {
            pub items: Vec<$item>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub next_cursor: Option<String>,
        }

        impl $page {
            /// The store's page with every item turned into its view.
            pub fn map<U>(page: switchboard_store::Page<U>, f: impl FnMut(U) -> $item) -> $page {
                $page { items: page.items.into_iter().map(f).collect(), next_cursor: page.next_cursor }
            }
        }

        /// A page of items the store keeps as the API shows them.
        impl From<switchboard_store::Page<$item>> for $page {
            fn from(page: switchboard_store::Page<$item>) -> $page {
                $page { items: page.items, next_cursor: page.next_cursor }
            }
        }
    };
}
pub(crate) use page;

/// Cursor pagination parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; empty or absent for the first page. A cursor this list
    /// did not produce answers 422.
    #[param(pattern = r"^([0-9a-f]{2})*$", max_length = 1024)]
    pub cursor: Option<String>,
}

/// Longest cursor accepted (the ones we hand out are far shorter).
const MAX_CURSOR: usize = 1024;

impl PageQuery {
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=switchboard_store::MAX_PAGE).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                format!("limit must be between 1 and {}", switchboard_store::MAX_PAGE),
            ));
        }
        // An empty cursor is the first page, like an absent one.
        let cursor = self.cursor.as_deref().filter(|c| !c.is_empty());
        if cursor.is_some_and(|c| !is_cursor_shaped(c)) {
            return Err(ApiError::invalid("cursor", "the cursor is not one this list produced"));
        }
        Ok(PageRequest { limit, cursor: cursor.map(str::to_owned) })
    }
}

/// What `PageQuery::cursor`'s pattern says: pairs of lowercase hex digits, at most [`MAX_CURSOR`].
fn is_cursor_shaped(cursor: &str) -> bool {
    cursor.len() <= MAX_CURSOR
        && cursor.len().is_multiple_of(2)
        && cursor.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The strong ETag of a versioned record.
pub fn etag(version: i64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// The forms of `If-Match` the API accepts, as documented: `*`, or one ETag this API returned,
/// strong (`"3"`) or weak (`W/"3"`), or the bare `version` of the record (`3`).
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"[0-9]{1,18}"|[0-9]{1,18})$"#;

/// The optional `If-Match` header of a change to a versioned record, read when the request is: the
/// version it asks for, `None` when absent or `*`. Anything else is a 400 once the caller is known,
/// as a query that does not fit is: a request without valid credentials gets its 401 first.
/// `params(IfMatch)` documents it.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub Option<i64>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = AfterTheCredentials<IfMatch>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        after_the_credentials(req, if_match(req).map(IfMatch))
    }
}

impl IntoParams for IfMatch {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let schema = ObjectBuilder::new().schema_type(Type::String).pattern(Some(IF_MATCH_PATTERN));
        vec![
            ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "The `ETag` the record was read with (`\"3\"`; `W/\"3\"`, the bare `version` `3` and `*` are \
                     accepted too); a stale one answers 412. Without the header the change applies to the current \
                     version; an empty one is refused (400), as it is a lost ETag rather than no precondition.",
                ))
                .schema(Some(schema))
                .build(),
        ]
    }
}

/// The version an `If-Match` header asks for: `None` when absent or `*`. Anything but the forms of
/// [`IF_MATCH_PATTERN`] is a 400, an empty header included.
fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else { return Ok(None) };
    let malformed = || ApiError::BadRequest("If-Match must be `*` or an ETag this API returned, e.g. \"3\"".into());
    let value = value.to_str().map_err(|_| malformed())?.trim();
    if value == "*" {
        return Ok(None);
    }
    let is_version = |d: &str| (1..=18).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit());
    let digits = if is_version(value) {
        value
    } else {
        value
            .strip_prefix("W/")
            .unwrap_or(value)
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .filter(|d| is_version(d))
            .ok_or_else(malformed)?
    };
    digits.parse::<i64>().map(Some).map_err(|_| malformed())
}

fn problem(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            crate::problem::PROBLEM_JSON,
            utoipa::openapi::ContentBuilder::new().schema(Some(Problem::schema_ref())).build(),
        )
        .into()
}

trait SchemaRef {
    fn schema_ref() -> RefOr<utoipa::openapi::schema::Schema>;
}

impl SchemaRef for Problem {
    fn schema_ref() -> RefOr<utoipa::openapi::schema::Schema> {
        RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Problem"))
    }
}

/// The errors every authenticated route may answer with.
#[derive(Debug)]
pub struct Errors;

impl IntoResponses for Errors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        [
            ("400", "The request is malformed"),
            ("401", "Missing, invalid or expired credentials"),
            ("403", "Denied; `reason` says which section, right or role decided it"),
            ("404", "No such record in the caller's account"),
            ("409", "Conflicts with existing data"),
            ("412", "`If-Match` names a version that is no longer current"),
            ("413", "The request body is too large"),
            ("422", "The request is well-formed but invalid; `field` names the culprit"),
            ("503", "The database is unavailable"),
        ]
        .into_iter()
        .map(|(status, description)| (status.to_owned(), problem(description)))
        .collect()
    }
}

/// 422 naming `field` and the first of `numbers` that is not a business number of the account.
pub fn known_numbers(
    conn: &mut DbConn,
    account: switchboard_core::AccountId,
    numbers: &[switchboard_core::NumberId],
    field: &str,
) -> Result<(), ApiError> {
    match switchboard_store::repo::numbers::first_unknown(conn, account, numbers)? {
        Some(number) => Err(ApiError::invalid(field, format!("number {number} is not in this account"))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn parsed(value: &str) -> Result<Option<i64>, ApiError> {
        if_match(&TestRequest::default().insert_header((header::IF_MATCH, value)).to_http_request())
    }

    #[test]
    fn if_match_takes_exactly_the_documented_forms() {
        // IF_MATCH_PATTERN: `*`, `"3"`, `W/"3"` or `3`, with 1 to 18 digits.
        assert_eq!(parsed("*").ok(), Some(None));
        assert_eq!(parsed("\"3\"").ok(), Some(Some(3)));
        assert_eq!(parsed("W/\"3\"").ok(), Some(Some(3)));
        assert_eq!(parsed("3").ok(), Some(Some(3)));
        assert_eq!(parsed(&"9".repeat(18)).ok(), Some(Some(999_999_999_999_999_999)));
        for refused in ["", "\"\"", "\"3", "3\"", "W/3", "w/\"3\"", "\"-3\"", "+3", "\"3\", \"4\"", "**"] {
            assert!(parsed(refused).is_err(), "{refused:?} is refused");
        }
        assert!(parsed(&"9".repeat(19)).is_err());
        assert_eq!(if_match(&TestRequest::default().to_http_request()).ok(), Some(None), "absent: no precondition");
    }

    #[test]
    fn a_cursor_is_pairs_of_lowercase_hex_and_an_empty_one_is_the_first_page() {
        let request = |cursor: &str| PageQuery { limit: None, cursor: Some(cursor.to_owned()) }.request();
        assert_eq!(request("").ok().map(|r| r.cursor), Some(None));
        assert_eq!(request("6162").ok().map(|r| r.cursor), Some(Some("6162".to_owned())));
        for refused in ["6", "zz", "+a+b", "6G", "6A", &"ab".repeat(513)] {
            assert!(request(refused).is_err(), "{refused:?} is refused");
        }
    }
}
