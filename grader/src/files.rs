//! The one walker of the fixture and spec folders (and the one reader of the
//! paths a command line names). Its error policy: a folder
//! or entry that cannot be read is an error naming it, never a silent skip, so
//! a case file or fixture the grader cannot see fails loudly instead of going
//! ungraded. Symbolic links are reported as files and never followed (git can
//! carry one in `fixtures/`; a link to a directory must not loop the walk).

use std::fs;
use std::path::{Path, PathBuf};

/// What the walk found at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Relative to the walked folder, with `/` separators.
    pub relative: PathBuf,
    pub path: PathBuf,
    pub is_dir: bool,
}

/// Every entry under `dir`, depth first, sorted by path; a folder comes
/// before what it holds.
pub fn walk(dir: &Path) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    walk_into(dir, Path::new(""), &mut out)?;
    out.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(out)
}

fn walk_into(dir: &Path, relative: &Path, out: &mut Vec<Entry>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read an entry of {}: {e}", dir.display()))?;
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot stat {}: {e}", entry.path().display()))?;
        let found = Entry {
            relative: relative.join(entry.file_name()),
            path: entry.path(),
            is_dir: kind.is_dir(),
        };
        if found.is_dir {
            walk_into(&found.path, &found.relative, out)?;
        }
        out.push(found);
    }
    Ok(())
}

/// Every file under `dir` with its bytes, named by its relative path.
pub fn read_all(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    walk(dir)?
        .into_iter()
        .filter(|entry| !entry.is_dir)
        .map(|entry| {
            let bytes = fs::read(&entry.path)
                .map_err(|e| format!("cannot read {}: {e}", entry.path.display()))?;
            Ok((entry.relative.to_string_lossy().into_owned(), bytes))
        })
        .collect()
}

/// Copies the tree `from` into `to` (created): folders, files and links as links.
pub fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in walk(from)? {
        let target = to.join(&entry.relative);
        let copied = if entry.is_dir {
            fs::create_dir_all(&target)
        } else if let Ok(link) = fs::read_link(&entry.path) {
            std::os::unix::fs::symlink(link, &target)
        } else {
            fs::copy(&entry.path, &target).map(drop)
        };
        copied.map_err(|e| format!("cannot copy {}: {e}", entry.path.display()))?;
    }
    Ok(())
}

/// The existing absolute paths a command line names (quotes trimmed): a
/// submission's own files, to bind into its sandbox and to seed its run.
pub fn named_in(line: &str) -> Vec<PathBuf> {
    line.split_whitespace()
        .map(|word| PathBuf::from(word.trim_matches(|c| c == '\'' || c == '"')))
        .filter(|path| path.is_absolute() && path.exists())
        .collect()
}
