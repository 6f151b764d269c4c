//! CSV downloads (`Accept: text/csv`): RFC 4180 fields, lines ending in CRLF, and cells a spreadsheet
//! would run as a formula defused.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use std::borrow::Cow;
use std::convert::Infallible;

pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// What the request's `Accept` header asks for beside JSON, where a list offers it: CSV (`text/csv`),
/// newline-delimited JSON (`application/x-ndjson`) or a stream of Server-Sent Events
/// (`text/event-stream`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Accepts {
    pub csv: bool,
    pub ndjson: bool,
    pub event_stream: bool,
}

impl FromRequest for Accepts {
    type Error = Infallible;
    type Future = std::future::Ready<Result<Accepts, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let asks = |media: &str| accept.split(',').any(|t| t.trim().starts_with(media));
        let (csv, ndjson, event_stream) = (asks("text/csv"), asks("application/x-ndjson"), asks("text/event-stream"));
        std::future::ready(Ok(Accepts { csv, ndjson, event_stream }))
    }
}

/// One field: quoted when it holds a separator, quote or line break; a text starting like a formula
/// (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading `'` so a spreadsheet shows it as text.
pub fn field(s: &str) -> Cow<'_, str> {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text: Cow<'_, str> = if formula { Cow::Owned(format!("'{s}")) } else { Cow::Borrowed(s) };
    if text.contains([',', '"', '\n', '\r']) { Cow::Owned(format!("\"{}\"", text.replace('"', "\"\""))) } else { text }
}

/// Appends one line of fields, ending in CRLF.
pub fn push_line<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(f));
    }
    out.push_str("\r\n");
}

/// Rows a download reads per page: each page is one statement, written out before the next.
pub const DOWNLOAD_PAGE: u32 = 500;

/// A download streamed one page at a time: `head` first, then what `page` renders of each page (its
/// text and the cursor of the next), so a download of a million records holds one page in memory.
/// An error after the status is sent ends the download short; the log says why.
pub fn stream_pages<F>(
    state: actix_web::web::Data<crate::state::AppState>,
    content_type: &'static str,
    head: String,
    page: F,
) -> actix_web::HttpResponse
where
    F: Fn(
            &mut switchboard_store::DbConn,
            &switchboard_store::PageRequest,
        ) -> Result<(String, Option<String>), crate::problem::ApiError>
        + Clone
        + Send
        + 'static,
{
    use actix_web::web::Bytes;
    use switchboard_store::PageRequest;
    let first = futures_util::stream::once(async move { Ok::<Bytes, crate::problem::ApiError>(Bytes::from(head)) });
    let rest = futures_util::stream::unfold(Some(PageRequest::first(DOWNLOAD_PAGE)), move |next| {
        let (state, page) = (state.clone(), page.clone());
        async move {
            let request = next?;
            let rendered = crate::blocking::db(&state, move |_, conn| page(conn, &request)).await;
            Some(match rendered {
                Ok((text, cursor)) => (Ok(Bytes::from(text)), cursor.map(|c| PageRequest::after(DOWNLOAD_PAGE, c))),
                Err(e) => {
                    log::error!("download stopped: {e}");
                    (Err(e), None)
                }
            })
        }
    });
    actix_web::HttpResponse::Ok().content_type(content_type).streaming(futures_util::StreamExt::chain(first, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1555"), "'+1555");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        let mut line = String::new();
        push_line(&mut line, ["a", "b,c", ""]);
        assert_eq!(line, "a,\"b,c\",\r\n");
    }
}
