//! MightyCall-style roles (seeds 000 and 001): three default roles over the canonical catalog, one role
//! per user.
//!
//! | role | seed | access |
//! | --- | --- | --- |
//! | Administrator | 000 "Administrator", 001 | every section at its top level with every right; scope All, recents All |
//! | Manager | 000 "Manager" | the Administrator's access "with the exception of 1 thing – access to the roles" |
//! | Agent | 000 "Agent" | own and workgroup history, basic reports of own interactions, contacts; nothing else |

use switchboard_plugin_sdk::prelude::*;

/// The `mightycall` pack.
pub fn mightycall() -> PackBuilder {
    PackBuilder::new("mightycall", env!("CARGO_PKG_VERSION"))
        .title("MightyCall")
        .description(
            "Administrator, Manager and Agent, the three default roles of MightyCall; custom roles are built \
             over the same sections.",
        )
        .role_mode(RoleMode::Single)
        .role(
            // Seed 000: "Admin roles have the highest level of permissions … They can view and manage all
            // MightyCall tabs …". Seed 001: "Administrators have full permissions to manage the account by
            // default": scope All, recents All, supervisor workspace full, every section view & manage with
            // every right.
            RoleBuilder::new("administrator", "Administrator")
                .description(
                    "Views and manages every section: numbers, messages, voicemails, call flows, auto dialer, \
                     integrations; invites, edits and deletes users and changes their roles; supervisor \
                     workspace; edits and deletes the account.",
                )
                .full_access()
                .scope(ScopeKind::All)
                .recents(RecentsScope::All),
        )
        .role(
            // Seed 000: "nearly the same access as administrators with the exception of 1 thing – access to
            // the roles. That means managers can't view or manage any user roles".
            RoleBuilder::new("manager", "Manager")
                .description(
                    "The Administrator's access except roles: cannot view or manage user roles. Supervisor \
                     workspace and all reports.",
                )
                .full_access()
                .except("team.roles")
                .scope(ScopeKind::All)
                .recents(RecentsScope::All),
        )
        .role(
            // Seed 000: "They'll only see the history of communication either they were personally engaged in
            // or any history of a workgroup they are a part of … don't have access to the supervisor
            // workspace, auto dialer or call flow settings, and only have basic access to the call center
            // reports. They also can't manage the business numbers, team, integrations or account details."
            // "Workgroup – … the default user access permission for Agents"; "Agents also have the
            // 'Personal' limit for their 'Recents'"; "Agents only have access to the reports of the
            // interactions they've engaged with".
            RoleBuilder::new("agent", "Agent")
                .description(
                    "Sees the communications they took part in and those of their workgroups; basic reports on \
                     their own interactions; contacts. No supervisor workspace, auto dialer, call flow, numbers, \
                     team, integrations or account.",
                )
                .grant("reports", Level::View)
                .grant("contacts", Level::View)
                .scope(ScopeKind::Workgroup)
                .recents(RecentsScope::Personal),
        )
        .default_role("agent")
        .owner_role("administrator")
        .audit_reader("administrator")
        // MC-34: "supervising users only for Manager and Administrator roles".
        .reserved_right("team.members.supervise")
}

switchboard_plugin_sdk::export_preset_packs!(mightycall);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pack_passes_the_hosts_validation() {
        switchboard_plugin_sdk::check_packs(&[mightycall().build()]).expect("valid pack");
    }
}
