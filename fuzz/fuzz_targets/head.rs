//! Head framing and parsing: never a panic, and what the framer accepts is a
//! head. The first two bytes choose tight limits, so the limit paths are
//! reached as often as the parsing ones.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use webserver::limits::Limits;
use webserver::request;

fuzz_target!(|data: &[u8]| {
    let (limits, buf) = match data {
        [line, head, rest @ ..] => (
            Limits {
                max_request_line: 1 + *line as usize,
                max_head: 64 + *head as usize * 4,
                head_timeout: Duration::from_secs(1),
                send_timeout: Duration::from_secs(1),
            },
            rest,
        ),
        _ => (Limits::default(), data),
    };
    let _ = request::parse(buf);
    // Arriving in pieces (their size from the input) must decide as framing
    // the decided prefix at once does.
    let step = 1 + data.first().map_or(0, |b| *b as usize % 7);
    let mut framer = request::Framer::default();
    let mut end = 0;
    while end < buf.len() {
        end = (end + step).min(buf.len());
        let verdict = framer.advance(&buf[..end], &limits);
        if verdict != Ok(None) {
            assert_eq!(verdict, request::head_len(&buf[..end], &limits));
            break;
        }
    }
    for limits in [limits, Limits::default()] {
        if let Ok(Some(len)) = request::head_len(buf, &limits) {
            assert!(len <= buf.len() && len <= limits.max_head);
            assert!(buf[..len].ends_with(b"\r\n\r\n") || len == 2);
            if let Ok(parsed) = request::parse(&buf[..len]) {
                // The target is a slice of the head, never empty, never with a
                // space or a control byte.
                assert!(!parsed.target.is_empty());
                assert!(parsed.target.iter().all(|&b| b > 0x20 && b != 0x7f));
                let _ = parsed.headers().count();
            }
        }
    }
});
