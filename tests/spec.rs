//! The golden suite: one test per case file under `spec/` (format: spec/README.md).
//!
//! `harness = false` with libtest-mimic rather than rstest's `#[files]`: cases are
//! discovered when the suite runs, so adding a case is adding files, with no
//! rebuild and no `build.rs`; and the runner still speaks libtest (filters such as
//! `cargo test --test spec -- core/`, `--list`, `--exact`, ignored counts).

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use libtest_mimic::{Arguments, Failed, Trial};
use serde::Deserialize;
use support::{diff, exchange, visible, End, Reply, Root, Schedule, Server, CANARY, REPLY_TIMEOUT};

/// Set to `1` to rewrite every `expect = "exact"` golden file from the server.
const BLESS_VAR: &str = "SPEC_BLESS";

/// The guide's rubric items (NOTES.md), as `rubric = "..."` names them.
const RUBRIC: &[&str] = &[
    "filename",
    "sandbox",
    "read",
    "content-type",
    "content-length",
    "header",
    "payload",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    description: String,
    rubric: Option<String>,
    expect: Expect,
    status: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    pieces: Option<usize>,
    split: Option<Vec<usize>>,
    pause_ms: Option<u64>,
    wait_ms: Option<u64>,
    /// What the harness makes in the temp dir before the server starts: things
    /// git cannot carry in `fixtures/` (see `prepare`).
    #[serde(default)]
    setup: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Expect {
    /// The response, byte for byte, is the golden `.response` file; then close.
    Exact,
    /// A response whose status code matches `status` ("404", "4xx"); then close.
    Status,
    /// The server closes (or resets) without sending a byte.
    Closed,
    /// For `wait_ms`, no byte comes back and the connection stays open.
    Waits,
}

/// A case, checked and ready to run.
#[derive(Debug)]
struct Case {
    name: String,
    file: CaseFile,
    request: Vec<u8>,
    golden: PathBuf,
    schedule: Schedule,
}

fn main() {
    let args = Arguments::from_args();
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let mut paths = Vec::new();
    collect(&spec, &mut paths);
    paths.sort();
    let trials = paths
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&spec)
                .unwrap_or(&path)
                .with_extension("")
                .to_string_lossy()
                .into_owned();
            match load(&name, &path) {
                Ok(case) => Trial::test(name, move || run(&case)),
                // A broken case file fails as its own test, not the whole suite.
                Err(problem) => Trial::test(name, move || Err(problem.into())),
            }
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            out.push(path);
        }
    }
}

fn load(name: &str, path: &Path) -> Result<Case, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: CaseFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let request_path = path.with_extension("request");
    let request =
        fs::read(&request_path).map_err(|e| format!("{}: {e}", request_path.display()))?;
    match &file.rubric {
        Some(item) if !RUBRIC.contains(&item.as_str()) => {
            return Err(format!("{name}: rubric = {item:?} is none of {RUBRIC:?}"))
        }
        None if name.starts_with("core/") => {
            return Err(format!(
                "{name}: a core case names the rubric item it checks"
            ))
        }
        _ => {}
    }
    // The core profile is the assignment's default mode, byte for byte: a flag
    // or a planted file there would test something else under its name.
    if name.starts_with("core/") && !(file.args.is_empty() && file.setup.is_empty()) {
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

fn run(case: &Case) -> Result<(), Failed> {
    let root = Root::seeded();
    prepare(&root, &case.file.setup).map_err(|e| format!("{}: setup: {e}", case.name))?;
    let server = Server::start(&root, &case.file.args)?;
    let patience = match case.file.expect {
        Expect::Waits => Duration::from_millis(case.file.wait_ms.unwrap_or(300)),
        _ => REPLY_TIMEOUT,
    };
    let reply = exchange(server.addr, &case.request, &case.schedule, patience).map_err(|e| {
        format!(
            "{}: the connection failed: {e}\n{}",
            case.name,
            server.report()
        )
    })?;
    check(case, &reply).map_err(|problem| {
        format!(
            "{}: {}\n{problem}\nrequest ({} bytes, {:?}):\n{}\n{}",
            case.name,
            case.file.description,
            case.request.len(),
            case.schedule,
            visible(&case.request),
            server.report()
        )
        .into()
    })
}

/// Runs a case's `setup` steps in the temp dir that holds `www/` and the canary.
/// Each step is `VERB PATH [TARGET]`, PATH relative to that dir, never climbing:
/// - `symlink PATH TARGET`: a symbolic link at PATH pointing to TARGET, verbatim;
/// - `fifo PATH`: a named pipe (opening it for reading would block);
/// - `canary PATH`: a file holding the canary text, e.g. in a sibling `www2/`.
fn prepare(root: &Root, steps: &[String]) -> Result<(), String> {
    for step in steps {
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

fn check(case: &Case, reply: &Reply) -> Result<(), String> {
    if reply
        .bytes
        .windows(CANARY.len())
        .any(|w| w == CANARY.as_bytes())
    {
        return Err("THE RESPONSE CONTAINS THE CANARY FROM OUTSIDE THE ROOT".to_string());
    }
    let closed = matches!(reply.end, End::Closed | End::Reset);
    match case.file.expect {
        Expect::Exact => {
            if std::env::var_os(BLESS_VAR).is_some_and(|v| v == "1") {
                fs::write(&case.golden, &reply.bytes)
                    .map_err(|e| format!("cannot bless {}: {e}", case.golden.display()))?;
            }
            let golden = fs::read(&case.golden).map_err(|e| {
                format!("{}: {e} (bless with {BLESS_VAR}=1)", case.golden.display())
            })?;
            if let Some(report) = diff(&golden, &reply.bytes) {
                return Err(format!(
                    "the response differs from {}:\n{report}",
                    case.golden.display()
                ));
            }
            if !closed {
                return Err(format!(
                    "the server did not close the connection within {REPLY_TIMEOUT:?}"
                ));
            }
        }
        Expect::Status => {
            let wanted = case.file.status.as_deref().unwrap_or_default();
            let got = status_code(&reply.bytes).ok_or_else(|| {
                format!("no status line in the response:\n{}", visible(&reply.bytes))
            })?;
            let matches = wanted.len() == 3
                && wanted
                    .chars()
                    .zip(got.chars())
                    .all(|(w, g)| w == 'x' || w == g);
            if !matches {
                return Err(format!(
                    "status {got}, expected {wanted}:\n{}",
                    visible(&reply.bytes)
                ));
            }
            if !closed {
                return Err(format!(
                    "the server did not close the connection within {REPLY_TIMEOUT:?}"
                ));
            }
        }
        Expect::Closed => {
            if !reply.bytes.is_empty() || !closed {
                return Err(format!(
                    "expected a close with no response; got {:?} after:\n{}",
                    reply.end,
                    visible(&reply.bytes)
                ));
            }
        }
        Expect::Waits => {
            if !reply.bytes.is_empty() || reply.end != End::Open {
                return Err(format!(
                    "expected the server to keep waiting; the connection ended {:?} after:\n{}",
                    reply.end,
                    visible(&reply.bytes)
                ));
            }
        }
    }
    Ok(())
}

/// The three digits of `HTTP/x.y NNN ...`.
fn status_code(bytes: &[u8]) -> Option<String> {
    let line = bytes.split(|&b| b == b'\r' || b == b'\n').next()?;
    let code = line.strip_prefix(b"HTTP/")?.split(|&b| b == b' ').nth(1)?;
    (code.len() == 3 && code.iter().all(u8::is_ascii_digit))
        .then(|| String::from_utf8_lossy(code).into_owned())
}
