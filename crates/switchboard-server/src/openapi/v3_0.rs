//! The same document rendered as OpenAPI 3.0, for generators that do not read 3.1 yet (progenitor).
//!
//! Only the spellings differ: 3.1's JSON-Schema nullability (`type: [T, "null"]`, `oneOf` with
//! `null`), `examples` arrays, numeric `exclusiveMinimum`/`exclusiveMaximum` and `const` become
//! 3.0's `nullable`, `example`, boolean exclusivity and one-value `enum`.

use serde_json::{Map, Value};

pub const VERSION: &str = "3.0.3";

/// Rewrites a 3.1 document as 3.0.
pub fn downgrade(mut doc: Value) -> Value {
    if let Some(root) = doc.as_object_mut() {
        root.insert("openapi".into(), Value::String(VERSION.into()));
        if let Some(license) = root.get_mut("info").and_then(|i| i.get_mut("license")).and_then(Value::as_object_mut) {
            // 3.0 licenses have a name and a url only.
            license.remove("identifier");
        }
        root.remove("webhooks");
        root.remove("jsonSchemaDialect");
    }
    walk_document(&mut doc);
    sort_keys(&mut doc);
    doc
}

/// Keys in sorted order, whether or not a crate in the build turns on serde_json's `preserve_order`
/// (the rendering must not depend on which packages are built together).
fn sort_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            for (key, mut child) in entries {
                sort_keys(&mut child);
                map.insert(key, child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

/// Finds every schema in the document (components, parameters, media types, headers) and rewrites it.
fn walk_document(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    "schema" => schema(child),
                    "schemas" => {
                        if let Some(schemas) = child.as_object_mut() {
                            schemas.values_mut().for_each(schema);
                        }
                    }
                    _ => walk_document(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(walk_document),
        _ => {}
    }
}

fn schema(value: &mut Value) {
    let Some(map) = value.as_object_mut() else { return };
    for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
        if let Some(Value::Array(list)) = map.get_mut(key) {
            list.iter_mut().for_each(schema);
        }
    }
    for key in ["items", "not", "additionalProperties", "contains"] {
        if let Some(child) = map.get_mut(key) {
            schema(child);
        }
    }
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        properties.values_mut().for_each(schema);
    }
    nullable_type(map);
    nullable_alternative(map);
    if let Some(Value::Array(examples)) = map.remove("examples")
        && let Some(first) = examples.into_iter().next()
    {
        map.insert("example".into(), first);
    }
    for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(limit) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
            map.insert(bound.into(), limit);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
    if let Some(constant) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![constant]));
    }
    // JSON Schema keywords 3.0 does not have; map keys are strings there anyway.
    for keyword in ["$schema", "contentMediaType", "propertyNames"] {
        map.remove(keyword);
    }
}

/// `type: [T, "null"]` → `type: T, nullable: true`.
fn nullable_type(map: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = map.get("type") else { return };
    let null = Value::String("null".into());
    let rest: Vec<Value> = types.iter().filter(|t| **t != null).cloned().collect();
    let was_nullable = rest.len() < types.len();
    match rest.as_slice() {
        [only] => {
            map.insert("type".into(), only.clone());
        }
        [] => {
            map.remove("type");
        }
        _ => {
            // Several non-null types have no 3.0 spelling but `anyOf`.
            let alternatives = rest.into_iter().map(|t| Value::Object(Map::from_iter([("type".into(), t)])));
            map.remove("type");
            map.insert("anyOf".into(), Value::Array(alternatives.collect()));
        }
    }
    if was_nullable {
        map.insert("nullable".into(), Value::Bool(true));
    }
}

/// `oneOf: [{type: null}, X]` → `allOf: [X], nullable: true` (a `$ref` cannot carry `nullable` itself).
fn nullable_alternative(map: &mut Map<String, Value>) {
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(list)) = map.get(key) else { continue };
        let is_null = |v: &Value| {
            v.get("type") == Some(&Value::String("null".into())) && v.as_object().is_some_and(|o| o.len() == 1)
        };
        if !list.iter().any(is_null) {
            continue;
        }
        let rest: Vec<Value> = list.iter().filter(|v| !is_null(v)).cloned().collect();
        map.remove(key);
        map.insert("nullable".into(), Value::Bool(true));
        match rest.len() {
            0 => {}
            1 => {
                map.insert("allOf".into(), Value::Array(rest));
            }
            _ => {
                map.insert(key.into(), Value::Array(rest));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn nullable_spellings_become_the_3_0_flag() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}},
            "paths": {"/x": {"get": {"parameters": [{"name": "p", "in": "header", "schema": {"type": ["string", "null"]}}]}}},
            "components": {"schemas": {
                "A": {"type": "object", "properties": {
                    "b": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/B"}]},
                    "n": {"type": ["integer", "null"], "exclusiveMinimum": 0, "examples": [3, 4]},
                    "k": {"const": "fixed"}
                }}
            }}
        });
        let out = downgrade(doc);
        assert_eq!(out["openapi"], "3.0.3");
        assert!(out["info"]["license"].get("identifier").is_none());
        assert_eq!(out["paths"]["/x"]["get"]["parameters"][0]["schema"], json!({"type": "string", "nullable": true}));
        let props = &out["components"]["schemas"]["A"]["properties"];
        assert_eq!(props["b"], json!({"allOf": [{"$ref": "#/components/schemas/B"}], "nullable": true}));
        assert_eq!(
            props["n"],
            json!({"type": "integer", "nullable": true, "minimum": 0, "exclusiveMinimum": true, "example": 3})
        );
        assert_eq!(props["k"], json!({"enum": ["fixed"]}));
    }

    #[test]
    fn the_rendered_document_has_no_3_1_spellings_left() {
        let text = super::super::spec_json_v3_0();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["openapi"], VERSION);
        assert!(!text.contains("\"null\""), "a 3.1 null type survived");
        assert!(!text.contains("\"examples\": ["), "a 3.1 examples array survived");
        assert!(!text.contains("\"propertyNames\""), "a JSON Schema keyword 3.0 lacks survived");
    }
}
