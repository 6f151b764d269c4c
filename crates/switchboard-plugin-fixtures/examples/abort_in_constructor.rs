//! A library whose constructor aborts the process the moment it is opened, before any handshake.

use switchboard_plugin_sdk::abi::PluginApi;

extern "C" fn abort_on_load() {
    std::process::abort();
}

// Run by the dynamic loader when the library is opened.
#[used]
#[unsafe(link_section = ".init_array")]
static ON_LOAD: extern "C" fn() = abort_on_load;

static API: PluginApi =
    PluginApi::new(switchboard_plugin_fixtures::describe, switchboard_plugin_fixtures::preset_packs);

switchboard_plugin_fixtures::export_api!(API);
