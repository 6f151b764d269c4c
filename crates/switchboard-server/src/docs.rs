//! `/openapi.json` and `/docs`: Swagger UI, bundled into the binary so it works offline.

use utoipa_swagger_ui::SwaggerUi;

pub fn service() -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::from("/openapi.json"))
}

/// `GET /openapi.json`: the document, serialized once for the process and shared by every worker
/// (handing it to Swagger UI instead kept one copy of the document per worker).
pub async fn document() -> actix_web::HttpResponse {
    static JSON: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let body: &'static [u8] = JSON.get_or_init(|| serde_json::to_vec(&crate::openapi::spec()).unwrap_or_default());
    actix_web::HttpResponse::Ok().content_type("application/json").body(body)
}

/// `GET /docs` without the trailing slash: Swagger UI lives at `/docs/`.
pub async fn redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect().insert_header((actix_web::http::header::LOCATION, "/docs/")).finish()
}
