//! Arbitrary bytes as one spec file: loading (and rendering any errors) must
//! never panic, abort or run away. Non-UTF-8 input is skipped: `load_dir`
//! rejects it before parsing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(errors) = zstack_spec::load_str("fuzz.yaml", text) {
        let _ = errors.to_string();
    }
});
