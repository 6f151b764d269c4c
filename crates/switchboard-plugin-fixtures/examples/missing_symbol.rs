//! A foreign library: it loads, but exports nothing a Switchboard plugin would.

#[unsafe(no_mangle)]
pub extern "C" fn some_other_library_entry() -> u32 {
    42
}
