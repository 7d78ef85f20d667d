//! Bytes for people: the one printer that shows `\r` and `\n`, and the one diff
//! that names the first differing offset.

/// Bytes as readable text: `\r` and `\n` shown, other control and non-ASCII bytes
/// as `\xNN`, and a line break after each `\n` so heads read line by line.
pub fn visible(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n\n"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

/// How many bytes either side of the first difference a diff shows: the
/// region that explains it, not two whole bodies (a reply may be megabytes).
pub const DIFF_WINDOW: usize = 1024;

/// `None` when equal; otherwise a report with both lengths, the first differing
/// offset, and a line diff of the two made visible, around that offset.
pub fn diff(expected: &[u8], actual: &[u8]) -> Option<String> {
    if expected == actual {
        return None;
    }
    let offset = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    let from = offset.saturating_sub(DIFF_WINDOW);
    let window = |bytes: &[u8]| {
        let to = bytes.len().min(offset + DIFF_WINDOW);
        bytes.get(from..to).unwrap_or_default().to_vec()
    };
    let (left, right) = (visible(&window(expected)), visible(&window(actual)));
    let shown = if from > 0 || expected.len().max(actual.len()) > offset + DIFF_WINDOW {
        format!(" (showing bytes {from}.. around it)")
    } else {
        String::new()
    };
    let lines = similar::TextDiff::from_lines(&left, &right)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string();
    Some(format!(
        "expected {} bytes, got {}; first difference at byte {offset}{shown}\n{lines}",
        expected.len(),
        actual.len()
    ))
}
