//! PATCH operations as Okta and Entra send them, applied to a resource.

use super::*;
use serde_json::json;

use crate::scim::schema::{GROUP, USER};

fn patched(start: Value, ops: Value) -> Result<Value, PatchError> {
    let mut map = start.as_object().cloned().expect("object");
    apply(&mut map, &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops}), &USER)?;
    Ok(Value::Object(map))
}

#[test]
fn okta_deactivates_with_a_pathless_replace() {
    let out = patched(json!({"active": true, "userName": "a"}), json!([{"op": "replace", "value": {"active": false}}]));
    assert_eq!(out.expect("applies")["active"], json!(false));
}

#[test]
fn entra_replaces_with_a_capital_and_a_filtered_email_path() {
    let start = json!({"emails": [{"value": "old@x.io", "type": "work", "primary": true}]});
    let ops = json!([
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@x.io"},
        {"op": "Add", "path": "name.givenName", "value": "Ada"},
        {"op": "Replace", "path": "displayName", "value": "Ada L"}
    ]);
    let out = patched(start, ops).expect("applies");
    assert_eq!(out["emails"][0]["value"], json!("new@x.io"));
    assert_eq!(out["emails"][0]["primary"], json!(true));
    assert_eq!(out["name"]["givenName"], json!("Ada"));
    assert_eq!(out["displayName"], json!("Ada L"));
}

#[test]
fn members_are_added_once_and_removed_by_filter_or_by_value() {
    let start = json!({"members": [{"value": "u1"}]});
    let mut map = start.as_object().cloned().expect("object");
    let add = json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": "u1"}, {"value": "u2"}, {"value": "u3"}]}]});
    apply(&mut map, &add, &GROUP).expect("adds");
    assert_eq!(map["members"].as_array().map(Vec::len), Some(3));
    let by_filter = json!({"Operations": [{"op": "remove", "path": "members[value eq \"u2\"]"}]});
    apply(&mut map, &by_filter, &GROUP).expect("removes");
    let by_value = json!({"Operations": [{"op": "Remove", "path": "members", "value": [{"value": "u1"}]}]});
    apply(&mut map, &by_value, &GROUP).expect("removes");
    assert_eq!(map["members"], json!([{"value": "u3"}]));
}

#[test]
fn bad_patches_name_their_scim_type() {
    let start = json!({"userName": "a"});
    let cases = [
        (json!([{"op": "remove"}]), "noTarget"),
        (json!([{"op": "move", "path": "userName"}]), "invalidSyntax"),
        (json!([{"op": "replace", "path": "emails[value sw \"x\"].value", "value": "x"}]), "noTarget"),
        (json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]), "invalidPath"),
        (json!([{"op": "replace", "path": "id", "value": "x"}]), "mutability"),
        (json!([{"op": "replace", "value": "x"}]), "invalidValue"),
        (json!([]), "invalidSyntax"),
        (Value::Array(vec![json!({"op": "add", "path": "title", "value": "x"}); MAX_OPERATIONS + 1]), "tooMany"),
        (
            json!([{"op": "add", "path": "emails", "value": vec![json!({"value": "a@x.io"}); MAX_VALUES + 1]}]),
            "tooMany",
        ),
    ];
    for (ops, scim_type) in cases {
        let err = patched(start.clone(), ops.clone()).expect_err("refused");
        assert_eq!(err.scim_type, scim_type, "{ops}");
    }
}

#[test]
fn entra_sets_a_first_value_through_a_filter_that_matches_nothing() {
    let start = json!({"userName": "a", "phoneNumbers": [{"type": "work", "value": "+1 555 0100"}]});
    let ops = json!([
        {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555 0199"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "a@x.io"}
    ]);
    let out = patched(start, ops).expect("applies");
    assert_eq!(out["phoneNumbers"][1], json!({"type": "mobile", "value": "+1 555 0199"}));
    assert_eq!(out["emails"], json!([{"type": "work", "value": "a@x.io"}]));
}

#[test]
fn remove_takes_an_attribute_or_a_sub_attribute() {
    let start = json!({"title": "Lead", "name": {"givenName": "A", "familyName": "B"}});
    let out = patched(start, json!([{"op": "remove", "path": "title"}, {"op": "remove", "path": "name.familyName"}]))
        .expect("applies");
    assert_eq!(out, json!({"name": {"givenName": "A"}}));
}
