//! The OpenAPI document, generated from the handlers themselves.

use crate::problem::Problem;
use actix_web::App;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchboard",
        description = "Roles and permissions for business phone systems: who may see which calls, recordings, \
                       voicemails and messages, who may manage numbers, call flows, workgroups and roles, and who \
                       may grant what to whom. Errors are RFC 9457 problem documents with a stable `code`; \
                       authorization denials carry the decision's `reason`.",
        license(name = "Apache-2.0")
    ),
    components(schemas(Problem)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "ops", description = "Health, readiness and metrics"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A token from `POST /v1/auth/token` or the configured identity provider"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Api-Key",
                "An API key from `POST /v1/api-keys`; it acts as the user who created it",
            ))),
        );
        components.add_security_scheme(
            "operator",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The platform operator key (`SWITCHBOARD_OPERATOR_KEY`)"))
                    .build(),
            ),
        );
    }
}

/// The whole document: every route registered by [`crate::http::routes`].
pub fn spec() -> Document {
    let (_app, api) =
        App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(crate::http::routes).split_for_parts();
    api
}

/// The document as checked in at `openapi/openapi.json`.
pub fn spec_json() -> String {
    let mut json = spec().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
