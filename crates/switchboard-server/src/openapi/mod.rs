//! The OpenAPI document, generated from the handlers themselves.

pub mod v3_0;

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

/// A header is present or absent (`required: false`); it is never `null`. utoipa spells an optional
/// header `type: [string, "null"]`, which generators turn into a header carrying `Option`'s text.
struct HeadersAreNeverNull;

impl Modify for HeadersAreNeverNull {
    fn modify(&self, openapi: &mut Document) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{Schema, SchemaType, Type};
        let operations = openapi.paths.paths.values_mut().flat_map(|item| {
            [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
        });
        for operation in operations {
            let headers = operation.parameters.iter_mut().flatten().filter_map(|p| match p {
                RefOr::T(parameter) if parameter.parameter_in == ParameterIn::Header => Some(parameter),
                _ => None,
            });
            for header in headers {
                if let Some(RefOr::T(Schema::Object(object))) = header.schema.as_mut()
                    && let SchemaType::Array(types) = &object.schema_type
                {
                    let rest: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
                    if let [only] = rest.as_slice() {
                        object.schema_type = SchemaType::Type(only.clone());
                    }
                }
            }
        }
    }
}

/// The whole document: every route registered by [`crate::http::routes`].
pub fn spec() -> Document {
    let (_app, mut api) =
        App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(crate::http::routes).split_for_parts();
    // After the routes: the derive's own modifiers run before any path exists.
    HeadersAreNeverNull.modify(&mut api);
    api
}

/// The document as checked in at `openapi/openapi.json`.
pub fn spec_json() -> String {
    let mut json = spec().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

/// The same document as OpenAPI 3.0, checked in at `openapi/openapi-3.0.json` for generators that
/// need it (the Rust client's progenitor).
pub fn spec_json_v3_0() -> String {
    let doc = serde_json::to_value(spec()).unwrap_or_default();
    let mut json = serde_json::to_string_pretty(&v3_0::downgrade(doc)).unwrap_or_default();
    json.push('\n');
    json
}

#[cfg(test)]
mod blank_class_tests {
    use switchboard_core::values::BLANK_CLASS;

    #[test]
    fn every_pattern_of_the_document_that_names_blanks_names_all_of_them() {
        let spec = super::spec_json();
        let escaped = serde_json::to_string(BLANK_CLASS).unwrap();
        let escaped = escaped.trim_matches('"');
        assert!(spec.contains(&format!("[^{escaped}")), "the name pattern");
        assert_eq!(spec.matches("\\\\t-\\\\r").count(), spec.matches(escaped).count());
    }
}
