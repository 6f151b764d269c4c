//! `/openapi.json` and `/docs`: Swagger UI, bundled into the binary so it works offline.

use utoipa_swagger_ui::SwaggerUi;

pub fn service() -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", crate::openapi::spec())
}

/// `GET /docs` without the trailing slash: Swagger UI lives at `/docs/`.
pub async fn redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect().insert_header((actix_web::http::header::LOCATION, "/docs/")).finish()
}
