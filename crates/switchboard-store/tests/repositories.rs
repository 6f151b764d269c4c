//! Repository behaviour the API relies on.

use crate::support::{backend_tests, key};
use switchboard_core::{DashboardAccess, RoleDefinition, RoleMode, RoleOrigin, ScopeKind, UserStatus};
use switchboard_store::repo::numbers::{NumberInput, NumberKind};
use switchboard_store::repo::roles;
use switchboard_store::repo::users::{self, Memberships, NewUser};
use switchboard_store::repo::{accounts, api_keys};
use switchboard_store::repo::{ivrs, numbers, workgroups};
use switchboard_store::{Actor, PageRequest, StoreError};

backend_tests! {
    fn subject_duplicate_copy_and_modes(db) {
        let (a, owner) = db.account("acme");
        let mut c = db.conn();
        let actor = Actor::User(owner.id);
        let n1 = numbers::create_number(&mut c, a.id, &NumberInput { e164: "+15550100".into(), label: "Main".into(), kind: NumberKind::Local }, &actor).expect("n");
        let wg = workgroups::create_workgroup(&mut c, a.id, "Support", &[], &actor).expect("wg");
        let ivr = ivrs::create_ivr(&mut c, a.id, "Main menu", &[n1.id], &actor).expect("ivr");
        let mut numbers_role = RoleDefinition::new("numbers_watch", "Numbers watcher");
        numbers_role.scope = ScopeKind::Numbers;
        numbers_role.scope_numbers = vec![n1.id];
        let r1 = roles::create(&mut c, a.id, &RoleOrigin::Preset { pack: "mightycall".into() }, &numbers_role, &actor).expect("r1");
        assert_eq!(r1.definition, numbers_role);
        let r2 = roles::create(&mut c, a.id, &RoleOrigin::Custom, &RoleDefinition::new("agent", "Agent"), &actor).expect("r2");
        let ann = users::create(&mut c, a.id, &NewUser::invited("ann@acme.example", "Ann"), &actor).expect("ann");
        roles::assign(&mut c, a.id, ann.id, r1.id, RoleMode::Combinable, &actor).expect("assign");
        roles::assign(&mut c, a.id, ann.id, r2.id, RoleMode::Combinable, &actor).expect("assign");
        users::set_memberships(&mut c, a.id, ann.id, Memberships::Numbers(&[n1.id]), None, &actor).expect("numbers");
        users::set_memberships(&mut c, a.id, ann.id, Memberships::Workgroups(&[wg.id]), None, &actor).expect("wgs");
        users::set_dashboard_access(&mut c, a.id, ann.id, &DashboardAccess { workgroups: vec![wg.id], ivrs: vec![ivr.id] }, None, &actor).expect("dash");
        let s = users::subject(&mut c, a.id, ann.id).expect("subject");
        assert_eq!(s.roles, vec!["agent".to_string(), "numbers_watch".to_string()]);
        assert_eq!((s.numbers.clone(), s.workgroups.clone()), (vec![n1.id], vec![wg.id]));
        assert_eq!(s.dashboard, DashboardAccess { workgroups: vec![wg.id], ivrs: vec![ivr.id] });
        assert!(!s.superadmin);
        assert_eq!(s.status, UserStatus::Invited);
        assert!(users::subject(&mut c, a.id, owner.id).expect("owner").superadmin);
        // single mode: assigning replaces
        roles::assign(&mut c, a.id, ann.id, r2.id, RoleMode::Single, &actor).expect("single");
        assert_eq!(users::access(&mut c, a.id, ann.id).expect("acc").roles, vec![r2.id]);
        let err = roles::set_user_roles(&mut c, a.id, ann.id, &[r1.id, r2.id], RoleMode::Single, None, &actor).expect_err("single");
        assert!(matches!(err, StoreError::InvalidInput(_)));
        // duplicate settings into a new invited user
        let (bob, copied) = users::duplicate(&mut c, a.id, ann.id, &NewUser::invited("bob@acme.example", "Bob"), &actor).expect("dup");
        assert_eq!(bob.status, UserStatus::Invited);
        assert_eq!(copied, users::access(&mut c, a.id, ann.id).expect("acc"));
        // copy a preset role into a custom one
        let source = roles::get(&mut c, a.id, r1.id).expect("source");
        let definition = RoleDefinition { key: "numbers_copy".into(), name: "Copy".into(), ..source.definition };
        let copy = roles::copy(&mut c, a.id, r1.id, &definition, &actor).expect("copy");
        assert_eq!(copy.origin, RoleOrigin::Custom);
        assert_eq!(copy.definition.scope_numbers, vec![n1.id]);
        let listed = roles::list(&mut c, a.id, &PageRequest::first(10)).expect("list");
        let agent = listed.items.iter().find(|r| r.role.id == r2.id).expect("agent listed");
        assert_eq!(agent.members, 2);
        // deleting a role in use is refused, the superadmin cannot be deleted
        assert!(matches!(roles::delete(&mut c, a.id, r2.id, None, &actor), Err(StoreError::InUse { .. })));
        assert!(matches!(users::delete(&mut c, a.id, owner.id, None, &actor), Err(StoreError::InUse { .. })));
        let before = accounts::access_version(&mut c, a.id).expect("v");
        users::delete(&mut c, a.id, bob.id, None, &actor).expect("delete bob");
        assert!(accounts::access_version(&mut c, a.id).expect("v") > before);
        // API keys: found by prefix, revoked once
        let key = api_keys::create(&mut c, a.id, ann.id, &key("CI", "sbk_abc123", "hash"), &actor).expect("key");
        assert_eq!(api_keys::find_by_prefix(&mut c, "sbk_abc123").expect("found").id, key.id);
        assert!(api_keys::revoke(&mut c, a.id, api_keys::KeyPurpose::Api, key.id, &actor).expect("revoked").revoked_at.is_some());
        assert!(matches!(api_keys::revoke(&mut c, a.id, api_keys::KeyPurpose::Api, key.id, &actor), Err(StoreError::NotFound { .. })));
    }

    fn keyset_pages_cover_every_user_once(db) {
        let (a, owner) = db.account("pages");
        let mut c = db.conn();
        for i in 0..23 {
            users::create(&mut c, a.id, &NewUser::invited(format!("user{i:02}@pages.example"), "U"), &Actor::User(owner.id)).expect("u");
        }
        let mut seen = Vec::new();
        let mut page = PageRequest::first(5);
        loop {
            let p = users::list(&mut c, a.id, &page).expect("page");
            assert!(p.items.len() <= 5);
            seen.extend(p.items.into_iter().map(|u| u.email));
            match p.next_cursor {
                Some(next) => page = PageRequest::after(5, next),
                None => break,
            }
        }
        assert_eq!(seen.len(), 24);
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, seen);
        assert!(matches!(users::list(&mut c, a.id, &PageRequest::after(5, "zz")), Err(StoreError::InvalidInput(_))));
    }

    fn the_first_unknown_id_is_named_and_other_accounts_records_are_unknown(db) {
        let (a, owner) = db.account("alpha");
        let (b, _) = db.account("beta");
        let mut c = db.conn();
        let actor = Actor::User(owner.id);
        let number = |c: &mut _, account, e164: &str| {
            numbers::create_number(c, account, &NumberInput { e164: e164.into(), label: String::new(), kind: NumberKind::Local }, &actor).expect("n").id
        };
        let (mine, theirs) = (number(&mut c, a.id, "+15550100"), number(&mut c, b.id, "+15550101"));
        assert_eq!(numbers::first_unknown(&mut c, a.id, &[]).expect("q"), None);
        assert_eq!(numbers::first_unknown(&mut c, a.id, &[mine, mine]).expect("q"), None);
        assert_eq!(numbers::first_unknown(&mut c, a.id, &[mine, theirs, mine]).expect("q"), Some(theirs));
        let wg = workgroups::create_workgroup(&mut c, b.id, "Theirs", &[], &actor).expect("wg").id;
        assert_eq!(workgroups::first_unknown(&mut c, a.id, &[wg]).expect("q"), Some(wg));
        let ivr = ivrs::create_ivr(&mut c, b.id, "Theirs", &[], &actor).expect("ivr").id;
        assert_eq!(ivrs::first_unknown(&mut c, b.id, &[ivr]).expect("q"), None);
        assert_eq!(ivrs::first_unknown(&mut c, a.id, &[ivr]).expect("q"), Some(ivr));
        assert_eq!(users::first_unknown(&mut c, a.id, &[owner.id]).expect("q"), None);
        // More ids than one query takes.
        let many: Vec<_> = (0..1200).map(|_| switchboard_core::UserId::new_random()).collect();
        assert_eq!(users::first_unknown(&mut c, a.id, &many).expect("q"), Some(many[0]));
    }
}
