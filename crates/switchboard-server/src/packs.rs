//! The preset packs loaded from plugins, by name.

use std::collections::BTreeMap;
use std::sync::Arc;
use switchboard_plugin_host::{LoadReport, LoadedPack, PluginProblem};

#[derive(Debug, Default)]
pub struct Packs {
    by_name: BTreeMap<String, Arc<LoadedPack>>,
    /// Libraries that were skipped, for `GET /v1/plugins`.
    pub problems: Vec<PluginProblem>,
}

impl Packs {
    pub fn from_report(report: LoadReport) -> Packs {
        let by_name = report.packs.into_iter().map(|p| (p.pack.name.clone(), Arc::new(p))).collect();
        Packs { by_name, problems: report.problems }
    }

    pub fn get(&self, name: &str) -> Option<&Arc<LoadedPack>> {
        self.by_name.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<LoadedPack>> {
        self.by_name.values()
    }

    pub fn names(&self) -> Vec<&str> {
        self.by_name.keys().map(String::as_str).collect()
    }
}

/// How the accounts stand against the loaded packs, per pack name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PackStanding {
    /// Accounts on each loaded pack: their slugs.
    pub on: BTreeMap<String, Vec<String>>,
    /// Accounts whose pack no plugin provides: their slugs.
    pub missing: BTreeMap<String, Vec<String>>,
    /// Accounts whose preset roles come from an older version of a loaded pack: their slugs.
    pub behind: BTreeMap<String, Vec<String>>,
}

/// Reads every account's pack and version against the loaded packs. An account whose version was
/// never recorded (made before versions were) and whose preset roles are exactly the loaded
/// version's counts as at that version; with `record`, that version is written (audited, by the
/// system). With other roles it is behind.
pub fn standing(
    conn: &mut switchboard_store::DbConn,
    packs: &Packs,
    record: bool,
) -> Result<PackStanding, switchboard_store::StoreError> {
    use switchboard_core::{PresetRoleStatus, plan_upgrade, version_order};
    use switchboard_store::repo::{accounts, roles};
    let mut standing = PackStanding::default();
    for using in accounts::pack_uses(conn)? {
        let Some(loaded) = packs.get(&using.preset_pack) else {
            standing.missing.entry(using.preset_pack).or_default().push(using.slug);
            continue;
        };
        standing.on.entry(using.preset_pack.clone()).or_default().push(using.slug.clone());
        let mut version = using.preset_version;
        if version.is_empty() {
            let stored: Vec<_> = roles::load_all(conn, using.account)?
                .into_iter()
                .filter(|r| r.origin.is_preset())
                .map(|r| r.definition)
                .collect();
            if plan_upgrade(&stored, &loaded.pack).iter().all(|c| c.status == PresetRoleStatus::Unchanged) {
                if record {
                    let system = switchboard_store::Actor::System;
                    accounts::set_preset_version(conn, using.account, &loaded.pack.version, &system)?;
                }
                version.clone_from(&loaded.pack.version);
            }
        }
        if version_order(&version, &loaded.pack.version) == std::cmp::Ordering::Less {
            standing.behind.entry(using.preset_pack).or_default().push(using.slug);
        }
    }
    Ok(standing)
}

/// Says loudly which accounts are on a pack no plugin provides (refusing to start when plugins are
/// strict) and which are behind their loaded pack.
pub fn check_standing(store: &switchboard_store::Store, packs: &Packs, strict: bool) -> Result<(), String> {
    let standing = store.conn().and_then(|mut conn| standing(&mut conn, packs, true)).map_err(|e| e.to_string())?;
    for (pack, slugs) in &standing.missing {
        log::error!(
            "{} account(s) are on preset pack `{pack}`, which no loaded plugin provides; their requests answer 503 \
             until it is installed: {}",
            slugs.len(),
            slugs.join(", ")
        );
    }
    if strict && !standing.missing.is_empty() {
        let packs: Vec<&str> = standing.missing.keys().map(String::as_str).collect();
        return Err(format!(
            "accounts are on preset packs that no loaded plugin provides ({}) and loading is strict",
            packs.join(", ")
        ));
    }
    for (pack, slugs) in &standing.behind {
        let version = packs.get(pack).map_or("", |p| p.pack.version.as_str());
        log::warn!(
            "{} account(s) have preset roles older than version {version} of `{pack}` (POST /v1/presets/upgrade): {}",
            slugs.len(),
            slugs.join(", ")
        );
    }
    Ok(())
}
