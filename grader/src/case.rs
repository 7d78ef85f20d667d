//! A golden case: its file format (spec/README.md), how it is found and checked
//! for mistakes, and the setup it makes before its server starts.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::exchange::Schedule;
use crate::files;
use crate::root::{Root, CANARY};
use crate::rubric::{Item, RUBRIC};

/// The profile whose cases are the assignment itself, and the only one scored.
pub const CORE: &str = "core";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// The generator that wrote this case (`tools/gen_core_spec.py`): it is the
    /// authority on its bytes, so blessing refuses to overwrite them.
    pub generated: Option<String>,
    pub description: String,
    pub rubric: Option<String>,
    /// The sentence of NOTES.md the case checks (required in core/).
    pub checks: Option<String>,
    /// One of the assignment's own examples: a defect here costs its item
    /// all of its points (spec/README.md, "Scoring").
    #[serde(default)]
    pub example: bool,
    /// The path rule the golden answer shows, when only one of them gives it.
    pub rule: Option<Rule>,
    /// Other answers the assignment allows, each with its reason.
    #[serde(default)]
    pub accept: Vec<Accept>,
    pub expect: Expect,
    pub status: Option<String>,
    #[serde(default)]
    pub args: Vec<String>,
    pub pieces: Option<usize>,
    pub split: Option<Vec<usize>>,
    pub pause_ms: Option<u64>,
    pub wait_ms: Option<u64>,
    /// What the harness makes in the temp dir before the server starts: things
    /// git cannot carry in `fixtures/` (see [`Case::prepare`]).
    #[serde(default)]
    pub setup: Vec<String>,
    /// Asks for a file drawn from the run's seed (`{seeded}` in the request):
    /// its right answer is built at run time ([`crate::seeded`]).
    pub seeded: Option<crate::seeded::Kind>,
}

/// The two readings of the rubric's "File path stripped off, or sandboxed
/// properly" that a server may follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    /// Only the last `/`-separated part names the file (the assignment's way).
    Stripped,
    /// Subdirectories of the root are served, nothing outside it.
    Sandboxed,
}

impl Rule {
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Stripped => "paths stripped to the file name",
            Rule::Sandboxed => "paths sandboxed under the root",
        }
    }
}

/// An answer a case allows besides its golden one (`[[accept]]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accept {
    /// Exactly the bytes of `NAME.ANSWER.response` (conformantly, for
    /// another server).
    pub answer: Option<String>,
    /// Or any response with this status, with a right head and
    /// Content-Length (a directory listing: its page is the server's own).
    pub status: Option<String>,
    /// With `status`: the media type it must have.
    pub content_type: Option<String>,
    /// The path rule this answer shows.
    pub rule: Option<Rule>,
    /// Why the assignment allows it, for the report.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// The response is the golden `.response` file (byte for byte, or
    /// conformant to it when grading another server); then close.
    Exact,
    /// A response whose status code matches `status` ("404", "4xx"); then close.
    Status,
    /// The server closes (or resets) without sending a byte.
    Closed,
    /// For `wait_ms`, no byte comes back and the connection stays open.
    Waits,
}

/// A case, checked and ready to run.
#[derive(Debug, Clone)]
pub struct Case {
    /// `PROFILE/NAME`, the test's name.
    pub name: String,
    pub file: CaseFile,
    pub request: Vec<u8>,
    pub golden: PathBuf,
    pub schedule: Schedule,
}

impl Case {
    /// The folder the case lives in: `core`, `extensions`, ...
    pub fn profile(&self) -> &str {
        profile_of(&self.name)
    }

    /// The rubric item a wrong outcome costs (core cases only).
    pub fn item(&self) -> Option<Item> {
        match self.profile() {
            CORE => self.file.rubric.as_deref().and_then(Item::from_key),
            _ => None,
        }
    }

    /// Whether the case may run on a server that served other cases before:
    /// it changes nothing in the served tree and passes the server nothing
    /// of its own.
    pub fn shares_a_server(&self) -> bool {
        self.file.setup.is_empty() && self.file.args.is_empty()
    }

    /// Why the case cannot grade a server other than the bundled one, if so:
    /// server flags are our binary's CLI, which no submission shares.
    pub fn bundled_only(&self) -> Option<String> {
        (!self.file.args.is_empty()).then(|| {
            format!(
                "needs the bundled server's flags {:?}; not graded",
                self.file.args
            )
        })
    }

    /// Runs the case's `setup` steps in the temp dir that holds `www/` and the
    /// canary. Each step is `VERB PATH [TARGET]`, PATH relative to that dir,
    /// never climbing:
    /// - `symlink PATH TARGET`: a symbolic link at PATH pointing to TARGET, verbatim;
    /// - `fifo PATH`: a named pipe (opening it for reading would block);
    /// - `canary PATH`: a file holding the canary text, e.g. in a sibling `www2/`.
    pub fn prepare(&self, root: &Root) -> Result<(), String> {
        for step in &self.file.setup {
            let words: Vec<&str> = step.split(' ').collect();
            let path = match words.get(1) {
                Some(path)
                    if Path::new(path)
                        .components()
                        .all(|c| matches!(c, std::path::Component::Normal(_))) =>
                {
                    root.outside().join(path)
                }
                _ => return Err(format!("{step:?}: PATH must be relative and never climb")),
            };
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| format!("{step:?}: {e}"))?;
            }
            let made = match (words[0], &words[2..]) {
                ("symlink", [target]) => std::os::unix::fs::symlink(target, &path),
                ("fifo", []) => {
                    let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
                        .map_err(|e| format!("{step:?}: {e}"))?;
                    // SAFETY: mkfifo reads the NUL-terminated path we own.
                    match unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) } {
                        0 => Ok(()),
                        _ => Err(std::io::Error::last_os_error()),
                    }
                }
                ("canary", []) => fs::write(&path, CANARY),
                _ => {
                    return Err(format!(
                        "{step:?}: not symlink|fifo|canary with its arguments"
                    ))
                }
            };
            made.map_err(|e| format!("{step:?}: {e}"))?;
        }
        Ok(())
    }

    /// The bytes of an `[[accept]] answer = LABEL`.
    pub fn answer_path(&self, label: &str) -> PathBuf {
        self.golden.with_extension(format!("{label}.response"))
    }

    /// How long to read after the last byte is sent.
    pub fn patience(&self, reply_timeout: Duration) -> Duration {
        match self.file.expect {
            Expect::Waits => Duration::from_millis(self.file.wait_ms.unwrap_or(300)),
            _ => reply_timeout,
        }
    }
}

pub fn profile_of(name: &str) -> &str {
    name.split('/').next().unwrap_or(name)
}

/// One case file found: its name, and the case or why it is broken.
pub type Found = (String, Result<Case, String>);

/// Every case under `spec`, sorted by name: `(name, the case or why it is
/// broken)`. A broken case file becomes its own failure, never a silent skip;
/// a spec folder that cannot be read at all is an error.
pub fn discover(spec: &Path) -> Result<Vec<Found>, String> {
    let cases = files::walk(spec)?
        .into_iter()
        .filter(|entry| !entry.is_dir && entry.path.extension().is_some_and(|ext| ext == "toml"))
        .map(|entry| {
            let name = entry
                .relative
                .with_extension("")
                .to_string_lossy()
                .into_owned();
            let case = load(&name, &entry.path);
            (name, case)
        })
        .collect();
    Ok(cases)
}

pub fn load(name: &str, path: &Path) -> Result<Case, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: CaseFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let request_path = path.with_extension("request");
    let request =
        fs::read(&request_path).map_err(|e| format!("{}: {e}", request_path.display()))?;
    match &file.rubric {
        Some(key) if Item::from_key(key).is_none() => {
            let keys: Vec<_> = RUBRIC.iter().map(|item| item.key()).collect();
            return Err(format!("{name}: rubric = {key:?} is none of {keys:?}"));
        }
        None if profile_of(name) == CORE => {
            return Err(format!(
                "{name}: a core case names the rubric item it checks"
            ))
        }
        _ => {}
    }
    if profile_of(name) == CORE && file.checks.is_none() {
        return Err(format!(
            "{name}: a core case names the sentence of NOTES.md it checks (`checks`)"
        ));
    }
    if !file.accept.is_empty() && file.expect != Expect::Exact {
        return Err(format!(
            "{name}: `[[accept]]` goes with expect = \"exact\" only"
        ));
    }
    for accept in &file.accept {
        if accept.answer.is_some() == accept.status.is_some() {
            return Err(format!(
                "{name}: each `[[accept]]` has `answer` or `status`, not both"
            ));
        }
        if let Some(label) = &accept.answer {
            let bytes = path.with_extension(format!("{label}.response"));
            if !bytes.is_file() {
                return Err(format!(
                    "{name}: answer {label:?} has no {}",
                    bytes.display()
                ));
            }
        }
    }
    // The core profile is the assignment's default mode, byte for byte: a flag
    // or a planted file there would test something else under its name (and
    // could not grade another server).
    if profile_of(name) == CORE && !(file.args.is_empty() && file.setup.is_empty()) {
        return Err(format!(
            "{name}: a core case runs the default mode: no `args`, no `setup`"
        ));
    }
    if (file.expect == Expect::Status) != file.status.is_some() {
        return Err(format!(
            "{name}: `status` goes with expect = \"status\", and only there"
        ));
    }
    if file.wait_ms.is_some() && file.expect != Expect::Waits {
        return Err(format!(
            "{name}: `wait_ms` goes with expect = \"waits\" only"
        ));
    }
    let schedule = match (file.pieces, &file.split) {
        (None, None) => Schedule::All,
        (Some(size), None) => Schedule::Pieces {
            size,
            pause: Duration::from_millis(file.pause_ms.unwrap_or(1)),
        },
        (None, Some(at)) => Schedule::Split {
            at: at.clone(),
            pause: Duration::from_millis(file.pause_ms.unwrap_or(100)),
        },
        (Some(_), Some(_)) => return Err(format!("{name}: `pieces` or `split`, not both")),
    };
    Ok(Case {
        name: name.to_string(),
        golden: path.with_extension("response"),
        file,
        request,
        schedule,
    })
}
