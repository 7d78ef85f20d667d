//! A request target to a file inside the root, or a refusal.
//!
//! The assignment's rule: keep only the last `/`-separated part of the path and
//! look for that name in the root. The target is percent-decoded once, before the
//! split, so `..%2f..%2fsecret` is split like `../../secret`; the name that is left
//! must be an ordinary file name, and the file it names, symlinks followed, must
//! still lie inside the root (compared by path components, never as strings).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Why a target names nothing we serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such file for us to serve: the assignment's 404, whatever the reason.
    NotFound,
    /// The decoded target holds a NUL or another control byte: 400.
    BadTarget,
}

/// Resolves `target` against `root`, which must be absolute and canonical.
pub fn resolve(root: &Path, target: &[u8]) -> Result<PathBuf, Refusal> {
    let path = decode(without_query(target));
    if path.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(Refusal::BadTarget);
    }
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or_default();
    if matches!(name, b"" | b"." | b"..") || name.contains(&b'\\') {
        return Err(Refusal::NotFound);
    }
    let real = root
        .join(OsStr::from_bytes(name))
        .canonicalize()
        .map_err(|_| Refusal::NotFound)?;
    if real.parent() != Some(root) {
        // A symlink that leads out of the root, or into a subdirectory of it.
        return Err(Refusal::NotFound);
    }
    Ok(real)
}

/// The path part of a target: what comes before `?` or `#`.
fn without_query(target: &[u8]) -> &[u8] {
    let end = target
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(target.len());
    &target[..end]
}

/// `%XX` escapes to bytes; a `%` not followed by two hex digits stays as it is.
fn decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let escaped = match text.get(i..i + 3) {
            Some([b'%', hi, lo]) => hex(*hi).zip(hex(*lo)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(text[i]);
                i += 1;
            }
        }
    }
    out
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_takes_valid_escapes_only() {
        assert_eq!(decode(b"a%20b%2F%2fc"), b"a b//c");
        assert_eq!(decode(b"100%"), b"100%");
        assert_eq!(decode(b"%zz%4"), b"%zz%4");
        assert_eq!(decode(b"caf%C3%A9"), "café".as_bytes());
    }

    #[test]
    fn query_and_fragment_are_not_the_path() {
        assert_eq!(without_query(b"/a.txt?x=/../b#c"), b"/a.txt");
        assert_eq!(without_query(b"/a.txt#frag"), b"/a.txt");
    }

    #[test]
    fn names_that_are_not_files_are_refused_before_the_disk() {
        let root = Path::new("/nonexistent-root");
        for target in [&b"/"[..], b"/.", b"/..", b"/a/", b"/..%2f", b"/a\\..\\b"] {
            assert_eq!(resolve(root, target), Err(Refusal::NotFound), "{target:?}");
        }
        for target in [&b"/a%00.txt"[..], b"/%0d%0a", b"/x%7f"] {
            assert_eq!(resolve(root, target), Err(Refusal::BadTarget), "{target:?}");
        }
    }
}
