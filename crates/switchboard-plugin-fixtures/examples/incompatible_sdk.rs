//! Right ABI, but its table says it was built with an SDK of the next major version.

use switchboard_plugin_sdk::abi::{PluginApi, SDK_VERSION, SdkVersion};

static API: PluginApi = PluginApi {
    sdk_version: SdkVersion { major: SDK_VERSION.major + 1, minor: 0, patch: 0 },
    ..PluginApi::new(switchboard_plugin_fixtures::describe, switchboard_plugin_fixtures::preset_packs)
};

switchboard_plugin_fixtures::export_api!(API);
