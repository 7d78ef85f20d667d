//! How to run a submission folder, the same for `grade one DIR`, `grade
//! class` and the Gradescope autograder: its `grade.toml` when it has one,
//! otherwise its one `*.py` file.
//!
//! ```toml
//! cmd = "python3 {dir}/server.py {port}"   # {dir}: the folder's absolute path
//! port = 33490                             # a server that always uses one port
//! docroot = "static"                       # the subdirectory it serves
//! build = "make"                           # run once, contained, before grading
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::launch::Submission;

/// The file a submission folder may hold to say how it runs.
pub const GRADE_TOML: &str = "grade.toml";

/// The placeholder for the submission folder's absolute path.
pub const DIR: &str = "{dir}";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GradeToml {
    cmd: Option<String>,
    port: Option<u16>,
    docroot: Option<String>,
    build: Option<String>,
}

/// A submission folder, ready to grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// Its absolute path.
    pub dir: PathBuf,
    /// The command template, `{dir}` not yet replaced (a build may move it).
    pub cmd: String,
    pub port: Option<u16>,
    pub docroot: Option<String>,
    pub build: Option<String>,
}

impl Folder {
    /// How `dir` runs, or why it cannot be told.
    pub fn read(dir: &Path) -> Result<Folder, String> {
        let dir = dir
            .canonicalize()
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let toml_path = dir.join(GRADE_TOML);
        let settings = match fs::read_to_string(&toml_path) {
            Ok(text) => toml::from_str::<GradeToml>(&text)
                .map_err(|e| format!("{}: {}", toml_path.display(), e.message()))?,
            Err(_) => GradeToml::default(),
        };
        let cmd = match settings.cmd {
            Some(cmd) => cmd,
            None => one_python_file(&dir)?,
        };
        Ok(Folder {
            dir,
            cmd,
            port: settings.port,
            docroot: settings.docroot,
            build: settings.build,
        })
    }

    /// The server to grade, its code in `code_dir` (the folder itself, or
    /// where its build step left it).
    pub fn submission(&self, code_dir: &Path) -> Submission {
        let dir = shell_quoted(&code_dir.to_string_lossy());
        Submission {
            port: self.port,
            docroot: self.docroot.clone(),
            ..Submission::new(self.cmd.replace(DIR, &dir))
        }
    }
}

/// `python3 {dir}/FILE {port}` for a folder holding exactly one `*.py` file.
fn one_python_file(dir: &Path) -> Result<String, String> {
    let python: Vec<String> = fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "py"))
        .filter_map(|path| path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    match python.as_slice() {
        [one] => Ok(format!("python3 {DIR}/{} {{port}}", shell_quoted(one))),
        [] => Err(format!(
            "don't know how to start this submission: add {GRADE_TOML} (no *.py file in {})",
            dir.display()
        )),
        many => Err(format!(
            "don't know how to start this submission: add {GRADE_TOML} ({} *.py files in {})",
            many.len(),
            dir.display()
        )),
    }
}

/// A word the shell reads back as itself: plain when it is plain, else
/// single-quoted.
fn shell_quoted(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temp dir");
        for (name, text) in files {
            fs::write(dir.path().join(name), text).expect("a file");
        }
        dir
    }

    #[test]
    fn one_python_file_runs_with_python3_on_the_port() {
        let dir = folder_with(&[("webserver.py", ""), ("notes.txt", "")]);
        let folder = Folder::read(dir.path()).expect("readable");
        let code = folder.dir.clone();
        assert_eq!(
            folder.submission(&code).cmd,
            format!("python3 {}/webserver.py {{port}}", code.display())
        );
    }

    #[test]
    fn grade_toml_says_the_command_port_docroot_and_build() {
        let dir = folder_with(&[(
            "grade.toml",
            "cmd = \"python3 {dir}/srv.py\"\nport = 33490\ndocroot = \"static\"\nbuild = \"true\"\n",
        )]);
        let folder = Folder::read(dir.path()).expect("readable");
        let submission = folder.submission(Path::new("/x y"));
        assert_eq!(submission.cmd, "python3 '/x y'/srv.py");
        assert_eq!(submission.port, Some(33490));
        assert_eq!(submission.docroot.as_deref(), Some("static"));
        assert_eq!(folder.build.as_deref(), Some("true"));
    }

    #[test]
    fn anything_else_asks_for_grade_toml() {
        for files in [&[][..], &[("a.py", ""), ("b.py", "")][..]] {
            let dir = folder_with(files);
            let problem = Folder::read(dir.path()).expect_err("no way to start it");
            assert!(
                problem.starts_with("don't know how to start this submission: add grade.toml"),
                "{problem}"
            );
        }
    }

    #[test]
    fn a_grade_toml_with_an_unknown_key_is_refused() {
        let dir = folder_with(&[("grade.toml", "command = \"x\"\n")]);
        let problem = Folder::read(dir.path()).expect_err("unknown key");
        assert!(problem.contains("command"), "{problem}");
    }
}
