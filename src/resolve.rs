//! A request target to what we serve (a file, a directory listing, a redirect),
//! or a refusal.
//!
//! The target is reduced to its path first: an absolute-form target
//! (`http://host/a.txt`) loses its scheme and authority, and `?query` and
//! `#fragment` are dropped. The path is then percent-decoded once, and a decoded
//! NUL or other control byte is a 400. Decoding comes before splitting, so
//! `..%2f..%2fsecret` is split like `../../secret`.
//!
//! Two modes:
//! - default, the assignment's rule: keep only the last `/`-separated part and
//!   look for that name in the root itself. With `--listing`, the path `/` (and
//!   only it) lists the root, or serves its `index.html`.
//! - `--tree`: the path names a file or directory below the root. Components `.`
//!   and empty ones are skipped; a `..` component is refused outright (404)
//!   rather than resolved: browsers remove dot segments before they send, so
//!   only a hand-made request has one, and refusing needs no reasoning about
//!   where it would lead. A directory asked for without its trailing slash is
//!   redirected to the slashed URL (so relative links in it work), but only when
//!   that URL would be answered (an `index.html`, or `--listing`); otherwise it
//!   is a 404 like any other name we do not serve.
//!
//! Confinement, in both modes: the name asked for is resolved by the file
//! system, symlinks followed (`canonicalize`), and the real location must lie
//! inside the real root, compared by path components (`Path::starts_with`),
//! never as strings, so a sibling `www2/` beside `www/` stays out.
//!
//! Symlink policy: a link is followed. A link whose real location is outside the
//! root is a 404, as is one whose real location is hidden (a component below
//! the root starting with `.`, so `notes.txt -> .env` leaks nothing). A link that
//! stays inside the root is served, under the link's name, as its target would
//! be: it exposes nothing the root does not already serve, and it is how sites
//! alias `latest/ -> v2/`.
//!
//! Hidden names (starting with `.`) are neither served nor listed unless
//! `--hidden` is given: a served `.git/` or `.env` is a classic leak.
//!
//! What is neither a regular file nor a directory (a FIFO, a socket, a device)
//! is never served: opening a FIFO would block the connection.
//!
//! Not covered: someone who can write inside the root can swap a checked path
//! for a symlink between `canonicalize` and `open` (a race). Closing that
//! needs every component opened relative to the root (Linux `openat2` with
//! `RESOLVE_BENEATH`); the threat model here is a remote client, who cannot.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

/// Why a target names nothing we serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such file for us to serve: the assignment's 404, whatever the reason.
    NotFound,
    /// The decoded target holds a NUL or another control byte: 400.
    BadTarget,
}

/// What is served, and how targets map onto it.
#[derive(Debug, Clone)]
pub struct Site {
    /// Absolute and canonical (symlink-free): real locations are compared to it.
    pub root: PathBuf,
    /// `--tree`: serve subdirectories instead of stripping the path.
    pub tree: bool,
    /// `--listing`: a directory without `index.html` gets a listing, not a 404.
    pub listing: bool,
    /// `--hidden`: serve and list names starting with `.`.
    pub hidden: bool,
}

impl Site {
    /// The assignment's site: the default mode, no listing, no hidden files.
    pub fn new(root: PathBuf) -> Site {
        Site {
            root,
            tree: false,
            listing: false,
            hidden: false,
        }
    }
}

/// What a target is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A regular file, by its real path.
    File(PathBuf),
    /// A directory to list: its real path, and the decoded URL path that names
    /// it, ending in `/`.
    Listing { dir: PathBuf, url: Vec<u8> },
    /// A directory asked for without its trailing slash: the slashed URL,
    /// percent-encoded, for `Location`.
    Redirect(String),
}

/// The assignment's lookup: the file `target` names in the default mode.
pub fn resolve(root: &Path, target: &[u8]) -> Result<PathBuf, Refusal> {
    match find(&Site::new(root.to_path_buf()), target)? {
        Found::File(path) => Ok(path),
        Found::Listing { .. } | Found::Redirect(_) => Err(Refusal::NotFound),
    }
}

/// What `target` names on `site`.
pub fn find(site: &Site, target: &[u8]) -> Result<Found, Refusal> {
    find_decoded(site, &decode(path_of(target)))
}

/// What a decoded URL path names on `site`; the listing asks this about each
/// entry, so it links to exactly what we serve.
pub fn find_decoded(site: &Site, path: &[u8]) -> Result<Found, Refusal> {
    if has_control(path) {
        return Err(Refusal::BadTarget);
    }
    if site.tree {
        in_tree(site, path)
    } else {
        in_root(site, path)
    }
}

/// Whether a listing of the URL directory `url` shows its entry `name`, and as a
/// directory (`Some(true)`): exactly when `find_decoded` would serve `url` + `name`.
/// `kind` is the entry's own type, which `read_dir` gives without a lookup, and the
/// listed directory is already real and confined; so a plain file or directory is
/// decided here, at a cost that does not grow with the directory's depth (a lookup
/// from the root walks every component, and canonicalizing walks them again per
/// component). A symlink, or an entry of unknown type, takes the resolver's way.
pub fn listed(site: &Site, url: &[u8], name: &[u8], kind: Option<fs::FileType>) -> Option<bool> {
    if has_control(name) || !servable_name(site, name) {
        return None;
    }
    match kind {
        Some(kind) if kind.is_file() => return Some(false),
        // A listing exists, so `--listing` is on: every directory below is served
        // (its index, its listing); in the default mode, only the root's files.
        Some(kind) if kind.is_dir() => return site.tree.then_some(true),
        // A FIFO, a socket, a device: never served.
        Some(kind) if !kind.is_symlink() => return None,
        _ => {}
    }
    let mut path = url.to_vec();
    path.extend_from_slice(name);
    match find_decoded(site, &path) {
        Ok(Found::File(_)) => Some(false),
        Ok(Found::Listing { .. } | Found::Redirect(_)) => Some(true),
        Err(_) => None,
    }
}

/// The default mode: the last part of the path, looked up in the root itself.
fn in_root(site: &Site, path: &[u8]) -> Result<Found, Refusal> {
    if site.listing && path.iter().all(|&b| b == b'/') {
        return directory(site, site.root.clone(), &[], true);
    }
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or_default();
    if !servable_name(site, name) {
        return Err(Refusal::NotFound);
    }
    let asked = site.root.join(OsStr::from_bytes(name));
    // The common case in one lstat: a regular file that is not a symlink, named
    // by one plain component of the canonical root, is its own real location
    // (canonicalize would readlink each component of the root, then stat).
    match fs::symlink_metadata(&asked) {
        Ok(meta) if meta.is_file() => return Ok(Found::File(asked)),
        // A symlink, a directory, a FIFO: the careful way below.
        Ok(_) => {}
        // Nothing there to serve; canonicalize would fail the same way.
        Err(_) => return Err(Refusal::NotFound),
    }
    let real = confined(site, &asked)?;
    if real.parent() != Some(site.root.as_path()) {
        // A symlink into a subdirectory: this mode serves the root's own files.
        return Err(Refusal::NotFound);
    }
    match fs::metadata(&real) {
        Ok(meta) if meta.is_file() => Ok(Found::File(real)),
        _ => Err(Refusal::NotFound),
    }
}

/// `--tree`: the path's components, below the root.
fn in_tree(site: &Site, path: &[u8]) -> Result<Found, Refusal> {
    let mut parts = Vec::new();
    for part in path.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            _ if !servable_name(site, part) => return Err(Refusal::NotFound),
            _ => parts.push(part),
        }
    }
    let asked = parts.iter().fold(site.root.clone(), |dir, part| {
        dir.join(OsStr::from_bytes(part))
    });
    let real = confined(site, &asked)?;
    let meta = fs::metadata(&real).map_err(|_| Refusal::NotFound)?;
    let slashed = path.last() == Some(&b'/') || parts.is_empty();
    if meta.is_file() && !slashed {
        Ok(Found::File(real))
    } else if meta.is_dir() {
        directory(site, real, &parts, slashed)
    } else {
        // `file.txt/` names no directory; a FIFO or socket is never served.
        Err(Refusal::NotFound)
    }
}

/// A directory named by the URL path `parts`: its index, its listing, or a
/// redirect to the slashed URL.
fn directory(site: &Site, dir: PathBuf, parts: &[&[u8]], slashed: bool) -> Result<Found, Refusal> {
    let index = confined(site, &dir.join("index.html"))
        .ok()
        .filter(|index| index.is_file());
    if index.is_none() && !site.listing {
        return Err(Refusal::NotFound);
    }
    if !slashed {
        let mut location = String::new();
        for part in parts {
            location.push('/');
            location.push_str(&encode(part));
        }
        location.push('/');
        return Ok(Found::Redirect(location));
    }
    if let Some(index) = index {
        return Ok(Found::File(index));
    }
    let mut url = b"/".to_vec();
    for part in parts {
        url.extend_from_slice(part);
        url.push(b'/');
    }
    Ok(Found::Listing { dir, url })
}

/// Whether a decoded path holds a control byte (NUL, CR, LF, DEL...): such a
/// target is refused (400), never looked up, and a listing leaves such names out.
fn has_control(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b < 0x20 || b == 0x7f)
}

/// A name we may look up: not `.`, `..` or empty, no backslash (never a
/// separator here, and never a way to climb), hidden only with `--hidden`.
fn servable_name(site: &Site, name: &[u8]) -> bool {
    !matches!(name, b"" | b"." | b"..")
        && !name.contains(&b'\\')
        && (site.hidden || name[0] != b'.')
}

/// The real location of `asked`, symlinks followed, if it lies inside the root
/// and, without `--hidden`, nowhere hidden below it.
fn confined(site: &Site, asked: &Path) -> Result<PathBuf, Refusal> {
    let real = asked.canonicalize().map_err(|_| Refusal::NotFound)?;
    let below = real
        .strip_prefix(&site.root)
        .map_err(|_| Refusal::NotFound)?;
    let hidden = below.components().any(|part| match part {
        Component::Normal(name) => name.as_bytes().first() == Some(&b'.'),
        _ => true,
    });
    if hidden && !site.hidden {
        return Err(Refusal::NotFound);
    }
    Ok(real)
}

/// The path part of a target: scheme and authority of the absolute form
/// removed, and what comes from `?` or `#` on.
fn path_of(target: &[u8]) -> &[u8] {
    let end = target
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(target.len());
    let target = &target[..end];
    let scheme = [&b"http://"[..], b"https://"].into_iter().find(|scheme| {
        target
            .get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    });
    match scheme {
        Some(scheme) => {
            let rest = &target[scheme.len()..];
            rest.iter()
                .position(|&b| b == b'/')
                .map_or(&b"/"[..], |slash| &rest[slash..])
        }
        None => target,
    }
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

/// Bytes as one URL path segment: everything but RFC 3986's unreserved
/// characters escaped, so no name can become a scheme (`a:b`), a query, a
/// fragment or a separator.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of entry a listing can meet, in each mode and with and without
    /// `--hidden`: `listed` says what the full lookup from the root says.
    #[test]
    fn listed_agrees_with_the_lookup_from_the_root() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().expect("temp dir");
        let top = outside.path().canonicalize().expect("canonical");
        let root = top.join("www");
        let sub = root.join("sub");
        fs::create_dir_all(sub.join("deep")).expect("dirs");
        fs::create_dir(root.join(".hid")).expect("hidden dir");
        fs::write(top.join("secret.txt"), "s").expect("secret");
        for name in [
            "a.txt",
            ".dot",
            "ctl\x01.txt",
            "back\\slash",
            "sub/b.txt",
            "sub/index.html",
        ] {
            fs::write(root.join(name), "x").expect("file");
        }
        symlink("a.txt", root.join("link-in")).expect("link");
        symlink("../secret.txt", root.join("link-out")).expect("link");
        symlink("sub", root.join("link-dir")).expect("link");
        symlink("missing", root.join("link-dangling")).expect("link");
        symlink("../a.txt", sub.join("link-up")).expect("link");
        symlink("../.dot", sub.join("link-hidden")).expect("link");
        let fifo = std::ffi::CString::new(root.join("fifo").as_os_str().as_bytes()).expect("path");
        // SAFETY: mkfifo only reads the NUL-terminated path we own.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0, "mkfifo");

        for (tree, hidden) in [(false, false), (true, false), (true, true), (false, true)] {
            let site = Site {
                root: root.clone(),
                tree,
                listing: true,
                hidden,
            };
            let dirs: &[(&Path, &[u8])] = if tree {
                &[(&root, b"/"), (&sub, b"/sub/")]
            } else {
                &[(&root, b"/")]
            };
            for &(dir, url) in dirs {
                for entry in fs::read_dir(dir).expect("read_dir") {
                    let entry = entry.expect("entry");
                    let name = entry.file_name();
                    let mut path = url.to_vec();
                    path.extend_from_slice(name.as_bytes());
                    let looked_up = match find_decoded(&site, &path) {
                        Ok(Found::File(_)) => Some(false),
                        Ok(_) => Some(true),
                        Err(_) => None,
                    };
                    let kind = entry.file_type().ok();
                    assert_eq!(
                        listed(&site, url, name.as_bytes(), kind),
                        looked_up,
                        "{name:?} in {url:?}, tree {tree}, hidden {hidden}"
                    );
                }
            }
        }
    }

    #[test]
    fn decode_takes_valid_escapes_only() {
        assert_eq!(decode(b"a%20b%2F%2fc"), b"a b//c");
        assert_eq!(decode(b"100%"), b"100%");
        assert_eq!(decode(b"%zz%4"), b"%zz%4");
        assert_eq!(decode(b"caf%C3%A9"), "café".as_bytes());
    }

    #[test]
    fn encode_then_decode_is_the_name() {
        let name = "<img src=x onerror=alert(1)> a:b?c#d%e/f café".as_bytes();
        let encoded = encode(name);
        assert!(encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        assert_eq!(decode(encoded.as_bytes()), name);
    }

    #[test]
    fn the_path_of_a_target() {
        for (target, path) in [
            (&b"/a.txt?x=/../b#c"[..], &b"/a.txt"[..]),
            (b"/a.txt#frag", b"/a.txt"),
            (b"http://host/a.txt", b"/a.txt"),
            (b"HTTPS://host:8080/d/a.txt?q", b"/d/a.txt"),
            (b"http://host", b"/"),
            (b"http://host?x=/y", b"/"),
            (b"/http://host/a.txt", b"/http://host/a.txt"),
        ] {
            assert_eq!(
                path_of(target),
                path,
                "{:?}",
                String::from_utf8_lossy(target)
            );
        }
    }

    #[test]
    fn names_that_are_not_files_are_refused_before_the_disk() {
        let root = Path::new("/nonexistent-root");
        for target in [
            &b"/"[..],
            b"/.",
            b"/..",
            b"/a/",
            b"/..%2f",
            b"/a\\..\\b",
            b"/.env",
        ] {
            assert_eq!(resolve(root, target), Err(Refusal::NotFound), "{target:?}");
        }
        for target in [&b"/a%00.txt"[..], b"/%0d%0a", b"/x%7f"] {
            assert_eq!(resolve(root, target), Err(Refusal::BadTarget), "{target:?}");
        }
    }

    #[test]
    fn tree_mode_refuses_climbing_and_hidden_parts_before_the_disk() {
        let site = Site {
            tree: true,
            ..Site::new(PathBuf::from("/nonexistent-root"))
        };
        for target in [
            &b"/../secret.txt"[..],
            b"/a/../../secret.txt",
            b"/%2e%2e/secret.txt",
            b"/a/..%2f..%2fsecret.txt",
            b"/.git/config",
            b"/a/.env",
            b"/a\\..\\b",
        ] {
            assert_eq!(find(&site, target), Err(Refusal::NotFound), "{target:?}");
        }
        assert_eq!(find(&site, b"/a/%01"), Err(Refusal::BadTarget));
    }
}
