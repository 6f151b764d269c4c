//! SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's attributes as JSON: `add`, `replace` and
//! `remove`, operation names in any case (Entra sends `Replace`), with or without a path, paths with
//! value filters (`emails[type eq "work"].value`, `members[value eq "…"]`).

use super::error::ScimError;
use super::filter::{CompareOp, Filter, PatchPath, field, parse_patch_path};
use super::schema::Schema;
use serde_json::{Map, Value, json};

/// Why a PATCH cannot be applied, with the SCIM `scimType` it is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError {
    pub scim_type: &'static str,
    pub detail: String,
}

impl From<PatchError> for ScimError {
    fn from(e: PatchError) -> Self {
        ScimError::new(actix_web::http::StatusCode::BAD_REQUEST, Some(e.scim_type), e.detail)
    }
}

fn error(scim_type: &'static str, detail: impl Into<String>) -> PatchError {
    PatchError { scim_type, detail: detail.into() }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    Remove,
}

fn check_writable(schema: &Schema, name: &str) -> Result<(), PatchError> {
    if schema.is_read_only(name) {
        return Err(error("mutability", format!("`{name}` is read-only")));
    }
    Ok(())
}

/// Most operations one PATCH carries, and most values all of them add or set together: the work a
/// PATCH does inside its transaction stays small.
pub const MAX_OPERATIONS: usize = 1000;
pub const MAX_VALUES: usize = 1000;

/// Applies a PATCH request's body (`{"schemas": […PatchOp], "Operations": […]}`) to `resource`.
pub fn apply(resource: &mut Map<String, Value>, body: &Value, schema: &Schema) -> Result<(), PatchError> {
    let operations = field(body, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| error("invalidSyntax", "a PATCH request carries `Operations`, a list"))?;
    if operations.is_empty() {
        return Err(error("invalidSyntax", "`Operations` is empty"));
    }
    if operations.len() > MAX_OPERATIONS {
        return Err(error("tooMany", format!("at most {MAX_OPERATIONS} operations in one PATCH")));
    }
    let values: usize = operations
        .iter()
        .map(|o| match field(o, "value") {
            Some(Value::Array(items)) => items.len(),
            _ => 1,
        })
        .sum();
    if values > MAX_VALUES {
        return Err(error("tooMany", format!("at most {MAX_VALUES} values in one PATCH")));
    }
    for operation in operations {
        let op = match field(operation, "op").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
            Some("add") => Op::Add,
            Some("replace") => Op::Replace,
            Some("remove") => Op::Remove,
            other => {
                return Err(error("invalidSyntax", format!("unknown operation {other:?}: use add, replace or remove")));
            }
        };
        let value = field(operation, "value").cloned();
        let path = match field(operation, "path") {
            None | Some(Value::Null) => None,
            Some(Value::String(p)) if p.trim().is_empty() => None,
            Some(Value::String(p)) => Some(parse_patch_path(p.trim()).map_err(|e| error("invalidPath", e.0))?),
            Some(_) => return Err(error("invalidPath", "`path` is a string")),
        };
        match (op, path) {
            (Op::Remove, None) => return Err(error("noTarget", "`remove` needs a `path`")),
            (Op::Remove, Some(path)) => remove(resource, &path, value.as_ref(), schema)?,
            (op, None) => {
                let Some(Value::Object(attributes)) = value else {
                    return Err(error("invalidValue", "without a `path`, `value` is an object of attributes"));
                };
                for (name, v) in attributes {
                    // a path-less value may carry `schemas` or a full resource's `id`: not attributes
                    if ["schemas", "id", "meta"].iter().any(|k| k.eq_ignore_ascii_case(&name)) {
                        continue;
                    }
                    // `{"name.givenName": …}` as some providers send it
                    let path = parse_patch_path(&name).map_err(|e| error("invalidPath", e.0))?;
                    set(resource, &path, v, op, schema)?;
                }
            }
            (op, Some(path)) => {
                let value = value.ok_or_else(|| error("invalidValue", format!("`{}` needs a `value`", path.attr)))?;
                set(resource, &path, value, op, schema)?;
            }
        }
    }
    Ok(())
}

/// The key `name` is stored under in `resource`: an existing one (any case), else the canonical.
fn key_of(resource: &Map<String, Value>, name: &str, schema: &Schema) -> String {
    resource
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| schema.canonical(name).into_owned())
}

fn set(
    resource: &mut Map<String, Value>,
    path: &PatchPath,
    value: Value,
    op: Op,
    schema: &Schema,
) -> Result<(), PatchError> {
    check_writable(schema, &path.attr)?;
    let key = key_of(resource, &path.attr, schema);
    let multi = schema.is_multi_valued(&path.attr) || matches!(resource.get(&key), Some(Value::Array(_)));
    match (&path.filter, &path.sub) {
        (Some(filter), sub) => {
            let items = match resource.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
                Value::Array(items) => items,
                _ => return Err(error("noTarget", format!("`{}` has no values to match", path.attr))),
            };
            let mut matched = 0;
            for item in items.iter_mut().filter(|item| filter.matches(item)) {
                matched += 1;
                match sub {
                    Some(sub) => set_field(item, sub, value.clone()),
                    None => merge_or_replace(item, value.clone(), op),
                }
            }
            if matched == 0 {
                // Entra sets a first value as `phoneNumbers[type eq "mobile"].value`: the element the
                // filter describes is made, when the filter is nothing but equalities
                let Some(Value::Object(mut made)) = described_by(filter) else {
                    return Err(error("noTarget", format!("no value of `{}` matches the filter", path.attr)));
                };
                match (sub, value) {
                    (Some(sub), value) => {
                        made.insert(sub.clone(), value);
                    }
                    (None, Value::Object(fields)) => made.extend(fields),
                    (None, _) => return Err(error("invalidValue", format!("a value of `{}` is an object", path.attr))),
                }
                items.push(Value::Object(made));
            }
        }
        (None, Some(sub)) if multi => {
            // `emails.value`: every element's sub-attribute
            let Some(Value::Array(items)) = resource.get_mut(&key) else {
                return Err(error("noTarget", format!("`{}` has no values", path.attr)));
            };
            for item in items.iter_mut() {
                set_field(item, sub, value.clone());
            }
        }
        (None, Some(sub)) => {
            let entry = resource.entry(key).or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            set_field(entry, sub, value);
        }
        (None, None) if multi => {
            let values = match value {
                Value::Array(values) => values,
                one => vec![one],
            };
            match (op, resource.get_mut(&key)) {
                (Op::Add, Some(Value::Array(items))) => {
                    for v in values {
                        if items.len() >= MAX_VALUES {
                            return Err(error("tooMany", format!("`{}` holds at most {MAX_VALUES} values", path.attr)));
                        }
                        if !items.contains(&v) {
                            items.push(v);
                        }
                    }
                }
                _ => {
                    resource.insert(key, Value::Array(values));
                }
            }
        }
        (None, None) => match (op, resource.get_mut(&key), value) {
            // adding to a complex attribute merges its sub-attributes
            (Op::Add, Some(current @ Value::Object(_)), new @ Value::Object(_)) => {
                merge_or_replace(current, new, Op::Add)
            }
            (_, _, new) => {
                resource.insert(key, new);
            }
        },
    }
    Ok(())
}

/// The element a filter of equalities (`type eq "work" and display eq "x"`) describes.
fn described_by(filter: &Filter) -> Option<Value> {
    match filter {
        Filter::Compare(path, CompareOp::Eq, value) if path.sub.is_none() => Some(json!({ path.attr.clone(): value })),
        Filter::And(a, b) => match (described_by(a)?, described_by(b)?) {
            (Value::Object(mut a), Value::Object(b)) => {
                a.extend(b);
                Some(Value::Object(a))
            }
            _ => None,
        },
        _ => None,
    }
}

fn set_field(item: &mut Value, sub: &str, value: Value) {
    if let Value::Object(map) = item {
        let key = map.keys().find(|k| k.eq_ignore_ascii_case(sub)).cloned().unwrap_or_else(|| sub.to_owned());
        map.insert(key, value);
    }
}

fn merge_or_replace(item: &mut Value, value: Value, op: Op) {
    match (op, item.as_object_mut(), value) {
        (Op::Add, Some(map), Value::Object(new)) => {
            for (k, v) in new {
                let key = map.keys().find(|existing| existing.eq_ignore_ascii_case(&k)).cloned().unwrap_or(k);
                map.insert(key, v);
            }
        }
        (_, _, value) => *item = value,
    }
}

fn remove(
    resource: &mut Map<String, Value>,
    path: &PatchPath,
    value: Option<&Value>,
    schema: &Schema,
) -> Result<(), PatchError> {
    check_writable(schema, &path.attr)?;
    let key = key_of(resource, &path.attr, schema);
    match (&path.filter, &path.sub) {
        (Some(filter), sub) => {
            let Some(Value::Array(items)) = resource.get_mut(&key) else {
                return Err(error("noTarget", format!("`{}` has no values to match", path.attr)));
            };
            let before = items.len();
            match sub {
                Some(sub) => {
                    for item in items.iter_mut().filter(|item| filter.matches(item)) {
                        if let Value::Object(map) = item {
                            map.retain(|k, _| !k.eq_ignore_ascii_case(sub));
                        }
                    }
                }
                None => items.retain(|item| !filter.matches(item)),
            }
            if sub.is_none() && items.len() == before {
                return Err(error("noTarget", format!("no value of `{}` matches the filter", path.attr)));
            }
            if items.is_empty() {
                resource.remove(&key);
            }
        }
        (None, Some(sub)) => match resource.get_mut(&key) {
            Some(Value::Array(items)) => {
                for item in items.iter_mut() {
                    if let Value::Object(map) = item {
                        map.retain(|k, _| !k.eq_ignore_ascii_case(sub));
                    }
                }
            }
            Some(Value::Object(map)) => map.retain(|k, _| !k.eq_ignore_ascii_case(sub)),
            _ => {}
        },
        (None, None) => match (resource.get_mut(&key), value) {
            // Entra removes members as `{"op": "Remove", "path": "members", "value": [{"value": id}]}`
            (Some(Value::Array(items)), Some(Value::Array(gone))) => {
                items.retain(|item| !gone.iter().any(|g| same_element(item, g)));
                if items.is_empty() {
                    resource.remove(&key);
                }
            }
            _ => {
                resource.remove(&key);
            }
        },
    }
    Ok(())
}

/// Two elements of a multi-valued attribute are the same when their `value`s are (or they are equal).
fn same_element(a: &Value, b: &Value) -> bool {
    match (field(a, "value"), field(b, "value")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests;
