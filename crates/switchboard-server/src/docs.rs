//! `/openapi.json` and `/docs`: Swagger UI, bundled into the binary so it works offline.

use utoipa_swagger_ui::SwaggerUi;

pub fn service() -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", crate::openapi::spec())
}
