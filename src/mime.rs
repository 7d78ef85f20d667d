//! Content-Type by file extension, the classic way the guide teaches.
//!
//! A small table rather than the `mime_guess` crate: the types people serve fit on
//! one screen, every answer is pinned by a test here and by golden cases, and no
//! crate update can silently change a byte the suite expects (`mime_guess` has,
//! over its versions, answered `.js` with `application/javascript` and
//! `text/javascript`). Types are the IANA registrations where one exists
//! (`text/javascript` per RFC 9239, `image/vnd.microsoft.icon`).
//! No `charset` parameter: the server does not know how a file is encoded, and
//! the assignment's golden bytes are the bare `text/plain` and `text/html`.

use std::path::Path;

/// What we answer for a file whose kind we do not know.
pub const UNKNOWN: &str = "application/octet-stream";

/// Extension (lowercase) to Content-Type.
const TABLE: &[(&str, &str)] = &[
    // The assignment's two.
    ("txt", "text/plain"),
    ("html", "text/html"),
    ("htm", "text/html"),
    // Web pages and their parts.
    ("css", "text/css"),
    ("js", "text/javascript"),
    ("mjs", "text/javascript"),
    ("json", "application/json"),
    ("xml", "application/xml"),
    ("wasm", "application/wasm"),
    ("csv", "text/csv"),
    ("md", "text/markdown"),
    // Images.
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("avif", "image/avif"),
    ("ico", "image/vnd.microsoft.icon"),
    // Documents, media, fonts, archives.
    ("pdf", "application/pdf"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("mp3", "audio/mpeg"),
    ("ogg", "audio/ogg"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("ttf", "font/ttf"),
    ("zip", "application/zip"),
    ("gz", "application/gzip"),
];

/// The Content-Type for a file name; extensions match case-insensitively.
pub fn for_path(path: &Path) -> &'static str {
    let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
        return UNKNOWN;
    };
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
            ("archive.tar.gz", "application/gzip"),
            ("Makefile", UNKNOWN),
            (".txt", UNKNOWN),
            ("blob.dat", UNKNOWN),
            ("photo.JPG", "image/jpeg"),
            ("photo.JpEg", "image/jpeg"),
            ("app.mjs", "text/javascript"),
            ("font.WOFF2", "font/woff2"),
            ("noext.", UNKNOWN),
        ] {
            assert_eq!(for_path(Path::new(name)), mime, "{name}");
        }
    }

    #[test]
    fn the_table_is_lowercase_and_has_no_duplicates() {
        for (i, (ext, _)) in TABLE.iter().enumerate() {
            assert_eq!(*ext, ext.to_ascii_lowercase(), "{ext}");
            assert!(
                TABLE[i + 1..].iter().all(|(other, _)| other != ext),
                "{ext} twice"
            );
        }
    }
}
