//! Access reviews (issue 17): every person with each assignment — who gave it, when, until when —
//! their reach and last sign-in, as JSON and CSV; keep or revoke decisions, revocations judged like
//! any role change.

use crate::reports::get_csv;
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use switchboard_testkit::app::Builder;

on_both_backends!(a_review_lists_who_gave_each_role_until_when_and_records_keep_or_revoke,);

fn entry(review: &Value, email: &str) -> Value {
    review["items"].as_array().unwrap().iter().find(|e| e["email"] == email).unwrap().clone()
}

fn role<'a>(entry: &'a Value, key: &str) -> &'a Value {
    entry["roles"].as_array().unwrap().iter().find(|r| r["role"] == key).unwrap()
}

fn a_review_lists_who_gave_each_role_until_when_and_records_keep_or_revoke(app: Builder) {
    let app = app
        .account("air", "aircall")
        .user("admin@air.example", &["agent", "admin"])
        .user("agent@air.example", &["agent"])
        .start();
    let [owner, admin, agent] = app.sessions(["owner@air.example", "admin@air.example", "agent@air.example"]);
    let until = (Utc::now() + Duration::hours(8)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let grant = json!({"role": "supervisor", "expires_at": until});
    let granted = app.call(&owner, "POST", &format!("/v1/users/{}/role-grants", agent.user_id), Some(grant));
    assert_eq!(granted.status, 200, "{}", granted.body);

    let review = app.call(&owner, "GET", "/v1/access-review", None);
    assert_eq!(review.status, 200, "{}", review.body);
    let review = review.json();
    let person = entry(&review, "agent@air.example");
    assert!(person["last_sign_in_at"].is_string(), "{person}");
    let supervisor = role(&person, "supervisor");
    assert_eq!(supervisor["assigned_by"], format!("user:{}", owner.user_id));
    assert_eq!(supervisor["expires_at"].as_str().map(|t| &t[..16]), Some(&until[..16]));
    assert_eq!(person["everything"], true, "a supervisor sees every call");
    assert_eq!(entry(&review, "owner@air.example")["superadmin"], true);
    // Reviewing is for those who read the audit log.
    app.call(&agent, "GET", "/v1/access-review", None).assert_problem(403, "forbidden");
    let csv = get_csv(&app, &owner, "/v1/access-review").body;
    assert!(csv.starts_with("email,name,status,superadmin,last_sign_in_at,role,assigned_at,assigned_by,"), "{csv}");
    assert!(csv.lines().any(|l| l.starts_with("agent@air.example,") && l.contains(",supervisor,")), "{csv}");

    // Keep: recorded, shown, audited.
    let keep = json!({"user_id": agent.user_id, "role": "agent", "decision": "keep", "note": "needs the apps"});
    assert_eq!(app.call(&owner, "POST", "/v1/access-review/decisions", Some(keep)).status, 204);
    let review = app.call(&owner, "GET", "/v1/access-review", None).json();
    let kept = role(&entry(&review, "agent@air.example"), "agent")["last_review"].clone();
    assert_eq!((kept["decision"].clone(), kept["note"].clone()), (json!("keep"), json!("needs the apps")));

    // Revoke: an ordinary role change, judged by the same rules.
    let owner2 = app.user(&owner, "air", "owner2@air.example", &["agent", "owner"]);
    let take_admin = json!({"user_id": admin.user_id, "role": "admin", "decision": "revoke"});
    let problem =
        app.call(&owner2, "POST", "/v1/access-review/decisions", Some(take_admin)).assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["code"], "guarded_role", "an Owner may not take Admin away");
    let revoke = json!({"user_id": agent.user_id, "role": "supervisor", "decision": "revoke", "note": "shift over"});
    assert_eq!(app.call(&owner, "POST", "/v1/access-review/decisions", Some(revoke.clone())).status, 204);
    let me = app.call(&owner, "GET", &format!("/v1/users/{}", agent.user_id), None).json();
    assert!(!me.to_string().contains("\"supervisor\""), "{me}");
    let log = app.call(&owner, "GET", "/v1/audit-events?action=access_review.revoke", None).json();
    assert_eq!(log["items"][0]["after"]["note"], "shift over");
    // An assignment they do not hold cannot be reviewed.
    let problem = app.call(&owner, "POST", "/v1/access-review/decisions", Some(revoke)).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "role");
}
