//! The admin console at `/console/`: a page and a hand-written script, embedded in the binary, that
//! administer an account through the same `/v1` API as any client. It decides nothing: every screen
//! shows what the API answers, denials included, with the server's reason.
//!
//! The console signs in here (`POST /console/session`, the API's sign-in with all its limits) and
//! keeps the session's token in an `HttpOnly`, `SameSite=Strict` cookie; the API accepts that cookie
//! only beside the session's CSRF token ([`crate::auth::csrf`]), which the page reads from a cookie of its own.

use crate::access::Caller;
use crate::http::auth::{TokenRequest, token_for};
use crate::http::body::Body;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

pub use crate::auth::csrf::SESSION_COOKIE;
/// The cookie holding the session's CSRF token, for the page's script to send back.
pub const CSRF_COOKIE: &str = "sb_csrf";

/// What the console's pages may load and do: their own script and style, calls to this server, and
/// nothing inline, framed, or sent elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const INDEX_HTML: &str = include_str!("../../console/index.html");
const APP_JS: &str = include_str!("../../console/app.js");
const APP_CSS: &str = include_str!("../../console/app.css");
const ICON_SVG: &str = include_str!("../../console/icon.svg");

/// The console's routes, and `/` leading to it.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(to_console))
        .route("/console", web::get().to(to_console))
        .route("/console/", web::get().to(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }))
        .route("/console/app.js", web::get().to(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .route("/console/app.css", web::get().to(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
        .route("/console/icon.svg", web::get().to(|| async { asset("image/svg+xml", ICON_SVG) }))
        .route("/favicon.ico", web::get().to(|| async { asset("image/svg+xml", ICON_SVG) }))
        .route("/console/session", web::post().to(sign_in))
        .route("/console/sign-out", web::post().to(sign_out));
}

async fn to_console() -> HttpResponse {
    HttpResponse::Found().insert_header((header::LOCATION, "/console/")).finish()
}

/// Headers every console response carries.
fn hardened(mut response: HttpResponse) -> HttpResponse {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-cache"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    hardened(HttpResponse::Ok().content_type(content_type).body(body))
}

/// What a signed-in page needs to call the API.
#[derive(Debug, Serialize)]
struct Signed {
    csrf_token: String,
    expires_in: i64,
}

/// A cookie of the console: `Secure` when the page came over TLS (directly or as a proxy says).
fn cookie(req: &HttpRequest, name: &str, value: &str, max_age: i64, http_only: bool) -> HeaderValue {
    let secure = req.connection_info().scheme() == "https";
    let text = format!(
        "{name}={value}; Path=/; Max-Age={max_age}; SameSite=Strict{}{}",
        if http_only { "; HttpOnly" } else { "" },
        if secure { "; Secure" } else { "" }
    );
    // Tokens are base64url and hex: always a valid header value.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("sb_invalid=; Max-Age=0"))
}

/// Refuses a sign-in another site's page posts (login CSRF): a browser names the page's origin.
fn same_origin(req: &HttpRequest) -> Result<(), ApiError> {
    let cross_site = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site != "same-origin" && site != "none");
    let foreign_origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).is_some_and(|origin| {
        let host = req.connection_info().host().to_owned();
        origin.split_once("://").map(|(_, rest)| rest) != Some(host.as_str())
    });
    if cross_site || foreign_origin {
        return Err(ApiError::BadRequest("the console signs in from its own page only".into()));
    }
    Ok(())
}

/// Signs in (the API's sign-in: same checks, limits and second factor) and sets the cookies.
async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    same_origin(&req)?;
    let (token, session) = token_for(&state, &req, body.parse()?).await?;
    let csrf_token = state.console.token(session);
    let mut response = HttpResponse::Ok();
    response
        .append_header((header::SET_COOKIE, cookie(&req, SESSION_COOKIE, &token.access_token, token.expires_in, true)))
        .append_header((header::SET_COOKIE, cookie(&req, CSRF_COOKIE, &csrf_token, token.expires_in, false)));
    Ok(hardened(response.json(Signed { csrf_token, expires_in: token.expires_in })))
}

/// Signs out: ends the session on the server (its token stops working everywhere) and clears the
/// cookies. Needs the cookie and its CSRF token, like every console call.
async fn sign_out(caller: Caller, state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    crate::http::sessions::end_current_session(&state, caller).await?;
    let mut response = HttpResponse::NoContent();
    response
        .append_header((header::SET_COOKIE, cookie(&req, SESSION_COOKIE, "", 0, true)))
        .append_header((header::SET_COOKIE, cookie(&req, CSRF_COOKIE, "", 0, false)));
    Ok(hardened(response.finish()))
}
