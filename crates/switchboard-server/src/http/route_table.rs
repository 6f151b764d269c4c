//! The API's path templates, their methods and the query parameters each operation takes: for
//! answering a known path with a wrong method 405 with `Allow`, anything else 404, and a query
//! parameter no operation takes 422 (a misspelt filter must not silently widen a list or a report).
//! Built once at start-up from the OpenAPI document and handed to the app as data, so routing needs
//! nothing of the document at request time.

use crate::problem::ApiError;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr};

/// A method of a route, with the names of the query parameters it takes (`None`: not known, as for a
/// parameter given by reference, so any is let through).
type Method = (&'static str, Option<Vec<String>>);

#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<Method>)>,
}

/// The names of an operation's query parameters.
fn query_names(operation: &Operation) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for parameter in operation.parameters.iter().flatten() {
        match parameter {
            RefOr::T(p) if p.parameter_in == ParameterIn::Query => names.push(p.name.clone()),
            RefOr::T(_) => {}
            RefOr::Ref(_) => return None,
        }
    }
    Some(names)
}

impl RouteTable {
    /// Every path of the document with the methods it declares.
    pub fn of(document: &OpenApi) -> RouteTable {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.trim_matches('/').split('/').map(str::to_owned).collect();
                let ops = [
                    ("GET", &item.get),
                    ("POST", &item.post),
                    ("PUT", &item.put),
                    ("PATCH", &item.patch),
                    ("DELETE", &item.delete),
                ];
                let methods = ops.iter().filter_map(|(name, op)| Some((*name, query_names(op.as_ref()?))));
                (segments, methods.collect())
            })
            .collect();
        RouteTable { routes }
    }

    /// The first query parameter of `query` that the operation `method` `path` does not take, with
    /// those it takes; `None` when all are taken, or when the path is none of the API's operations
    /// (routing answers those). A literal template (`/v1/roles/matrix`) is preferred to one with
    /// parameters, as in routing.
    pub fn unknown_query_parameter(&self, method: &str, path: &str, query: &str) -> Option<(String, Vec<String>)> {
        if query.is_empty() {
            return None;
        }
        let wanted: Vec<&str> = path.trim_matches('/').split('/').collect();
        let fits = |template: &Vec<String>, literal: bool| {
            template.len() == wanted.len()
                && template
                    .iter()
                    .zip(&wanted)
                    .all(|(t, w)| t == w || (!literal && t.starts_with('{') && !w.is_empty()))
        };
        let taken = [true, false]
            .into_iter()
            .find_map(|literal| {
                self.routes
                    .iter()
                    .filter(|(template, _)| fits(template, literal))
                    .find_map(|(_, methods)| methods.iter().find(|(m, _)| *m == method).map(|(_, names)| names))
            })?
            .as_ref()?;
        let given = form_urlencoded::parse(query.as_bytes()).map(|(name, _)| name);
        let unknown = given.into_iter().find(|name| !taken.iter().any(|t| t == name))?;
        Some((unknown.into_owned(), taken.clone()))
    }

    /// The 422 for a request with a query parameter its operation does not take, if it has one.
    pub fn refusal(&self, req: &HttpRequest) -> Option<HttpResponse> {
        let (method, path) = (req.method().as_str(), req.path());
        let (name, taken) = self.unknown_query_parameter(method, path, req.query_string())?;
        let takes = if taken.is_empty() { "none".to_owned() } else { taken.join(", ") };
        let detail = format!("{method} {path} takes no query parameter `{name}`; it takes: {takes}");
        Some(ApiError::Invalid { field: Some(name), detail }.error_response())
    }

    /// The methods of the route whose template is exactly this path (no parameters), if any.
    pub fn literal(&self, path: &str) -> Option<String> {
        let wanted: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.routes
            .iter()
            .find(|(template, _)| template.len() == wanted.len() && template.iter().zip(&wanted).all(|(t, w)| t == w))
            .map(|(_, methods)| {
                let mut methods: Vec<&str> = methods.iter().map(|(m, _)| *m).collect();
                methods.sort_unstable();
                methods.join(", ")
            })
    }

    /// The methods a path supports. A route whose template is exactly the path (`/v1/roles/matrix`)
    /// takes precedence over templates with parameters (`/v1/roles/{id}`), as it does in routing; a
    /// parameter matches only an id (every path parameter of the API is a UUID), so a segment that
    /// is not one names no record: 404, as for the methods that exist.
    pub fn allowed(&self, path: &str) -> Option<String> {
        if let Some(literal) = self.literal(path) {
            return Some(literal);
        }
        let wanted: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut allowed: Vec<&str> = Vec::new();
        for (template, methods) in &self.routes {
            let matches = template.len() == wanted.len()
                && template.iter().zip(&wanted).all(|(t, w)| {
                    if t.starts_with('{') && t.ends_with('}') { uuid::Uuid::parse_str(w).is_ok() } else { t == w }
                });
            if matches {
                allowed.extend(methods.iter().map(|(m, _)| *m));
            }
        }
        if allowed.is_empty() {
            return None;
        }
        allowed.sort_unstable();
        allowed.dedup();
        Some(allowed.join(", "))
    }
}
