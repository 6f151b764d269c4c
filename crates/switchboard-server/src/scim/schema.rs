//! The SCIM schemas Switchboard serves (RFC 7643 §4), written once and used for `/ResourceTypes` and
//! `/Schemas`, for reading what a provider sends (canonical names, types; unknown attributes are
//! ignored), for PATCH (multi-valued and read-only attributes) and `attributes`/`excludedAttributes`.

use super::error::ScimError;
use super::filter::field;
use serde_json::{Map, Value, json};
use std::borrow::Cow;

pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    String,
    Boolean,
    Complex,
    Reference,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutability {
    ReadWrite,
    Immutable,
    ReadOnly,
}

/// One attribute of a schema.
#[derive(Debug)]
pub struct Attr {
    pub name: &'static str,
    pub kind: Kind,
    pub multi: bool,
    pub required: bool,
    pub mutability: Mutability,
    pub unique: bool,
    pub canonical: &'static [&'static str],
    pub reference_types: &'static [&'static str],
    pub sub: &'static [Attr],
}

const fn attr(name: &'static str, kind: Kind) -> Attr {
    Attr {
        name,
        kind,
        multi: false,
        required: false,
        mutability: Mutability::ReadWrite,
        unique: false,
        canonical: &[],
        reference_types: &[],
        sub: &[],
    }
}

const fn multi(name: &'static str, sub: &'static [Attr]) -> Attr {
    Attr { multi: true, sub, ..attr(name, Kind::Complex) }
}

const EMAIL: [Attr; 3] = [
    attr("value", Kind::String),
    Attr { canonical: &["work", "home", "other"], ..attr("type", Kind::String) },
    attr("primary", Kind::Boolean),
];

const PHONE_NUMBER: [Attr; 3] = [
    attr("value", Kind::String),
    Attr { canonical: &["work", "home", "mobile", "fax", "pager", "other"], ..attr("type", Kind::String) },
    attr("primary", Kind::Boolean),
];

pub const USER_ATTRIBUTES: &[Attr] = &[
    Attr { required: true, unique: true, ..attr("userName", Kind::String) },
    Attr {
        sub: &[
            attr("formatted", Kind::String),
            attr("familyName", Kind::String),
            attr("givenName", Kind::String),
            attr("middleName", Kind::String),
        ],
        ..attr("name", Kind::Complex)
    },
    attr("displayName", Kind::String),
    attr("title", Kind::String),
    multi("emails", &EMAIL),
    multi("phoneNumbers", &PHONE_NUMBER),
    attr("active", Kind::Boolean),
];

pub const GROUP_ATTRIBUTES: &[Attr] = &[
    Attr { required: true, unique: true, ..attr("displayName", Kind::String) },
    multi(
        "members",
        &[
            Attr { mutability: Mutability::Immutable, ..attr("value", Kind::String) },
            Attr { mutability: Mutability::Immutable, reference_types: &["User"], ..attr("$ref", Kind::Reference) },
            Attr { mutability: Mutability::Immutable, canonical: &["User"], ..attr("type", Kind::String) },
            Attr { mutability: Mutability::ReadOnly, ..attr("display", Kind::String) },
        ],
    ),
];

/// A resource type as its schema describes it (RFC 7643 §6, §7), written once: served at
/// `/ResourceTypes` and `/Schemas`, and read for what a provider sends and for PATCH.
#[derive(Debug)]
pub struct Schema {
    pub urn: &'static str,
    pub name: &'static str,
    pub endpoint: &'static str,
    pub description: &'static str,
    pub attributes: &'static [Attr],
    /// What the server writes and no client may, beside `id` and `meta`.
    pub server_written: &'static [&'static str],
}

pub const USER: Schema = Schema {
    urn: USER_URN,
    name: "User",
    endpoint: "/Users",
    description: "A person of the account",
    attributes: USER_ATTRIBUTES,
    server_written: &["groups"],
};

pub const GROUP: Schema = Schema {
    urn: GROUP_URN,
    name: "Group",
    endpoint: "/Groups",
    description: "A workgroup of the account",
    attributes: GROUP_ATTRIBUTES,
    server_written: &[],
};

impl Schema {
    fn attribute(&self, name: &str) -> Option<&'static Attr> {
        self.attributes.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// `name` as the schema spells it (`externalId` included); an unknown name as given.
    pub fn canonical<'a>(&self, name: &'a str) -> Cow<'a, str> {
        if name.eq_ignore_ascii_case("externalId") {
            return Cow::Borrowed("externalId");
        }
        Cow::Borrowed(self.attribute(name).map_or(name, |a| a.name))
    }

    pub fn is_multi_valued(&self, name: &str) -> bool {
        self.attribute(name).is_some_and(|a| a.multi)
    }

    /// `id`, `meta` and what the server writes (every attribute is writable at the top level).
    pub fn is_read_only(&self, name: &str) -> bool {
        ["id", "meta"].iter().chain(self.server_written).any(|a| a.eq_ignore_ascii_case(name))
    }
}

fn attribute_json(a: &Attr) -> Value {
    let kind = match a.kind {
        Kind::String => "string",
        Kind::Boolean => "boolean",
        Kind::Complex => "complex",
        Kind::Reference => "reference",
    };
    let mutability = match a.mutability {
        Mutability::ReadWrite => "readWrite",
        Mutability::Immutable => "immutable",
        Mutability::ReadOnly => "readOnly",
    };
    let mut out = json!({
        "name": a.name, "type": kind, "multiValued": a.multi, "required": a.required,
        "mutability": mutability, "returned": "default", "uniqueness": if a.unique { "server" } else { "none" },
    });
    if matches!(a.kind, Kind::String | Kind::Reference) {
        out["caseExact"] = json!(false);
    }
    if !a.canonical.is_empty() {
        out["canonicalValues"] = json!(a.canonical);
    }
    if !a.reference_types.is_empty() {
        out["referenceTypes"] = json!(a.reference_types);
    }
    if !a.sub.is_empty() {
        out["subAttributes"] = Value::Array(a.sub.iter().map(attribute_json).collect());
    }
    out
}

/// The `/Schemas/{id}` document of a schema.
pub fn schema_document(schema: &Schema, base: &str) -> Value {
    let Schema { urn, name, description, attributes, .. } = schema;
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": urn, "name": name, "description": description,
        "attributes": attributes.iter().map(attribute_json).collect::<Vec<_>>(),
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{urn}")},
    })
}

/// Reads a resource's writable attributes as a provider sent them (a POST or PUT body, or the result
/// of a PATCH): canonical names, values of the declared types, read-only and unknown attributes left
/// out. `externalId` is kept beside them.
pub fn read_attributes(input: &Value, attributes: &[Attr]) -> Result<Map<String, Value>, ScimError> {
    let Value::Object(given) = input else {
        return Err(ScimError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            "a resource is a JSON object",
        ));
    };
    let mut out = Map::new();
    if let Some(external) = field(input, "externalId") {
        match external {
            Value::String(s) if !s.is_empty() => {
                out.insert("externalId".into(), json!(s));
            }
            Value::Null | Value::String(_) => {}
            _ => return Err(ScimError::invalid_value("externalId is a string")),
        }
    }
    for (key, value) in given {
        let Some(a) = attributes.iter().find(|a| a.name.eq_ignore_ascii_case(key)) else { continue };
        if let Some(value) = read_value(a, value, a.name)? {
            out.insert(a.name.to_owned(), value);
        }
    }
    Ok(out)
}

fn read_value(a: &Attr, value: &Value, path: &str) -> Result<Option<Value>, ScimError> {
    if a.mutability == Mutability::ReadOnly || value.is_null() {
        return Ok(None);
    }
    if a.multi {
        let items = match value {
            Value::Array(items) => items.as_slice(),
            one => std::slice::from_ref(one),
        };
        let read = items
            .iter()
            .map(|item| read_single(a, item, path))
            .filter_map(Result::transpose)
            .collect::<Result<Vec<_>, _>>()?;
        return Ok((!read.is_empty()).then_some(Value::Array(read)));
    }
    read_single(a, value, path)
}

fn read_single(a: &Attr, value: &Value, path: &str) -> Result<Option<Value>, ScimError> {
    match (a.kind, value) {
        (_, Value::Null) => Ok(None),
        (Kind::String | Kind::Reference, Value::String(s)) => Ok(Some(json!(s))),
        (Kind::Boolean, Value::Bool(b)) => Ok(Some(json!(b))),
        // Entra sends booleans as "True" and "False"
        (Kind::Boolean, Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(json!(true))),
        (Kind::Boolean, Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(json!(false))),
        (Kind::Complex, Value::Object(given)) => {
            let mut out = Map::new();
            for (key, v) in given {
                let Some(sub) = a.sub.iter().find(|s| s.name.eq_ignore_ascii_case(key)) else { continue };
                if let Some(v) = read_value(sub, v, &format!("{path}.{}", sub.name))? {
                    out.insert(sub.name.to_owned(), v);
                }
            }
            Ok((!out.is_empty()).then_some(Value::Object(out)))
        }
        (kind, _) => Err(ScimError::invalid_value(format!(
            "{path} is {}",
            match kind {
                Kind::String | Kind::Reference => "a string",
                Kind::Boolean => "a boolean",
                Kind::Complex if a.multi => "a list of objects",
                Kind::Complex => "an object",
            }
        ))),
    }
}

/// Which attributes a response carries (`attributes`, `excludedAttributes`): names compare without
/// case, with or without their schema's URN; `id` and `schemas` are always there.
#[derive(Debug, Default, Clone)]
pub struct Projection {
    only: Option<Vec<String>>,
    except: Vec<String>,
}

fn names(list: &str) -> Vec<String> {
    list.split(',')
        .map(|n| {
            let n = n.trim();
            let n = n.rsplit_once(':').map_or(n, |(_, name)| name);
            // `name.givenName` keeps the whole attribute `name`
            n.split('.').next().unwrap_or_default().to_ascii_lowercase()
        })
        .filter(|n| !n.is_empty())
        .collect()
}

impl Projection {
    pub fn new(attributes: Option<&str>, excluded: Option<&str>) -> Projection {
        Projection {
            only: attributes.map(names).filter(|n| !n.is_empty()),
            except: excluded.map(names).unwrap_or_default(),
        }
    }

    pub fn apply(&self, mut resource: Value) -> Value {
        if let Value::Object(map) = &mut resource {
            map.retain(|key, _| {
                let key = key.to_ascii_lowercase();
                if key == "id" || key == "schemas" {
                    return true;
                }
                let wanted = self.only.as_ref().is_none_or(|only| only.contains(&key));
                wanted && !self.except.contains(&key)
            });
        }
        resource
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_read_by_their_canonical_names_and_types() {
        let input = json!({"USERNAME": "ada", "Active": "False", "emails": [{"Value": "a@x.io", "primary": true, "extra": 1}],
            "nickName": "ignored", "id": "not yours", "externalId": "e1", "name": {"givenName": "Ada", "bogus": 1}});
        let read = read_attributes(&input, USER_ATTRIBUTES).expect("reads");
        assert_eq!(
            Value::Object(read),
            json!({"userName": "ada", "active": false, "emails": [{"value": "a@x.io", "primary": true}],
            "externalId": "e1", "name": {"givenName": "Ada"}})
        );
        assert!(read_attributes(&json!({"userName": 3}), USER_ATTRIBUTES).is_err());
        assert!(read_attributes(&json!({"active": "maybe"}), USER_ATTRIBUTES).is_err());
        assert!(read_attributes(&json!({"emails": "a@x.io"}), USER_ATTRIBUTES).is_err());
    }

    #[test]
    fn projections_keep_id_and_schemas() {
        let user =
            json!({"schemas": [USER_URN], "id": "1", "userName": "a", "name": {"givenName": "A"}, "externalId": "e"});
        let only =
            Projection::new(Some("urn:ietf:params:scim:schemas:core:2.0:User:externalId"), None).apply(user.clone());
        assert_eq!(only, json!({"schemas": [USER_URN], "id": "1", "externalId": "e"}));
        let except = Projection::new(None, Some("name")).apply(user);
        assert_eq!(except, json!({"schemas": [USER_URN], "id": "1", "userName": "a", "externalId": "e"}));
    }
}
