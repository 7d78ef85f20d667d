//! The resolver, in every mode, against a root full of baits (links that lead
//! out, a sibling `www2/`, hidden names): whatever it serves or lists is a real
//! path inside the root, and never the canary.
#![no_main]

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use webserver::resolve::{self, Found, Site};

const CANARY: &str = "CANARY: outside the root";

fn root() -> &'static Path {
    static ROOT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, www) = ROOT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let top = dir.path().canonicalize().expect("canonical");
        let www = top.join("www");
        for d in ["www/sub/deeper", "www/.git", "www2"] {
            fs::create_dir_all(top.join(d)).expect("dir");
        }
        for (path, text) in [
            ("secret.txt", CANARY),
            ("www2/secret.txt", CANARY),
            ("www/file1.txt", "one"),
            ("www/index.html", "index"),
            ("www/.env", "hidden"),
            ("www/sub/b.txt", "b"),
            ("www/sub/deeper/c.txt", "c"),
        ] {
            fs::write(top.join(path), text).expect("file");
        }
        for (link, to) in [
            ("www/escape.txt", "../secret.txt"),
            ("www/up", ".."),
            ("www/sub/out", "../../www2"),
            ("www/alias.txt", "file1.txt"),
            ("www/env.txt", ".env"),
        ] {
            symlink(to, top.join(link)).expect("link");
        }
        symlink(top.join("secret.txt"), www.join("absolute.txt")).expect("link");
        (dir, www)
    });
    www
}

fn check_inside(root: &Path, path: &Path, hidden: bool) {
    assert!(
        path.starts_with(root),
        "{} outside {}",
        path.display(),
        root.display()
    );
    assert_eq!(
        path.canonicalize().ok().as_deref(),
        Some(path),
        "not a real path"
    );
    if !hidden {
        let below = path.strip_prefix(root).expect("inside");
        assert!(
            !below
                .components()
                .any(|c| c.as_os_str().as_encoded_bytes().starts_with(b".")),
            "{} is hidden",
            path.display()
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let root = root();
    for mode in 0..8u8 {
        let mut site = Site::new(root.to_path_buf());
        site.tree = mode & 1 != 0;
        site.listing = mode & 2 != 0;
        site.hidden = mode & 4 != 0;
        match resolve::find(&site, data) {
            Ok(Found::File(path)) => {
                check_inside(root, &path, site.hidden);
                assert_ne!(fs::read_to_string(&path).ok().as_deref(), Some(CANARY));
            }
            Ok(Found::Listing { dir, .. }) => check_inside(root, &dir, site.hidden),
            Ok(Found::Redirect(_)) | Err(_) => {}
        }
    }
});
