//! Properties over generated input (proptest), inside `cargo test`:
//! - framing and parsing never panic, whatever the bytes and limits, and a head
//!   they accept really is one;
//! - a well-formed head parses back to the parts it was built from;
//! - a Content-Length is plain digits that fit 64 bits, or the head is refused;
//! - whatever the target and the mode, what the resolver serves or lists lies
//!   inside the root, as a real (symlink-free) path.
//!
//! The cargo-fuzz targets in `fuzz/` search the same ground with coverage
//! guidance; these keep a quick, always-on version of it.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use proptest::prelude::*;
use webserver::limits::Limits;
use webserver::request::{self, Method, Version};
use webserver::resolve::{self, Found, Site};

fn limits() -> impl Strategy<Value = Limits> {
    (1usize..300, 64usize..600).prop_map(|(line, head)| Limits {
        max_request_line: line,
        max_head: head,
        head_timeout: Duration::from_secs(1),
        send_timeout: Duration::from_secs(1),
    })
}

/// Bytes that look like a head more often than uniform noise would.
fn heady_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"GET "[..],
        b"HEAD ",
        b"POST ",
        b"/",
        b"/file1.txt",
        b" HTTP/1.1",
        b" HTTP/1.0",
        b" HTTP/9.9",
        b"\r\n",
        b"\r",
        b"\n",
        b"Host: x",
        b"host:",
        b":",
        b" ",
        b"\t",
        b"\0",
        b"\xff",
    ]);
    prop_oneof![
        prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat()),
        prop::collection::vec(any::<u8>(), 0..600),
    ]
}

/// No failure files: a failure prints its minimal input, which goes into a unit
/// test or the fuzz corpus by hand.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn framing_and_parsing_never_panic(buf in heady_bytes(), limits in limits()) {
        // The parser may also be handed bytes the framer would refuse.
        let _ = request::parse(&buf);
        if let Ok(Some(len)) = request::head_len(&buf, &limits) {
            prop_assert!(len <= buf.len() && len <= limits.max_head);
            // A head ends with its first empty line: "\r\n\r\n", or the bare
            // "\r\n" of an empty request line (which the parser then refuses).
            prop_assert!(buf[..len].ends_with(b"\r\n\r\n") || len == 2);
            // Exactly one blank line, at the end: the head is the first one.
            prop_assert!(!buf[..len - 2].windows(4).any(|w| w == b"\r\n\r\n"));
            let _ = request::parse(&buf[..len]);
        }
    }

    #[test]
    fn framing_in_pieces_agrees_with_framing_at_once(
        buf in heady_bytes(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
        limits in limits(),
    ) {
        // The bytes arrive in pieces; the framer sees the buffer grow.
        let mut ends: Vec<usize> = cuts.iter().map(|c| c.index(buf.len() + 1)).collect();
        ends.push(buf.len());
        ends.sort_unstable();
        let mut framer = request::Framer::default();
        let mut verdict = Ok(None);
        for end in ends {
            verdict = framer.advance(&buf[..end], &limits);
            if verdict != Ok(None) {
                // Decided: it must be what framing that prefix at once says.
                prop_assert_eq!(verdict, request::head_len(&buf[..end], &limits));
                break;
            }
        }
        if verdict == Ok(None) {
            prop_assert_eq!(request::head_len(&buf, &limits), Ok(None));
        }
    }

    #[test]
    fn every_prefix_of_an_accepted_head_is_partial(buf in heady_bytes()) {
        let limits = Limits::default();
        if let Ok(Some(len)) = request::head_len(&buf, &limits) {
            for end in 0..len {
                prop_assert_eq!(request::head_len(&buf[..end], &limits), Ok(None));
            }
        }
    }

    #[test]
    fn a_well_formed_head_parses_back_to_its_parts(
        method in prop::sample::select(vec!["GET", "HEAD", "POST", "BREW"]),
        target in "/[!-~]{0,40}",
        http10 in any::<bool>(),
        extra in prop::collection::vec(("[A-Za-z0-9-]{1,12}", "[ -~]{0,20}"), 0..6),
    ) {
        let version = if http10 { "HTTP/1.0" } else { "HTTP/1.1" };
        let mut head = format!("{method} {target} {version}\r\nHost: localhost\r\n");
        for (name, value) in &extra {
            // Another Host would be a 400, rightly; keep this about round trips.
            let name = if name.eq_ignore_ascii_case("host") { "X-Host" } else { name };
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let bytes = head.as_bytes();
        prop_assert_eq!(request::head_len(bytes, &Limits::default()), Ok(Some(bytes.len())));
        let parsed = request::parse(bytes).expect("a well-formed head");
        let expected_method = match method {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Unserved,
            _ => Method::Unknown,
        };
        prop_assert_eq!(parsed.method, expected_method);
        prop_assert_eq!(parsed.target, target.as_bytes());
        prop_assert_eq!(parsed.version, if http10 { Version::Http10 } else { Version::Http11 });
        prop_assert_eq!(parsed.headers().count(), extra.len() + 1);
    }
}

/// A root full of baits, built once: links that lead out (file, directory,
/// absolute, from a subdirectory), a link that stays in, hidden names, and a
/// sibling `www2/` with the canary.
fn baited_root() -> &'static Path {
    static ROOT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, root) = ROOT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let top = dir.path().canonicalize().expect("canonical temp dir");
        let www = top.join("www");
        fs::create_dir_all(www.join("sub/deeper")).expect("dirs");
        fs::create_dir_all(www.join(".git")).expect("hidden dir");
        fs::create_dir_all(top.join("www2")).expect("sibling");
        for (path, text) in [
            ("secret.txt", "canary"),
            ("www2/secret.txt", "canary"),
            ("www/file1.txt", "one"),
            ("www/index.html", "<p>index</p>"),
            ("www/.env", "hidden"),
            ("www/.git/config", "hidden"),
            ("www/sub/b.txt", "b"),
            ("www/sub/deeper/c.txt", "c"),
        ] {
            fs::write(top.join(path), text).expect("file");
        }
        for (link, to) in [
            ("www/escape.txt", Path::new("../secret.txt")),
            ("www/up", Path::new("..")),
            ("www/sub/out", Path::new("../../www2")),
            ("www/alias.txt", Path::new("file1.txt")),
            ("www/env.txt", Path::new(".env")),
        ] {
            symlink(to, top.join(link)).expect("link");
        }
        symlink(top.join("secret.txt"), www.join("absolute.txt")).expect("absolute link");
        (dir, www)
    });
    root
}

fn hostile_target() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"/"[..],
        b"//",
        b"\\",
        b"..",
        b".",
        b"%2e",
        b"%2E%2e",
        b"%2f",
        b"%5c",
        b"%252e",
        b"%c0%ae",
        b"%00",
        b"%",
        b"?",
        b"#",
        b"http://x",
        b"C:",
        b"secret.txt",
        b"www2",
        b"www",
        b"up",
        b"sub",
        b"deeper",
        b"out",
        b"escape.txt",
        b"absolute.txt",
        b"alias.txt",
        b"env.txt",
        b".env",
        b".git",
        b"config",
        b"file1.txt",
        b"c.txt",
    ]);
    prop_oneof![
        4 => prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn whatever_is_served_lies_inside_the_root(
        target in hostile_target(),
        (tree, listing, hidden) in any::<(bool, bool, bool)>(),
    ) {
        let root = baited_root();
        let mut site = Site::new(root.to_path_buf());
        site.tree = tree;
        site.listing = listing;
        site.hidden = hidden;
        let inside = |path: &Path| -> Result<(), TestCaseError> {
            prop_assert!(path.starts_with(root), "{} is outside {}", path.display(), root.display());
            let real = path.canonicalize().map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&real, path, "not a real path");
            if !hidden {
                let below = path.strip_prefix(root).expect("checked above");
                prop_assert!(
                    !below.components().any(|c| c.as_os_str().as_encoded_bytes().starts_with(b".")),
                    "{} is hidden", path.display()
                );
            }
            Ok(())
        };
        match resolve::find(&site, &target) {
            Ok(Found::File(path)) => {
                inside(&path)?;
                prop_assert!(path.is_file());
                let text = fs::read_to_string(&path).unwrap_or_default();
                prop_assert_ne!(text, "canary");
            }
            Ok(Found::Listing { dir, .. }) => {
                inside(&dir)?;
                prop_assert!(dir.is_dir());
            }
            Ok(Found::Redirect(_)) | Err(_) => {}
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// A Content-Length frames a body only as plain digits that fit 64 bits;
    /// anything else, on any method, is refused before the method counts.
    #[test]
    fn content_length_is_digits_or_refused(
        value in "[0-9+\\-_ xa-f,]{0,24}",
        method in prop::sample::select(vec!["GET", "HEAD", "POST", "BREW"]),
    ) {
        let head = format!("{method} / HTTP/1.1\r\nHost: x\r\nContent-Length: {value}\r\n\r\n");
        let trimmed = value.trim_matches(' ');
        let valid = !trimmed.is_empty()
            && trimmed.bytes().all(|b| b.is_ascii_digit())
            && trimmed.parse::<u64>().is_ok();
        let parsed = request::parse(head.as_bytes());
        prop_assert_eq!(parsed.is_ok(), valid, "{:?}", head);
        if !valid {
            prop_assert_eq!(parsed.err(), Some(request::Error::Framing));
        }
    }
}
