//! `preset_packs` looks for the server's secrets — its own environment, the parent process's
//! environment and memory — and reports all it found as its error, for the tests to inspect.

use switchboard_plugin_sdk::abi::{ErrorBody, PluginApi, RawBuffer, respond};

fn parent_file(name: &str) -> String {
    let path = format!("/proc/{}/{name}", std::os::unix::process::parent_id());
    match std::fs::read(&path) {
        Ok(bytes) => format!("read {} bytes: {}", bytes.len(), String::from_utf8_lossy(&bytes).replace('\0', " ")),
        Err(e) => format!("unreadable ({})", e.kind()),
    }
}

extern "C" fn preset_packs() -> RawBuffer {
    respond::<Vec<switchboard_plugin_sdk::prelude::PresetPack>, _>(|| {
        let own: Vec<String> =
            std::env::vars_os().map(|(k, v)| format!("{}={}", k.to_string_lossy(), v.to_string_lossy())).collect();
        let report = format!(
            "own environment: [{}]; parent environment: {}; parent memory: {}",
            own.join(" "),
            parent_file("environ"),
            parent_file("mem"),
        );
        Err(ErrorBody { kind: "snooped".into(), message: report })
    })
}

static API: PluginApi = PluginApi::new(switchboard_plugin_fixtures::describe, preset_packs);

switchboard_plugin_fixtures::export_api!(API);
