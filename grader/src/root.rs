//! The served directory of one case: a fresh temp dir holding `www/` (the
//! fixtures) and, one level above the served directory, `secret.txt`, a canary
//! that no response may ever contain, and no submission may change: when a
//! watched root is dropped, a changed canary is counted. Removed when dropped.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::files;

/// The contents of `secret.txt`, which sits beside (not inside) the served dir.
pub const CANARY: &str = "CANARY 7d3f: this file lies outside the served root\n";

pub struct Root {
    dir: tempfile::TempDir,
    /// Counts this root when its canary changed, checked as it is dropped.
    watch: Option<Arc<AtomicUsize>>,
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
        Ok(Root { dir, watch: None })
    }

    /// The same root, counted in `changed` if its canary is not as written
    /// once the root is dropped (after its server stopped).
    pub fn watched(mut self, changed: &Arc<AtomicUsize>) -> Root {
        self.watch = Some(Arc::clone(changed));
        self
    }

    /// Whether `secret.txt` still holds the canary, and nothing else.
    pub fn canary_intact(&self) -> bool {
        fs::read(self.dir.path().join("secret.txt")).is_ok_and(|bytes| bytes == CANARY.as_bytes())
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

impl Drop for Root {
    fn drop(&mut self) {
        if let Some(changed) = &self.watch {
            if !self.canary_intact() {
                changed.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
    }

    #[test]
    fn a_watched_root_counts_a_changed_canary_once_dropped() -> Result<(), String> {
        let changed = Arc::new(AtomicUsize::new(0));
        let kept = Root::seeded(&fixtures())?.watched(&changed);
        assert!(kept.canary_intact());
        drop(kept);
        assert_eq!(changed.load(Ordering::SeqCst), 0, "an untouched canary");

        let written = Root::seeded(&fixtures())?.watched(&changed);
        fs::write(written.outside().join("secret.txt"), "overwritten\n")
            .map_err(|e| e.to_string())?;
        assert!(!written.canary_intact());
        drop(written);
        assert_eq!(changed.load(Ordering::SeqCst), 1, "a changed canary");

        let removed = Root::seeded(&fixtures())?.watched(&changed);
        fs::remove_file(removed.outside().join("secret.txt")).map_err(|e| e.to_string())?;
        drop(removed);
        assert_eq!(changed.load(Ordering::SeqCst), 2, "a removed canary");
        Ok(())
    }
}
