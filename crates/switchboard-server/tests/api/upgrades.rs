//! A new version of a pack brings accounts along: `POST /v1/presets/upgrade` plans (dry run) and
//! applies, in one transaction, what changes per preset role and per user, following the pack's
//! renames and splits, and reports custom copies of changed presets without touching them.

use serde_json::{Value, json};
use switchboard_testkit::app::Builder;

fn keys(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect()
}

fn entry<'a>(list: &'a Value, field: &str, value: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|e| e[field] == value).unwrap_or_else(|| panic!("no {field} {value}: {list}"))
}

fn a_new_pack_version_is_planned_then_applied_following_renames_and_splits(app: Builder) {
    let mut app = app
        .plugin("evolving_v1")
        .account("evo", "evolving")
        .user("agent@evo.example", &["agent"])
        .user("clerk@evo.example", &["clerk"])
        .user("auditor@evo.example", &["auditor"])
        .user("temp@evo.example", &["temp"])
        .start();
    let owner = app.session("owner@evo.example");
    let (agent, clerk, auditor, temp) = (
        app.session("agent@evo.example"),
        app.session("clerk@evo.example"),
        app.session("auditor@evo.example"),
        app.session("temp@evo.example"),
    );
    let roles = app.call(&owner, "GET", "/v1/roles", None).json();
    let agent_role = entry(&roles["items"], "key", "agent")["id"].as_str().unwrap().to_owned();
    let copy = json!({"key": "senior_agent", "name": "Senior agent"});
    let copied = app.call(&owner, "POST", &format!("/v1/roles/{agent_role}/copy"), Some(copy));
    assert_eq!(copied.status, 201, "{}", copied.body);
    let nothing = app.call(&owner, "POST", "/v1/presets/upgrade", Some(json!({}))).json();
    assert_eq!((nothing["from_version"].clone(), nothing["to_version"].clone()), (json!("1.0.0"), json!("1.0.0")));
    assert_eq!(nothing["users"], json!([]), "on its own version an account has nothing to upgrade");

    app.restart_with_plugins(&["evolving_v2"]);
    let refused = app.call(&agent, "POST", "/v1/presets/upgrade", Some(json!({})));
    refused.assert_problem(403, "forbidden");
    let plan = app.call(&owner, "POST", "/v1/presets/upgrade", Some(json!({})));
    assert_eq!(plan.status, 200, "{}", plan.body);
    let plan = plan.json();
    assert_eq!((plan["from_version"].clone(), plan["to_version"].clone()), (json!("1.0.0"), json!("2.0.0")));
    assert_eq!((plan["dry_run"].clone(), plan["applied"].clone()), (json!(true), json!(false)));
    let role = |key: &str| entry(&plan["roles"], "role", key).clone();
    assert_eq!(role("boss")["status"], "unchanged");
    assert_eq!(role("agent")["status"], "changed");
    assert_eq!(role("agent")["changes"], json!(["section contacts: view → manage"]));
    assert_eq!(
        (role("clerk")["status"].clone(), role("clerk")["successors"].clone()),
        (json!("removed"), json!(["bookkeeper"]))
    );
    assert_eq!(role("auditor")["successors"], json!(["reader", "reviewer"]));
    assert_eq!((role("temp")["status"].clone(), role("temp")["successors"].clone()), (json!("removed"), json!([])));
    assert_eq!(role("trainee")["status"], "added");
    let user = |id: &str| entry(&plan["users"], "user_id", id).clone();
    assert_eq!(user(&clerk.user_id)["to"], json!(["bookkeeper"]), "a renamed role follows");
    assert_eq!(user(&clerk.user_id)["loses"]["sections"], json!([]), "and nothing is lost");
    assert_eq!(user(&auditor.user_id)["to"], json!(["reader", "reviewer"]), "a split role gives both");
    assert_eq!(user(&temp.user_id)["dropped"], json!(["temp"]));
    assert_eq!(user(&temp.user_id)["loses"]["sections"][0]["section"], "contacts");
    assert_eq!(user(&agent.user_id)["to"], json!(["agent"]));
    assert_eq!(
        user(&agent.user_id)["gains"]["sections"][0],
        json!({"section": "contacts", "from": "view", "to": "manage"})
    );
    assert_eq!(plan["copied_roles"], json!([{"role": "senior_agent", "copied_from": "agent", "source": "changed"}]));
    let unchanged = app.call(&owner, "GET", "/v1/roles", None).json();
    assert!(keys(&unchanged["items"]).contains(&"clerk"), "a dry run changes nothing");

    let applied = app.call(&owner, "POST", "/v1/presets/upgrade", Some(json!({"dry_run": false})));
    assert_eq!(applied.status, 200, "{}", applied.body);
    let roles = app.call(&owner, "GET", "/v1/roles", None).json();
    assert_eq!(
        keys(&roles["items"]),
        ["agent", "bookkeeper", "boss", "reader", "reviewer", "senior_agent", "trainee"],
        "removed presets are gone, new ones created, the custom copy kept"
    );
    let held = |session| keys(&app.call(session, "GET", "/v1/me", None).json()["roles"]).join(" ");
    assert_eq!(held(&clerk), "bookkeeper");
    assert_eq!(held(&auditor), "reader reviewer");
    assert_eq!(held(&temp), "");
    let me = app.call(&agent, "GET", "/v1/me", None).json();
    let contacts = entry(&me["permissions"]["sections"], "key", "contacts");
    assert_eq!(contacts["level"], "manage", "the changed role gives its new access at once");
    let copy = entry(&roles["items"], "key", "senior_agent");
    assert_eq!(copy["grants"]["contacts"]["level"], "view", "the custom copy is not changed");
    let audit = app.call(&owner, "GET", "/v1/audit-events?action=account.preset_version", None).json();
    assert_eq!(audit["items"][0]["after"], json!({"preset_version": "2.0.0"}), "{audit}");
    let again = app.call(&owner, "POST", "/v1/presets/upgrade", Some(json!({}))).json();
    assert_eq!(again["from_version"], "2.0.0");
    assert_eq!(again["users"], json!([]));
    assert!(again["roles"].as_array().unwrap().iter().all(|r| r["status"] == "unchanged"), "{again}");
}

fn an_older_loaded_version_than_the_accounts_is_refused(app: Builder) {
    let mut app = app.plugin("evolving_v2").account("evo", "evolving").start();
    let owner = app.session("owner@evo.example");
    app.restart_with_plugins(&["evolving_v1"]);
    let refused = app.call(&owner, "POST", "/v1/presets/upgrade", Some(json!({"dry_run": false})));
    let problem = refused.assert_problem(409, "conflict");
    assert!(problem["detail"].as_str().unwrap().contains("newer than the loaded 1.0.0"), "{problem}");
}

on_both_backends!(
    a_new_pack_version_is_planned_then_applied_following_renames_and_splits,
    an_older_loaded_version_than_the_accounts_is_refused,
);
