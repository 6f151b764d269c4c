//! The API's path templates, their methods and the query parameters each operation takes: for
//! answering a known path with a wrong method 405 with `Allow`, anything else 404, and a query
//! parameter the operation does not take 422 once the caller is known (a misspelt filter must not
//! silently widen a list or a report). Built once at start-up from the OpenAPI document and handed to
//! the app as data, so routing needs nothing of the document at request time.

use crate::problem::ApiError;
use actix_web::{HttpRequest, web};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr};

/// A method of a route, with the names of the query parameters it takes (`None`: not known, as for a
/// parameter given by reference, so any is let through).
type Method = (&'static str, Option<Vec<String>>);

/// A path of the document and the methods it declares.
#[derive(Debug)]
struct Route {
    /// As the document writes it, and as actix names the route it matched (`/v1/reports/{dimension}`).
    template: String,
    segments: Vec<String>,
    methods: Vec<Method>,
}

#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<Route>,
}

/// The route table the app was built with (`startup`).
pub fn of_request(req: &HttpRequest) -> Option<&RouteTable> {
    req.app_data::<web::Data<RouteTable>>().map(|data| data.get_ref())
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

/// The longest parameter name a refusal repeats.
const NAME_SHOWN: usize = 64;

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
                Route { template: path.clone(), segments, methods: methods.collect() }
            })
            .collect();
        RouteTable { routes }
    }

    /// The first query parameter of `query` that the operation `method` `template` does not take,
    /// with those it takes; `None` when all are taken, or when the operation is not in the document.
    fn unknown_query_parameter(&self, method: &str, template: &str, query: &str) -> Option<(String, &[String])> {
        let route = self.routes.iter().find(|r| r.template == template)?;
        let taken = route.methods.iter().find(|(m, _)| *m == method)?.1.as_deref()?;
        let mut given = form_urlencoded::parse(query.as_bytes()).map(|(name, _)| name);
        let unknown = given.find(|name| !taken.iter().any(|t| t == name))?;
        Some((unknown.into_owned(), taken))
    }

    /// The 422 for a routed request with a query parameter its operation does not take, if it has
    /// one. The operation is the route actix matched (its decoded path), named by its template.
    pub fn refusal(&self, req: &HttpRequest) -> Option<ApiError> {
        if req.query_string().is_empty() {
            return None;
        }
        let (method, template) = (req.method().as_str(), req.match_pattern()?);
        let (name, taken) = self.unknown_query_parameter(method, &template, req.query_string())?;
        let takes = if taken.is_empty() { "none".to_owned() } else { taken.join(", ") };
        if name.is_empty() {
            let detail = format!("the query string has a parameter without a name; {method} {template} takes: {takes}");
            return Some(ApiError::Invalid { field: None, detail });
        }
        let shown: String = name.chars().take(NAME_SHOWN).collect();
        let detail = format!("{method} {template} takes no query parameter `{shown}`; it takes: {takes}");
        Some(ApiError::Invalid { field: Some(shown), detail })
    }

    /// The methods of the route whose template is exactly this path (no parameters), if any.
    pub fn literal(&self, path: &str) -> Option<String> {
        let wanted: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.routes
            .iter()
            .find(|r| r.segments.len() == wanted.len() && r.segments.iter().zip(&wanted).all(|(t, w)| t == w))
            .map(|r| {
                let mut methods: Vec<&str> = r.methods.iter().map(|(m, _)| *m).collect();
                methods.sort_unstable();
                methods.join(", ")
            })
    }

    /// The methods a path supports. A route whose template is exactly the path (`/v1/roles/matrix`)
    /// takes precedence over templates with parameters (`/v1/roles/{id}`), as it does in routing; an
    /// id parameter (`{id}`) matches only a UUID, so a segment that is not one names no record: 404,
    /// as for the methods that exist; another (`{dimension}`) matches any segment.
    pub fn allowed(&self, path: &str) -> Option<String> {
        if let Some(literal) = self.literal(path) {
            return Some(literal);
        }
        let wanted: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut allowed: Vec<&str> = Vec::new();
        for route in &self.routes {
            let matches = route.segments.len() == wanted.len()
                && route.segments.iter().zip(&wanted).all(|(t, w)| {
                    match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                        Some("id") => uuid::Uuid::parse_str(w).is_ok(),
                        Some(_) => !w.is_empty(),
                        None => t == w,
                    }
                });
            if matches {
                allowed.extend(route.methods.iter().map(|(m, _)| *m));
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
