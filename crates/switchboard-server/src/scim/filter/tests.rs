//! The filter parser and evaluator against resources as Okta and Entra send them.

use super::*;
use serde_json::json;

fn user() -> Value {
    json!({
        "id": "2819c223", "userName": "Bjensen@Example.com", "externalId": "00u1",
        "name": {"givenName": "Barbara"}, "active": true,
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "b@home.example", "type": "home"}],
        "meta": {"lastModified": "2026-12-01T10:00:00Z"}
    })
}

fn holds(filter: &str) -> bool {
    parse_filter(filter).unwrap_or_else(|e| panic!("{filter}: {e:?}")).matches(&user())
}

#[test]
fn user_name_compares_without_case_as_okta_sends_it() {
    assert!(holds(r#"userName eq "bjensen@example.com""#));
    assert!(holds(r#"USERNAME Eq "BJENSEN@EXAMPLE.COM""#));
    assert!(holds(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen@example.com""#));
    assert!(!holds(r#"userName eq "someone@example.com""#));
}

#[test]
fn external_ids_are_case_exact() {
    assert!(holds(r#"externalId eq "00u1""#));
    assert!(!holds(r#"externalId eq "00U1""#));
}

#[test]
fn logical_operators_presence_and_value_paths() {
    assert!(holds(r#"userName eq "bjensen@example.com" and externalId eq "00u1""#));
    assert!(!holds(r#"userName eq "bjensen@example.com" and externalId eq "x""#));
    assert!(holds(r#"userName eq "x" or (name.givenName sw "bar" and active eq true)"#));
    assert!(holds(r#"not (active eq false)"#));
    assert!(holds("name.givenName pr"));
    assert!(!holds("title pr"));
    assert!(holds(r#"emails[type eq "home" and value ew "home.example"]"#));
    assert!(holds(r#"emails co "home.example""#));
    assert!(holds(r#"emails.type eq "work""#));
    assert!(holds(r#"meta.lastModified gt "2026-11-30T00:00:00Z""#));
    assert!(holds(r#"title ne "boss""#));
}

#[test]
fn malformed_filters_are_refused_with_where() {
    for bad in [
        "",
        "userName",
        r#"userName xx "a""#,
        r#"userName eq "a"#,
        "(userName pr",
        r#"userName eq "a" and"#,
        "a.b.c pr",
        "x:y eq 1",
    ] {
        assert!(parse_filter(bad).is_err(), "{bad}");
    }
    let deep = format!("{}userName pr{}", "(".repeat(40), ")".repeat(40));
    assert!(parse_filter(&deep).is_err());
    assert!(parse_filter(&"a".repeat(5000)).is_err());
}

#[test]
fn equality_terms_are_found_for_the_index() {
    let f = parse_filter(r#"externalId eq "e1" and userName eq "U@x.io""#).expect("parses");
    assert_eq!(f.equality("userName"), Some("U@x.io"));
    assert_eq!(f.equality("externalId"), Some("e1"));
    assert_eq!(parse_filter(r#"userName eq "a" or active pr"#).expect("parses").equality("userName"), None);
}

#[test]
fn patch_paths_as_entra_and_okta_send_them() {
    let p = parse_patch_path(r#"emails[type eq "work"].value"#).expect("parses");
    assert_eq!(p.attr, "emails");
    assert_eq!(p.sub.as_deref(), Some("value"));
    assert!(p.filter.is_some());
    let p = parse_patch_path(r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#).expect("parses");
    assert_eq!((p.attr.as_str(), p.sub), ("members", None));
    let p = parse_patch_path("urn:ietf:params:scim:schemas:core:2.0:User:name.familyName").expect("parses");
    assert_eq!((p.attr.as_str(), p.sub.as_deref()), ("name", Some("familyName")));
    for bad in ["", "emails[type eq \"work\"", "emails]", "a b"] {
        assert!(parse_patch_path(bad).is_err(), "{bad}");
    }
}
