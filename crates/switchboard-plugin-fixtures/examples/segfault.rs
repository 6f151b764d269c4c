//! `preset_packs` writes through a null pointer.

use switchboard_plugin_sdk::abi::{PluginApi, RawBuffer};

extern "C" fn preset_packs() -> RawBuffer {
    let nowhere: *mut u8 = std::hint::black_box(std::ptr::null_mut());
    // SAFETY: none; this fixture crashes on purpose.
    unsafe { nowhere.write_volatile(1) };
    switchboard_plugin_fixtures::preset_packs()
}

static API: PluginApi = PluginApi::new(switchboard_plugin_fixtures::describe, preset_packs);

switchboard_plugin_fixtures::export_api!(API);
