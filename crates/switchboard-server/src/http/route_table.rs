//! The API's path templates and their methods, for answering a known path with a wrong method 405
//! with `Allow`, and anything else 404. Built once at start-up from the OpenAPI document and handed
//! to the app as data, so routing needs nothing of the document at request time.

use utoipa::openapi::OpenApi;

#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<&'static str>)>,
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
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                (segments, ops.iter().filter(|(_, present)| *present).map(|(name, _)| *name).collect())
            })
            .collect();
        RouteTable { routes }
    }

    /// The methods of the route whose template is exactly this path (no parameters), if any.
    pub fn literal(&self, path: &str) -> Option<String> {
        let wanted: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.routes
            .iter()
            .find(|(template, _)| template.len() == wanted.len() && template.iter().zip(&wanted).all(|(t, w)| t == w))
            .map(|(_, methods)| {
                let mut methods = methods.clone();
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
                allowed.extend(methods.iter().copied());
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
