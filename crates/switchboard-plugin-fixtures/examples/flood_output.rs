//! `preset_packs` writes 64 MiB to every descriptor it may hold (standard output, standard error and
//! whatever else is open), then answers a valid pack: output no host should wait for or keep.

use std::io::Write;
use std::os::fd::FromRawFd;
use switchboard_plugin_sdk::abi::{PluginApi, RawBuffer};

extern "C" fn preset_packs() -> RawBuffer {
    let chunk = vec![b'{'; 1 << 20];
    for fd in 1..16 {
        // SAFETY: none needed for a fixture that floods; the descriptor is forgotten, never closed.
        let mut file = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) });
        for _ in 0..64 {
            if file.write_all(&chunk).is_err() {
                break;
            }
        }
    }
    switchboard_plugin_fixtures::preset_packs()
}

static API: PluginApi = PluginApi::new(switchboard_plugin_fixtures::describe, preset_packs);

switchboard_plugin_fixtures::export_api!(API);
