//! Aircall-style dashboard roles (seed 003): Owner, Admin, Supervisor and Agent, combinable, every user
//! keeping at least Agent; and `aircall-classic`, the former Admin and Agent roles, with the mapping
//! from them to the new roles.
//!
//! The dashboard pages the core catalog lacks are extensions: `analytics.*` (Stats, Analytics+, Call
//! History, Activity Feed, Monitoring), `calls.settings`, `calls.recordings`, `billing.plan`,
//! `billing.information`, `apps.phone`, and `data.export` for exports of core sections. "Full access,
//! edit, and data export" is the section at `manage` plus its export right. Numbers, Users, Teams,
//! Integrations and Roles are the core's `numbers`, `team.members`, `team.workgroups`, `integrations.*`
//! and `team.roles`.

use switchboard_plugin_sdk::prelude::*;

/// The analytics pages of seed 003, in its order: (key, label).
pub const ANALYTICS: [(&str, &str); 5] = [
    ("analytics.stats", "Stats"),
    ("analytics.plus", "Analytics+"),
    ("analytics.call_history", "Call history"),
    ("analytics.activity_feed", "Activity feed"),
    ("analytics.monitoring", "Monitoring"),
];

/// Data export of the core sections Admins export (Numbers, Users, Teams, Integrations).
pub const CORE_EXPORTS: [&str; 4] =
    ["data.export.numbers", "data.export.users", "data.export.teams", "data.export.integrations"];

fn exportable(key: &str, label: &str) -> SectionBuilder {
    SectionBuilder::view_manage(key, label).right(format!("{key}.export"), format!("Export {label} data"), Level::View)
}

/// "Full access, edit, and data export" on a section of this pack.
fn full_with_export(role: RoleBuilder, key: &str) -> RoleBuilder {
    role.grant_with(key, Level::Manage, [format!("{key}.export")])
}

fn analytics_call_settings_and_recordings(mut role: RoleBuilder) -> RoleBuilder {
    for (key, _) in ANALYTICS {
        role = full_with_export(role, key);
    }
    full_with_export(full_with_export(role, "calls.settings"), "calls.recordings")
}

/// Reports are the analytics pages: Stats widens them from a user's own calls to their data scope, its
/// export downloads them; playing others' recordings needs "full access" to the call recordings page
/// (AC-5, AC-7): viewing it is every Agent's access to their own recordings (AC-9).
fn analytics_and_recordings_settings(pack: PackBuilder) -> PackBuilder {
    pack.reports_permission("analytics.stats:view")
        .reports_download_permission("analytics.stats.export")
        .recordings_permission("calls.recordings:manage")
}

fn user_management(role: RoleBuilder) -> RoleBuilder {
    role.grant_with(
        "team.members",
        Level::Manage,
        ["team.members.edit", "team.members.invite", "team.members.delete", "team.members.supervise"],
    )
    .grant("team.roles", Level::Manage)
}

/// The catalog extensions, declared by `aircall` and shared with `aircall-classic`.
fn sections(mut pack: PackBuilder) -> PackBuilder {
    for (key, label) in ANALYTICS {
        pack = pack.section(exportable(key, label).description(format!("Analytics: {label}.")));
    }
    pack.section(exportable("calls.settings", "Call settings").description("Call distribution and call settings."))
        .section(exportable("calls.recordings", "Call recordings").description("Call recordings of the account."))
        .section(
            SectionBuilder::view_manage("billing.plan", "Plan")
                .description("The company plan: changing it, add-ons.")
                .right("billing.plan.change", "Change the plan", Level::Manage),
        )
        .section(
            SectionBuilder::view_manage("billing.information", "Billing information")
                .description("Billing details, payment method and invoices: company sensitive information."),
        )
        .section(
            SectionBuilder::full("apps.phone", "Aircall apps")
                .description("The phone apps: making and receiving calls."),
        )
        .section(
            SectionBuilder::view_manage("data.export", "Data export")
                .description("Exports of dashboard data kept in core sections.")
                .right("data.export.numbers", "Export numbers", Level::View)
                .right("data.export.users", "Export users", Level::View)
                .right("data.export.teams", "Export teams", Level::View)
                .right("data.export.integrations", "Export integrations", Level::View),
        )
}

/// The `aircall` pack: the four dashboard roles.
pub fn aircall() -> PackBuilder {
    let pack = PackBuilder::new("aircall", env!("CARGO_PKG_VERSION"));
    let pack = analytics_and_recordings_settings(pack)
        .title("Aircall")
        .description(
            "Owner, Admin, Supervisor and Agent dashboard roles. Roles combine; every user keeps at least Agent.",
        )
        .role_mode(RoleMode::Combinable);
    let owner = RoleBuilder::new("owner", "Owner")
        .description(
            "Full access and edit on the company plan, billing information and user management. In the roles \
             section, creates and edits only other Owners; only Owners assign Owner.",
        )
        .grant_with("billing.plan", Level::Manage, ["billing.plan.change"])
        .grant("billing.information", Level::Manage)
        .assignable_by(["owner"])
        .can_assign(["owner"]);
    let admin = RoleBuilder::new("admin", "Admin")
        .description(
            "Full access, edit and data export on Numbers, Users, Teams, Analytics (Stats, Analytics+, Call \
             History, Activity Feed, Monitoring), Call Settings, Integrations and call recordings. Creates and \
             edits Admins, Supervisors and Agents; cannot assign Owner.",
        )
        .grant_with("numbers", Level::Manage, ["numbers.edit", "numbers.add", "numbers.delete"])
        .grant("team.workgroups", Level::Manage)
        .grant_with("integrations.api", Level::Manage, ["integrations.api.keys", "integrations.api.webhooks"])
        .grant("integrations.crm", Level::Manage)
        .grant_with("data.export", Level::Manage, CORE_EXPORTS)
        .scope(ScopeKind::All)
        .recents(RecentsScope::All)
        .can_assign(["admin", "supervisor", "agent"]);
    let supervisor = RoleBuilder::new("supervisor", "Supervisor")
        .description(
            "Full access, edit and data export on Analytics (Stats, Analytics+, Call History, Activity Feed, \
             Monitoring), Call Settings and call recordings; reads the roles section.",
        )
        .grant("team.roles", Level::View)
        .scope(ScopeKind::All)
        .recents(RecentsScope::All);
    let agent = RoleBuilder::new("agent", "Agent")
        .description(
            "Makes and receives calls: full access to the Aircall apps and to their own call recordings. Every \
             user has at least this role.",
        )
        .grant("apps.phone", Level::Full)
        .grant("calls.recordings", Level::View)
        .scope(ScopeKind::Personal)
        .recents(RecentsScope::Personal);
    sections(pack)
        .role(user_management(owner))
        .role(user_management(analytics_call_settings_and_recordings(admin)))
        .role(analytics_call_settings_and_recordings(supervisor))
        .role(agent)
        .default_role("agent")
        // Seed 003: "The existing billing owner will have the Owner + new Admin + Agent roles assigned".
        .owner_role("owner")
        .owner_role("admin")
        .owner_role("agent")
        // AC-3: the Owner has full access on the account: it reads who changed what.
        .audit_reader("owner")
        // "Existing Admins will have the new Admin + Agent roles"; "Agents will keep the Agent role".
        .legacy_mapping("admin", ["admin", "agent"], ["owner"])
        .legacy_mapping("agent", ["agent"], Vec::<String>::new())
        // "To keep the same permissions, current Admins need Owner + Admin + Agent" (AC-17).
        .keep_access("admin", ["owner"])
}

/// The `aircall-classic` pack: the former Admin and Agent roles, one per user, over the sections that
/// `aircall` declares. Accounts on it move to `aircall` with the legacy mappings.
pub fn aircall_classic() -> PackBuilder {
    // The former Admin managed the whole dashboard: plan and billing, users and roles, numbers, teams,
    // analytics, call settings, integrations and recordings with their exports, and used the apps.
    let mut admin = RoleBuilder::new("admin", "Admin (former)")
        .description("The former Admin role: the whole Aircall dashboard.")
        .grant_with("billing.plan", Level::Manage, ["billing.plan.change"])
        .grant("billing.information", Level::Manage)
        .grant_with(
            "team.members",
            Level::Manage,
            ["team.members.edit", "team.members.invite", "team.members.delete", "team.members.supervise"],
        )
        .grant("team.roles", Level::Manage)
        .grant_with("numbers", Level::Manage, ["numbers.edit", "numbers.add", "numbers.delete"])
        .grant("team.workgroups", Level::Manage)
        .grant_with("integrations.api", Level::Manage, ["integrations.api.keys", "integrations.api.webhooks"])
        .grant("integrations.crm", Level::Manage)
        .grant_with("data.export", Level::Manage, CORE_EXPORTS)
        .grant("apps.phone", Level::Full)
        .scope(ScopeKind::All)
        .recents(RecentsScope::All);
    for key in ANALYTICS.iter().map(|(k, _)| *k).chain(["calls.settings", "calls.recordings"]) {
        admin = full_with_export(admin, key);
    }
    analytics_and_recordings_settings(PackBuilder::new("aircall-classic", env!("CARGO_PKG_VERSION")))
        .title("Aircall (former Admin and Agent roles)")
        .description("The Admin and Agent roles Aircall had before its dashboard roles; migrate to `aircall`.")
        .role_mode(RoleMode::Single)
        .role(admin)
        .role(
            RoleBuilder::new("agent", "Agent (former)")
                .description("The former Agent role: the apps and their own call recordings.")
                .grant("apps.phone", Level::Full)
                .grant("calls.recordings", Level::View),
        )
        .default_role("agent")
        .owner_role("admin")
        .audit_reader("admin")
}

switchboard_plugin_sdk::export_preset_packs!(aircall, aircall_classic);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_packs_pass_the_hosts_validation_in_order() {
        switchboard_plugin_sdk::check_packs(&[aircall().build(), aircall_classic().build()]).expect("valid packs");
    }
}
