//! The credential a request presents: a bearer token, an API key, or the console's session cookie
//! beside its CSRF token. Only parsed here; [`super::caller`] and [`super::operator`] verify it.

use crate::problem::ApiError;
use actix_web::HttpRequest;
use actix_web::http::header;

/// The credential a request presents, borrowed from its headers (`&str`) or owned (`String`).
pub(crate) enum Credential<T> {
    Bearer(T),
    ApiKey(T),
    /// The console's session cookie, with the CSRF token the page sent beside it.
    Console {
        token: T,
        csrf: T,
    },
}

impl Credential<&str> {
    pub(crate) fn to_owned(&self) -> Credential<String> {
        match *self {
            Credential::Bearer(token) => Credential::Bearer(token.to_owned()),
            Credential::ApiKey(key) => Credential::ApiKey(key.to_owned()),
            Credential::Console { token, csrf } => {
                Credential::Console { token: token.to_owned(), csrf: csrf.to_owned() }
            }
        }
    }
}

/// The session cookie of the console, if the request carries one.
pub(crate) fn console_cookie(req: &HttpRequest) -> Option<&str> {
    let cookies = req.headers().get(header::COOKIE)?.to_str().ok()?;
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == crate::auth::csrf::SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

pub(crate) fn credential(req: &HttpRequest) -> Result<Credential<&str>, ApiError> {
    // a constant name: looking up by `&str` parses and checks the name on every request
    const X_API_KEY: header::HeaderName = header::HeaderName::from_static("x-api-key");
    const X_CSRF_TOKEN: header::HeaderName = header::HeaderName::from_static(crate::auth::csrf::HEADER);
    if let Some(value) = req.headers().get(X_API_KEY) {
        let key = value.to_str().map_err(|_| ApiError::Unauthenticated("the API key is malformed".into()))?;
        return Ok(Credential::ApiKey(key.trim()));
    }
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        // The console's cookie counts only beside the CSRF token that only the console's page can
        // read: a request another site makes the browser send carries the cookie without it.
        if let Some(token) = console_cookie(req) {
            let csrf = req.headers().get(X_CSRF_TOKEN).and_then(|v| v.to_str().ok()).ok_or_else(|| {
                ApiError::Unauthenticated("a console request carries its session's X-CSRF-Token header".into())
            })?;
            return Ok(Credential::Console { token, csrf });
        }
        return Err(ApiError::Unauthenticated("authentication required: send a Bearer token or X-Api-Key".into()));
    };
    let value =
        value.to_str().map_err(|_| ApiError::Unauthenticated("the Authorization header is malformed".into()))?;
    let (scheme, token) =
        value.split_once(' ').ok_or_else(|| ApiError::Unauthenticated("use `Authorization: Bearer <token>`".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthenticated("use `Authorization: Bearer <token>`".into()));
    }
    Ok(Credential::Bearer(token.trim()))
}

impl<T: AsRef<str>> Credential<T> {
    /// The token and, for the console, its CSRF token; `None` for an API key.
    pub(crate) fn token(&self) -> Option<(&str, Option<&str>)> {
        match self {
            Credential::Bearer(token) => Some((token.as_ref(), None)),
            Credential::Console { token, csrf } => Some((token.as_ref(), Some(csrf.as_ref()))),
            Credential::ApiKey(_) => None,
        }
    }
}
