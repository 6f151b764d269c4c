//! # switchboard-bench
//!
//! The RBAC workloads Switchboard's decision engine is compared on against `cedar-policy` and
//! `casbin` (issue 6), and the three engines built from them. The criterion bench
//! `benches/engines.rs` measures them side by side; `tests/main.rs` proves the three answer every
//! question of a sample identically, so the comparison cannot silently compare different questions.
//!
//! ## The workload
//!
//! The shapes are casbin's own "RBAC small/medium/large" benchmarks ([`SHAPES`]): 1,000 users and
//! 100 roles, 10,000 and 1,000, 100,000 and 10,000. Each role grants three sections of the core
//! catalog at a random level, and under a granted section each right its level allows with
//! probability ½. Each user holds one or two roles. A question is (user, permission reference),
//! such as (`u17`, `numbers:view`) or (`u17`, `reports.download`).
//!
//! Roles belong to an account in Switchboard, and an account holds at most
//! [`switchboard_core::policy::MAX_ROLES`] roles, so a shape with more roles is sharded into
//! `ceil(roles / MAX_ROLES)` accounts: role `r{i}` and user `u{i}` live in account `i % accounts`, and
//! a user holds roles of their own account only. **Every engine gets the same sharding**: one
//! Switchboard policy, one Cedar policy set and entity store, and one casbin enforcer per account.
//! That favours Cedar and casbin, whose decision cost grows with the number of policies.
//!
//! ## The same grants in three languages
//!
//! A grant of `numbers` at `manage` also answers `numbers:view` (levels are ordered). The
//! translation expands each role's grants into the permission references they answer
//! ([`granted_references`], the level closure plus the granted rights), independently of the
//! compiled path, and writes them as:
//! - Cedar: one policy per role, `permit(principal in Role::"r17", action in [Action::"numbers:view",
//!   Action::"numbers:manage", Action::"numbers.add"], resource);`, users as `User` entities whose
//!   parents are their `Role`s, resource `Account::"a0"`;
//! - casbin: the RBAC model of casbin's benchmarks (`g(r.sub, p.sub) && r.obj == p.obj && r.act ==
//!   p.act`), one `p, r17, data, numbers:view` line per (role, reference), one `g, u17, r17` line per
//!   assignment, in-memory adapter.
//!
//! Requests are prepared once for every engine (a compiled [`Principal`] and a resolved
//! [`Permission`] for ours, a parsed [`cedar_policy::Request`] for Cedar, the strings for casbin), so
//! each measurement times the decision call alone.

use casbin::prelude::{CoreApi, DefaultModel, Enforcer, MemoryAdapter, MgmtApi, RbacApi};
use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicySet, Request, Response,
};
use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::task::{Poll, Wake, Waker};
use switchboard_core::policy::MAX_ROLES;
use switchboard_core::{
    Catalog, Decision, Permission, Policy, PolicySettings, Principal, RoleDefinition, RoleMode, RoleOrigin,
    SectionGrant, Subject, UserId, UserStatus,
};

/// Errors of workload generation and engine setup, from any of the three engines.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T> = std::result::Result<T, Error>;

/// Sections each role grants.
pub const SECTIONS_PER_ROLE: usize = 3;
/// Questions of each kind (allowed, denied) drawn per shape.
pub const QUESTIONS: usize = 1024;

/// A workload size: casbin's RBAC benchmark shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub name: &'static str,
    pub users: usize,
    pub roles: usize,
}

impl Shape {
    /// Accounts the roles are sharded into (each holds at most [`MAX_ROLES`]).
    pub fn accounts(&self) -> usize {
        self.roles.div_ceil(MAX_ROLES).max(1)
    }
}

/// casbin's "RBAC small/medium/large".
pub const SHAPES: [Shape; 3] = [
    Shape { name: "small", users: 1_000, roles: 100 },
    Shape { name: "medium", users: 10_000, roles: 1_000 },
    Shape { name: "large", users: 100_000, roles: 10_000 },
];

/// The shared deterministic generator, so every run measures the same workload.
pub use switchboard_testkit::Rng;

/// A user of the workload.
#[derive(Debug, Clone)]
pub struct User {
    /// `u{i}`: the user's name for Cedar and casbin.
    pub name: String,
    /// The user as Switchboard's storage loads it; `roles` holds role keys (`r{i}`).
    pub subject: Subject,
    /// Every permission reference the user's roles answer: the expected answers.
    pub granted: BTreeSet<String>,
}

/// One account: its roles and users.
#[derive(Debug, Clone)]
pub struct Account {
    /// `a{i}`.
    pub name: String,
    pub roles: Vec<RoleDefinition>,
    pub users: Vec<User>,
}

/// A question every engine answers: may this user use this permission?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub account: usize,
    /// Index in the account's users.
    pub user: usize,
    /// A permission reference of the catalog: `numbers:view`, `reports.download`.
    pub permission: String,
    /// The answer the grants imply.
    pub expected: bool,
}

/// A generated workload.
#[derive(Debug, Clone)]
pub struct Workload {
    pub shape: Shape,
    pub catalog: Arc<Catalog>,
    pub accounts: Vec<Account>,
    /// Every permission reference of the catalog (levels above `none`, and rights).
    pub references: Vec<String>,
    /// [`QUESTIONS`] questions whose answer is "allowed".
    pub allowed: Vec<Question>,
    /// [`QUESTIONS`] questions whose answer is "denied".
    pub denied: Vec<Question>,
}

/// Every permission reference the catalog defines.
pub fn catalog_references(catalog: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    for section in catalog.sections() {
        for level in &section.def.level_set.levels()[1..] {
            out.push(format!("{}:{}", section.def.key, level));
        }
        for right in &section.rights {
            out.push(catalog.right(*right).key.clone());
        }
    }
    out
}

/// The permission references a role answers: for each grant, the section at every level up to the
/// granted one, and the granted rights. This is the translation into Cedar and casbin; it reads
/// the role definition, not the compiled path.
pub fn granted_references(catalog: &Catalog, role: &RoleDefinition) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for (key, grant) in &role.grants {
        let section = catalog.section(catalog.section_id(key)?);
        for level in &section.def.level_set.levels()[1..] {
            if level.rank() <= grant.level.rank() {
                out.insert(format!("{key}:{level}"));
            }
        }
        out.extend(grant.rights.iter().cloned());
    }
    Ok(out)
}

fn random_role(rng: &mut Rng, catalog: &Catalog, key: String) -> RoleDefinition {
    let mut role = RoleDefinition::new(key.clone(), format!("Role {key}"));
    let sections = catalog.sections();
    let wanted = SECTIONS_PER_ROLE.min(sections.len());
    while role.grants.len() < wanted {
        let section = &sections[rng.below(sections.len())];
        if role.grants.contains_key(&section.def.key) {
            continue;
        }
        let levels = &section.def.level_set.levels()[1..];
        let level = levels[rng.below(levels.len())];
        let rights = section
            .rights
            .iter()
            .map(|r| catalog.right(*r))
            .filter(|r| level.rank() >= r.min_level.rank() && rng.below(2) == 0)
            .map(|r| r.key.clone())
            .collect();
        role.grants.insert(section.def.key.clone(), SectionGrant { level, rights });
    }
    role
}

impl Workload {
    /// Generates a shape's workload, the same one for a given seed.
    pub fn generate(shape: Shape, seed: u64) -> Result<Workload> {
        let mut rng = Rng::new(seed);
        let catalog = Arc::new(Catalog::core());
        let references = catalog_references(&catalog);
        let n = shape.accounts();
        let mut accounts: Vec<Account> =
            (0..n).map(|a| Account { name: format!("a{a}"), roles: Vec::new(), users: Vec::new() }).collect();
        let mut role_refs: Vec<Vec<BTreeSet<String>>> = vec![Vec::new(); n];
        for r in 0..shape.roles {
            let role = random_role(&mut rng, &catalog, format!("r{r}"));
            role_refs[r % n].push(granted_references(&catalog, &role)?);
            accounts[r % n].roles.push(role);
        }
        for u in 0..shape.users {
            let account = &mut accounts[u % n];
            let count = 1 + rng.below(2);
            let mut held = BTreeSet::new();
            while held.len() < count.min(account.roles.len()) {
                held.insert(rng.below(account.roles.len()));
            }
            let granted = held.iter().flat_map(|i| role_refs[u % n][*i].iter().cloned()).collect();
            let subject = Subject {
                user_id: UserId::new_random(),
                status: UserStatus::Active,
                superadmin: false,
                roles: held.iter().map(|i| account.roles[*i].key.clone()).collect(),
                ..Subject::default()
            };
            account.users.push(User { name: format!("u{u}"), subject, granted });
        }
        let mut allowed = Vec::with_capacity(QUESTIONS);
        let mut denied = Vec::with_capacity(QUESTIONS);
        while allowed.len() < QUESTIONS || denied.len() < QUESTIONS {
            let account = rng.below(n);
            if accounts[account].users.is_empty() {
                continue;
            }
            let user = rng.below(accounts[account].users.len());
            let permission = references[rng.below(references.len())].clone();
            let expected = accounts[account].users[user].granted.contains(&permission);
            let bucket = if expected { &mut allowed } else { &mut denied };
            if bucket.len() < QUESTIONS {
                bucket.push(Question { account, user, permission, expected });
            }
        }
        Ok(Workload { shape, catalog, accounts, references, allowed, denied })
    }

    /// The subject of a question's user.
    pub fn user(&self, account: usize, user: usize) -> &User {
        &self.accounts[account].users[user]
    }
}

/// Drives a future that never waits on I/O (casbin's in-memory adapter) to completion on this
/// thread, without an async runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(out) => return out,
            Poll::Pending => std::thread::park(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Switchboard

/// Switchboard on the compiled path: one [`Policy`] per account, one [`Principal`] per user.
#[derive(Debug)]
pub struct Switchboard {
    pub policies: Vec<Policy>,
    pub principals: Vec<Vec<Principal>>,
}

/// A question prepared for [`Switchboard::decide`].
#[derive(Debug, Clone, Copy)]
pub struct SwitchboardRequest {
    pub account: usize,
    pub user: usize,
    pub permission: Permission,
}

impl Switchboard {
    pub fn build(w: &Workload) -> Result<Switchboard> {
        let settings = PolicySettings { role_mode: RoleMode::Combinable, ..PolicySettings::default() };
        let mut policies = Vec::with_capacity(w.accounts.len());
        let mut principals = Vec::with_capacity(w.accounts.len());
        for account in &w.accounts {
            let policy = Policy::new(
                Arc::clone(&w.catalog),
                settings.clone(),
                account.roles.iter().cloned().map(|r| (RoleOrigin::Custom, r)),
            )?;
            principals.push(
                account.users.iter().map(|u| policy.principal(&u.subject)).collect::<std::result::Result<_, _>>()?,
            );
            policies.push(policy);
        }
        Ok(Switchboard { policies, principals })
    }

    pub fn prepare(&self, q: &Question) -> Result<SwitchboardRequest> {
        let permission = self.policies[q.account].catalog().permission(&q.permission)?;
        Ok(SwitchboardRequest { account: q.account, user: q.user, permission })
    }

    /// The measured call: [`Policy::check`] on a compiled principal.
    #[inline]
    pub fn check(&self, r: &SwitchboardRequest) -> Decision {
        self.policies[r.account].check(&self.principals[r.account][r.user], r.permission)
    }

    pub fn decide(&self, r: &SwitchboardRequest) -> bool {
        matches!(self.check(r), Decision::Allowed(_))
    }

    /// Recompiles one user: what the server pays when a user's roles change.
    #[inline]
    pub fn rebuild_user(&self, account: usize, subject: &Subject) -> Result<Principal> {
        Ok(self.policies[account].principal(subject)?)
    }
}

// ---------------------------------------------------------------------------------------------
// Cedar

fn uid(type_name: &EntityTypeName, id: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(type_name.clone(), EntityId::new(id))
}

/// Cedar's entity types for this workload.
#[derive(Debug, Clone)]
pub struct CedarTypes {
    pub user: EntityTypeName,
    pub role: EntityTypeName,
    pub action: EntityTypeName,
    pub account: EntityTypeName,
}

impl CedarTypes {
    pub fn new() -> Result<CedarTypes> {
        Ok(CedarTypes {
            user: EntityTypeName::from_str("User")?,
            role: EntityTypeName::from_str("Role")?,
            action: EntityTypeName::from_str("Action")?,
            account: EntityTypeName::from_str("Account")?,
        })
    }

    /// A user's entity: no attributes, their roles as parents.
    pub fn user_entity(&self, user: &User) -> Entity {
        let parents: HashSet<EntityUid> = user.subject.roles.iter().map(|r| uid(&self.role, r)).collect();
        Entity::new_no_attrs(uid(&self.user, &user.name), parents)
    }
}

/// Cedar as its docs recommend: an [`Authorizer`], and per account a [`PolicySet`] and an
/// [`Entities`] store holding the users with their roles as parents.
#[derive(Debug)]
pub struct Cedar {
    pub authorizer: Authorizer,
    pub types: CedarTypes,
    pub shards: Vec<(PolicySet, Entities)>,
}

/// A question prepared for [`Cedar::decide`].
#[derive(Debug, Clone)]
pub struct CedarRequest {
    pub account: usize,
    pub request: Request,
}

/// A question prepared for [`Cedar::decide_sliced`]: only the user's roles' policies and the user.
#[derive(Debug, Clone)]
pub struct CedarSlicedRequest {
    pub request: Request,
    pub policies: PolicySet,
    pub entities: Entities,
}

/// The Cedar policy text of an account: one `permit` per role with a non-empty grant.
pub fn cedar_policies(catalog: &Catalog, roles: &[RoleDefinition]) -> Result<String> {
    let mut text = String::new();
    for role in roles {
        let refs = granted_references(catalog, role)?;
        if refs.is_empty() {
            continue;
        }
        let actions = refs.iter().map(|r| format!("Action::{r:?}")).collect::<Vec<_>>().join(", ");
        writeln!(text, "permit(principal in Role::{:?}, action in [{actions}], resource);", role.key)?;
    }
    Ok(text)
}

impl Cedar {
    pub fn build(w: &Workload) -> Result<Cedar> {
        let types = CedarTypes::new()?;
        let mut shards = Vec::with_capacity(w.accounts.len());
        for account in &w.accounts {
            let policies = PolicySet::from_str(&cedar_policies(&w.catalog, &account.roles)?)?;
            let roles = account.roles.iter().map(|r| Entity::new_no_attrs(uid(&types.role, &r.key), HashSet::new()));
            let users = account.users.iter().map(|u| types.user_entity(u));
            let entities = Entities::from_entities(roles.chain(users), None)?;
            shards.push((policies, entities));
        }
        Ok(Cedar { authorizer: Authorizer::new(), types, shards })
    }

    pub fn prepare(&self, w: &Workload, q: &Question) -> Result<CedarRequest> {
        let request = Request::new(
            uid(&self.types.user, &w.user(q.account, q.user).name),
            uid(&self.types.action, &q.permission),
            uid(&self.types.account, &w.accounts[q.account].name),
            Context::empty(),
            None,
        )?;
        Ok(CedarRequest { account: q.account, request })
    }

    /// The measured call: [`Authorizer::is_authorized`].
    #[inline]
    pub fn is_authorized(&self, r: &CedarRequest) -> Response {
        let (policies, entities) = &self.shards[r.account];
        self.authorizer.is_authorized(&r.request, policies, entities)
    }

    pub fn decide(&self, r: &CedarRequest) -> bool {
        self.is_authorized(r).decision() == cedar_policy::Decision::Allow
    }

    /// The question with Cedar at its most favourable: a policy set sliced to the user's roles'
    /// policies and an entity store holding only the user, as an application that indexes policies by
    /// role itself would pass.
    pub fn prepare_sliced(&self, w: &Workload, q: &Question) -> Result<CedarSlicedRequest> {
        let account = &w.accounts[q.account];
        let user = w.user(q.account, q.user);
        let roles: Vec<RoleDefinition> =
            user.subject.roles.iter().filter_map(|key| account.roles.iter().find(|r| &r.key == key).cloned()).collect();
        Ok(CedarSlicedRequest {
            request: self.prepare(w, q)?.request,
            policies: PolicySet::from_str(&cedar_policies(&w.catalog, &roles)?)?,
            entities: Entities::from_entities([self.types.user_entity(user)], None)?,
        })
    }

    /// The measured call of the sliced variant.
    #[inline]
    pub fn is_authorized_sliced(&self, r: &CedarSlicedRequest) -> Response {
        self.authorizer.is_authorized(&r.request, &r.policies, &r.entities)
    }

    pub fn decide_sliced(&self, r: &CedarSlicedRequest) -> bool {
        self.is_authorized_sliced(r).decision() == cedar_policy::Decision::Allow
    }

    /// Builds one user's state: their entity, in the per-request entity store Cedar takes.
    #[inline]
    pub fn rebuild_user(&self, user: &User) -> Result<Entities> {
        Ok(Entities::from_entities([self.types.user_entity(user)], None)?)
    }
}

// ---------------------------------------------------------------------------------------------
// casbin

/// The RBAC model of casbin's own RBAC benchmarks (`examples/rbac_model.conf`).
pub const CASBIN_RBAC_MODEL: &str = "\
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
";

/// The object of every casbin line and request: permissions are actions on the account's data.
pub const CASBIN_OBJECT: &str = "data";

/// casbin as in its own benchmarks: one [`Enforcer`] per account over the RBAC model, in-memory
/// adapter, role links built once after loading.
pub struct Casbin {
    pub shards: Vec<Enforcer>,
}

impl std::fmt::Debug for Casbin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Casbin").field("shards", &self.shards.len()).finish()
    }
}

/// A question prepared for [`Casbin::decide`].
#[derive(Debug, Clone)]
pub struct CasbinRequest {
    pub account: usize,
    pub subject: String,
    pub action: String,
}

/// The `p` lines of an account: `[role, data, reference]`.
pub fn casbin_policies(catalog: &Catalog, roles: &[RoleDefinition]) -> Result<Vec<Vec<String>>> {
    let mut out = Vec::new();
    for role in roles {
        for r in granted_references(catalog, role)? {
            out.push(vec![role.key.clone(), CASBIN_OBJECT.to_owned(), r]);
        }
    }
    Ok(out)
}

impl Casbin {
    pub fn build(w: &Workload) -> Result<Casbin> {
        let mut shards = Vec::with_capacity(w.accounts.len());
        for account in &w.accounts {
            let model = block_on(DefaultModel::from_str(CASBIN_RBAC_MODEL))?;
            let mut e = block_on(Enforcer::new(model, MemoryAdapter::default()))?;
            e.enable_auto_build_role_links(false);
            block_on(e.add_policies(casbin_policies(&w.catalog, &account.roles)?))?;
            let grouping = account
                .users
                .iter()
                .flat_map(|u| u.subject.roles.iter().map(|r| vec![u.name.clone(), r.clone()]))
                .collect::<Vec<_>>();
            block_on(e.add_grouping_policies(grouping))?;
            e.build_role_links()?;
            // Later role changes update the links incrementally, as a live deployment would.
            e.enable_auto_build_role_links(true);
            shards.push(e);
        }
        Ok(Casbin { shards })
    }

    pub fn prepare(&self, w: &Workload, q: &Question) -> CasbinRequest {
        CasbinRequest {
            account: q.account,
            subject: w.user(q.account, q.user).name.clone(),
            action: q.permission.clone(),
        }
    }

    /// The measured call: `enforce((sub, obj, act))`.
    #[inline]
    pub fn enforce(&self, r: &CasbinRequest) -> casbin::Result<bool> {
        self.shards[r.account].enforce((r.subject.as_str(), CASBIN_OBJECT, r.action.as_str()))
    }

    pub fn decide(&self, r: &CasbinRequest) -> Result<bool> {
        Ok(self.enforce(r)?)
    }

    /// Replaces one user's role assignments (`delete_roles_for_user` + `add_roles_for_user`), which
    /// updates the enforcer's role links incrementally.
    pub fn rebuild_user(&mut self, account: usize, user: &User) -> Result<()> {
        let e = &mut self.shards[account];
        block_on(e.delete_roles_for_user(&user.name, None))?;
        block_on(e.add_roles_for_user(&user.name, user.subject.roles.clone(), None))?;
        Ok(())
    }
}
