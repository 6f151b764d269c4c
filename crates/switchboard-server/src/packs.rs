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
