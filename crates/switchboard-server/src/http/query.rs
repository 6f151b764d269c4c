//! Query parameters read as a typed struct. A value that does not fit is a 422 naming its parameter
//! (`limit: invalid digit found in string`); actix's own `web::Query` names none. As for bodies, the
//! credentials are judged first: a request without valid ones gets its 401 whatever its query says.

use crate::access::Caller;
use crate::problem::ApiError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

/// A request's query parameters as `T`.
#[derive(Debug)]
pub struct Query<T>(T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// `query` as `T`, or the 422 naming the parameter that does not fit.
fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let parameters = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(parameters).map_err(|e| {
        let name = e.path().to_string();
        match name.as_str() {
            "." => ApiError::Invalid { field: None, detail: format!("the query string does not fit: {}", e.inner()) },
            _ => ApiError::Invalid { detail: format!("query parameter `{name}`: {}", e.inner()), field: Some(name) },
        }
    })
}

/// What an extractor that judges the credentials first answers.
pub type AfterTheCredentials<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// A part of the request as read (`read`), answered after the credentials: when it does not fit,
/// a request without valid credentials gets the caller's 401 rather than the part's refusal.
pub fn after_the_credentials<T: 'static>(req: &HttpRequest, read: Result<T, ApiError>) -> AfterTheCredentials<T> {
    match read {
        Ok(value) => Box::pin(std::future::ready(Ok(value))),
        Err(refused) => {
            let caller = Caller::from_request(req, &mut Payload::None);
            Box::pin(async move { Err(caller.await.err().unwrap_or(refused)) })
        }
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = AfterTheCredentials<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        after_the_credentials(req, parse(req.query_string()).map(Query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::common::PageQuery;
    use switchboard_store::repo::communications::CommunicationFilter;

    fn refusal<T: DeserializeOwned + std::fmt::Debug>(query: &str) -> (Option<String>, String) {
        match parse::<T>(query) {
            Err(ApiError::Invalid { field, detail }) => (field, detail),
            other => panic!("{query}: {other:?}"),
        }
    }

    #[test]
    fn a_value_that_does_not_fit_names_its_parameter() {
        let (field, detail) = refusal::<PageQuery>("limit=abc");
        assert_eq!(
            (field.as_deref(), detail.as_str()),
            (Some("limit"), "query parameter `limit`: invalid digit found in string")
        );
        let (field, detail) = refusal::<CommunicationFilter>("kind=call&from=yesterday");
        assert_eq!(field.as_deref(), Some("from"), "{detail}");
        let (field, detail) = refusal::<CommunicationFilter>("kind=fax");
        assert_eq!(field.as_deref(), Some("kind"));
        assert!(detail.contains("unknown variant `fax`, expected one of `call`"), "{detail}");
    }

    #[test]
    fn parameters_that_fit_are_read_decoded() {
        let filter: CommunicationFilter = parse("kind=voicemail&from=2026-11-01T00%3A00%3A00%2B01%3A00").unwrap();
        assert_eq!(filter.kind.map(|k| k.as_str()), Some("voicemail"));
        assert_eq!(filter.from.map(|t| t.to_rfc3339()), Some("2026-10-31T23:00:00+00:00".to_owned()));
    }
}
