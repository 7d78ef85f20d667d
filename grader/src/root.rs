//! The served directory of one case: a fresh temp dir holding `www/` (the
//! fixtures) and, one level above the served directory, `secret.txt`, a canary
//! that no response may ever contain. Removed when dropped.

use std::fs;
use std::path::{Path, PathBuf};

use crate::files;

/// The contents of `secret.txt`, which sits beside (not inside) the served dir.
pub const CANARY: &str = "CANARY 7d3f: this file lies outside the served root\n";

pub struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    /// A new temp dir with the canary and a copy of `fixtures` as `www/`.
    pub fn seeded(fixtures: &Path) -> Result<Root, String> {
        Root::seeded_in(fixtures, None)
    }

    /// The same, with the fixtures in `www/DOCROOT/` for a server that serves
    /// a subdirectory of the directory it runs in (the canary stays one level
    /// above `www/`, outside both).
    pub fn seeded_in(fixtures: &Path, docroot: Option<&str>) -> Result<Root, String> {
        if let Some(docroot) = docroot {
            let plain = Path::new(docroot)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !plain {
                return Err(format!(
                    "the docroot {docroot:?} must be a relative path that never climbs"
                ));
            }
        }
        let dir = tempfile::Builder::new()
            .prefix("webserver-test-")
            .tempdir()
            .map_err(|e| format!("cannot create a temp dir: {e}"))?;
        fs::write(dir.path().join("secret.txt"), CANARY)
            .map_err(|e| format!("cannot write the canary: {e}"))?;
        let www = dir.path().join("www");
        files::copy_tree(fixtures, &www.join(docroot.unwrap_or("")))?;
        Ok(Root { dir })
    }

    /// The served directory: the server's working directory.
    pub fn www(&self) -> PathBuf {
        self.dir.path().join("www")
    }

    /// The directory that holds `www/` and the canary.
    pub fn outside(&self) -> &Path {
        self.dir.path()
    }
}
