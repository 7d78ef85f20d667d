//! The HTML page that lists a directory (`--listing`).
//!
//! An entry is listed when, and only when, the resolver would serve it (each name
//! is asked of `resolve::listed`, which decides as `resolve::find_decoded` would,
//! at a cost per entry that does not grow with the depth), so a hidden
//! name, a symlink leading out of the root, a FIFO, or (in the default mode) a
//! subdirectory never appears, and every link works (one exception: a file
//! whose mode bits forbid reading is listed, then answered 404; finding that
//! out would cost an open per entry). Names are sorted by their
//! bytes; a directory ends in `/`. Names are HTML-escaped for the text and
//! percent-encoded for the href, so no file name can inject markup or change
//! what its link points to (`<img src=x onerror=alert(1)>.txt` is shown, not
//! run). The page declares UTF-8; names that are not UTF-8 are shown with
//! U+FFFD but linked by their exact bytes.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::resolve::{self, Site};

/// The listing's Content-Type: we wrote the page, so we know its encoding.
pub const CONTENT_TYPE: &str = "text/html; charset=utf-8";

/// The page for `dir`, which the decoded URL path `url` (ending in `/`) names.
pub fn page(site: &Site, dir: &Path, url: &[u8]) -> io::Result<Vec<u8>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let kind = entry.file_type().ok();
        if let Some(is_dir) = resolve::listed(site, url, name.as_bytes(), kind) {
            entries.push((name.as_bytes().to_vec(), is_dir));
        }
    }
    entries.sort();

    let title = escape(&String::from_utf8_lossy(url));
    let mut html = String::with_capacity(256 + 64 * entries.len());
    // Writing to a String cannot fail.
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Index of {title}</title>\n</head>\n<body>\n<h1>Index of {title}</h1>\n<ul>\n"
    );
    if url != b"/" {
        html.push_str("<li><a href=\"../\">../</a></li>\n");
    }
    for (name, is_dir) in &entries {
        let slash = if *is_dir { "/" } else { "" };
        let _ = writeln!(
            html,
            "<li><a href=\"{}{slash}\">{}{slash}</a></li>",
            resolve::encode(name),
            escape(&String::from_utf8_lossy(name)),
        );
    }
    html.push_str("</ul>\n</body>\n</html>\n");
    Ok(html.into_bytes())
}

/// Text safe in HTML content and in a quoted attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_name_is_text() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)>&\"'"),
            "&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#x27;"
        );
    }
}
