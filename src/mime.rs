//! Content-Type by file extension, the classic way the guide teaches.

use std::path::Path;

/// What we answer for a file whose kind we do not know.
pub const UNKNOWN: &str = "application/octet-stream";

/// The Content-Type for a file name; extensions match case-insensitively.
pub fn for_path(path: &Path) -> &'static str {
    let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
        return UNKNOWN;
    };
    const TABLE: &[(&str, &str)] = &[
        ("txt", "text/plain"),
        ("html", "text/html"),
        ("htm", "text/html"),
    ];
    TABLE
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(ext))
        .map_or(UNKNOWN, |(_, mime)| mime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assignments_two_types_and_the_rest() {
        for (name, mime) in [
            ("file1.txt", "text/plain"),
            ("file2.html", "text/html"),
            ("INDEX.HTM", "text/html"),
            ("archive.tar.gz", UNKNOWN),
            ("Makefile", UNKNOWN),
            (".txt", UNKNOWN),
        ] {
            assert_eq!(for_path(Path::new(name)), mime, "{name}");
        }
    }
}
