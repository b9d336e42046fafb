//! Every format reader and the decoder on arbitrary bytes: none may panic,
//! hang or allocate without bound.
#![no_main]

use cpsearch::ingest::{decode, feed, html, json, markdown, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decode(data);
    let _ = feed::parse(data);
    let s = String::from_utf8_lossy(data);
    let _ = text::parse(&s);
    let _ = markdown::parse(&s);
    let _ = html::parse(&s);
    let _ = json::parse_json(&s);
    let _ = json::parse_jsonl(&s);
});
