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
        let dir = tempfile::Builder::new()
            .prefix("webserver-test-")
            .tempdir()
            .map_err(|e| format!("cannot create a temp dir: {e}"))?;
        fs::write(dir.path().join("secret.txt"), CANARY)
            .map_err(|e| format!("cannot write the canary: {e}"))?;
        files::copy_tree(fixtures, &dir.path().join("www"))?;
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
