//! The CSV reader and everything behind it (encoding and delimiter sniffing, the header search,
//! format detection, building records): the bytes are written to a file on tmpfs and loaded like
//! the CLI does.
#![no_main]

mod load;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Workbooks are the `xlsx_reader` target's.
    if data.starts_with(b"PK\x03\x04") || data.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return;
    }
    load::load_checked(data, "csv");
});
