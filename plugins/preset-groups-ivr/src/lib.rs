//! Groups and IVRs dashboard roles (seed 002, a Ringover-style dashboard): Admin, Supervisor, Accountant
//! and Technical, one role per user — or none at all. Data access follows each user's *dashboard
//! access*: the groups and IVRs selected for them (the `dashboard` data scope).
//!
//! The dashboard's pages become catalog extensions: `dashboard.*` (Activity, Logs, Analytics, Campaigns,
//! Task management), `billing.credits` and `billing.invoices` (Credits and billing), `config.*`
//! (Configuration) and `developer.dev`. Users, groups, numbers, IVRs, contacts and integrations are the
//! core's `team.members`, `team.workgroups`, `numbers`, `call_flow`, `contacts` and `integrations.*`.

use switchboard_plugin_sdk::prelude::*;

/// The pages a Supervisor sees (seed 002: "Activity, Logs, Analytics, Campaigns, Task management").
pub const SUPERVISOR_PAGES: [(&str, &str, Level); 5] = [
    ("dashboard.activity", "Activity", Level::View),
    ("dashboard.logs", "Logs", Level::View),
    ("dashboard.analytics", "Analytics", Level::View),
    ("dashboard.campaigns", "Campaigns", Level::Manage),
    ("dashboard.tasks", "Task management", Level::Manage),
];

/// The configuration pages of this pack: (key, label, description).
pub const CONFIG_PAGES: [(&str, &str, &str); 7] = [
    ("config.audio_conferences", "Audio conferences", "Audio conference rooms."),
    ("config.call_tags", "Call tags", "Tags agents put on calls."),
    ("config.snoozes", "Snoozes", "Snooze settings of users."),
    ("config.blocked_numbers", "Blocked numbers", "Numbers whose calls are refused."),
    ("config.action_logs", "Action logs", "The log of configuration changes."),
    ("config.brands", "Brands", "Brands and their caller identities."),
    ("config.other", "Other", "Other configuration."),
];

/// The `groups-ivr` pack.
pub fn groups_ivr() -> PackBuilder {
    let mut pack = PackBuilder::new("groups-ivr", env!("CARGO_PKG_VERSION"))
        .title("Groups & IVRs dashboard")
        .description(
            "Admin, Supervisor, Accountant and Technical dashboard roles; users may have no role. Data is \
             limited to the groups and IVRs of each user's dashboard access.",
        )
        .role_mode(RoleMode::Single)
        // The Analytics page is the dashboard's report: it widens reports to the dashboard access.
        .reports_permission("dashboard.analytics:view")
        .reports_download_permission("dashboard.analytics:view");
    for (key, label, _) in SUPERVISOR_PAGES {
        pack = pack.section(SectionBuilder::view_manage(key, label).description(format!("The {label} page.")));
    }
    pack = pack
        .section(
            SectionBuilder::view_manage("billing.credits", "Credits").description("The account's call credits.").right(
                "billing.credits.add",
                "Add credits",
                Level::Manage,
            ),
        )
        .section(
            SectionBuilder::view_manage("billing.invoices", "Invoices").description("The account's invoices.").right(
                "billing.invoices.download",
                "Download invoices",
                Level::View,
            ),
        );
    for (key, label, description) in CONFIG_PAGES {
        pack = pack.section(SectionBuilder::view_manage(key, label).description(description));
    }
    pack = pack.section(SectionBuilder::view_manage("developer.dev", "Dev").description("Developer settings."));

    let mut supervisor = RoleBuilder::new("supervisor", "Supervisor")
        .description(
            "Monitors team performance: only the Activity, Logs, Campaigns and Analytics pages and task \
             management, with the data of the groups and IVRs the administrator authorised.",
        )
        .scope(ScopeKind::Dashboard);
    for (key, _, level) in SUPERVISOR_PAGES {
        supervisor = supervisor.grant(key, level);
    }
    let mut technical = RoleBuilder::new("technical", "Technical")
        .description(
            "System configuration and setup: only the Configuration, Developer and Integrations pages. Creates \
             IVRs, users, groups and numbers.",
        )
        .grant_with("team.members", Level::Manage, ["team.members.edit", "team.members.invite", "team.members.delete"])
        .grant("team.workgroups", Level::Manage)
        .grant_with("numbers", Level::Manage, ["numbers.edit", "numbers.add", "numbers.delete"])
        .grant("call_flow", Level::Manage)
        .grant("contacts", Level::Manage)
        .grant("developer.dev", Level::Manage)
        .grant_with("integrations.api", Level::Manage, ["integrations.api.keys", "integrations.api.webhooks"])
        .grant("integrations.crm", Level::Manage)
        .scope(ScopeKind::Personal);
    for (key, _, _) in CONFIG_PAGES {
        // The action log records what happened; it is read, not edited.
        technical = technical.grant(key, if key == "config.action_logs" { Level::View } else { Level::Manage });
    }

    pack.role(
        RoleBuilder::new("admin", "Admin")
            .description(
                "Full access to the dashboard with no restrictions. Only the superadministrator grants it, and \
                 only the superadministrator changes another administrator's access.",
            )
            .full_access()
            .scope(ScopeKind::All)
            .recents(RecentsScope::All)
            .assignable_by_superadmin()
            .peer_protected(),
    )
    .role(supervisor)
    .role(
        RoleBuilder::new("accountant", "Accountant")
            .description("Financial and billing management: only the Credits and billing page.")
            .grant_with("billing.credits", Level::Manage, ["billing.credits.add"])
            .grant_with("billing.invoices", Level::View, ["billing.invoices.download"])
            .scope(ScopeKind::Personal),
    )
    .role(technical)
    // Seed 002: "you can opt not to grant any rights": no default role.
    .owner_role("admin")
    .audit_reader("admin")
}

switchboard_plugin_sdk::export_preset_packs!(groups_ivr);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pack_passes_the_hosts_validation() {
        switchboard_plugin_sdk::check_packs(&[groups_ivr().build()]).expect("valid pack");
    }
}
