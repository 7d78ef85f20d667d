//! One case against one server: start it in a fresh root, send the request on
//! the case's schedule, judge the reply ([`compare`]), stop it. Bounded: every
//! step has a timeout, and a [`Run`] has a total budget after which the cases
//! left fail at once instead of waiting on a server that hangs.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::case::{Case, Expect};
use super::compare::{self, conformant_answer, Finding, Mode, OUTCOME};
use super::{diff, exchange_on, visible, End, Root, Server, FIXTURES, REPLY_TIMEOUT};

/// The environment variable that names the server to grade.
pub const CMD_VAR: &str = "WEBSERVER_CMD";

/// Set to `1` to rewrite every `expect = "exact"` golden file from the bundled server.
pub const BLESS_VAR: &str = "SPEC_BLESS";

/// After this many failed starts with none that worked, the server is taken
/// to be broken and the remaining cases fail without starting it again.
const GIVE_UP_AFTER: usize = 3;

/// The server under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// This crate's `webserver`, held to the golden bytes exactly.
    Bundled,
    /// A command with `{port}` in it: graded conformantly.
    Command(String),
}

impl Target {
    /// `WEBSERVER_CMD` if set and not blank, else the bundled binary.
    pub fn from_env() -> Target {
        match std::env::var(CMD_VAR) {
            Ok(cmd) if !cmd.trim().is_empty() => Target::Command(cmd),
            _ => Target::Bundled,
        }
    }

    pub fn mode(&self) -> Mode {
        match self {
            Target::Bundled => Mode::Exact,
            Target::Command(_) => Mode::Conformant,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Target::Bundled => "the bundled webserver (exact bytes)".to_string(),
            Target::Command(cmd) => format!("{cmd} (conformant comparison)"),
        }
    }
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub name: String,
    /// The request's first line, for a reader to see what was asked.
    pub asked: String,
    pub findings: Vec<Finding>,
    /// Expected against actual, `\r` and `\n` visible (empty when equal).
    pub diff: String,
    /// Everything a reader needs: description, item, conformant answer,
    /// findings, diff, request, the server's output.
    pub report: String,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }
}

/// The state shared by the cases of one run.
pub struct Run {
    pub target: Target,
    mode: Mode,
    fixtures: Vec<(String, Vec<u8>)>,
    deadline: Instant,
    budget: Duration,
    failed_starts: AtomicUsize,
    good_starts: AtomicUsize,
}

impl Run {
    pub fn new(target: Target, budget: Duration) -> Run {
        let mut fixtures = Vec::new();
        read_tree(Path::new(FIXTURES), "", &mut fixtures);
        Run {
            mode: target.mode(),
            target,
            fixtures,
            deadline: Instant::now() + budget,
            budget,
            failed_starts: AtomicUsize::new(0),
            good_starts: AtomicUsize::new(0),
        }
    }

    /// Holds the target to the golden bytes, whoever it is.
    pub fn exact(mut self) -> Run {
        self.mode = Mode::Exact;
        self
    }

    pub fn case(&self, case: &Case) -> Verdict {
        let outcome = case.item().map(|item| item.key).unwrap_or(OUTCOME);
        let asked = first_line(&case.request);
        let cannot_run = |what: &str, detail: String| Verdict {
            name: case.name.clone(),
            asked: asked.clone(),
            findings: vec![Finding {
                item: outcome,
                what: what.to_string(),
                detail: detail.lines().next().unwrap_or_default().to_string(),
            }],
            diff: String::new(),
            report: format!("{}\n{detail}", heading(case)),
        };
        if Instant::now() >= self.deadline {
            return cannot_run(
                "not run: the run's time budget was spent",
                format!(
                    "the whole run may take {:?}; a server that hangs used it up",
                    self.budget
                ),
            );
        }
        if self.failed_starts.load(Ordering::SeqCst) >= GIVE_UP_AFTER
            && self.good_starts.load(Ordering::SeqCst) == 0
        {
            return cannot_run(
                "not run: the server never started",
                format!(
                    "the server failed to start in {GIVE_UP_AFTER} cases; it is not started again"
                ),
            );
        }
        let root = Root::seeded();
        if let Err(problem) = case.prepare(&root) {
            return cannot_run("the case's setup failed", format!("setup: {problem}"));
        }
        let started = match &self.target {
            Target::Bundled => Server::start(&root, &case.file.args),
            Target::Command(cmd) => Server::command(cmd, &root.www()),
        };
        let (mut server, stream) = match started.and_then(|mut s| s.connect().map(|c| (s, c))) {
            Ok(pair) => {
                self.good_starts.fetch_add(1, Ordering::SeqCst);
                pair
            }
            Err(problem) => {
                self.failed_starts.fetch_add(1, Ordering::SeqCst);
                return cannot_run("the server did not start", problem);
            }
        };
        let left = self.deadline.saturating_duration_since(Instant::now());
        let patience = case
            .patience(REPLY_TIMEOUT)
            .min(left.max(Duration::from_secs(1)));
        let reply = match exchange_on(stream, &case.request, &case.schedule, patience) {
            Ok(reply) => reply,
            Err(e) => {
                return cannot_run("the connection failed", format!("{e}\n{}", server.report()))
            }
        };
        if reply.bytes.is_empty() && reply.end != End::Open && case.file.expect != Expect::Closed {
            // Closed without a word where one is due: most likely a crash
            // whose traceback is still on its way; let it arrive for the report.
            server.settle(Duration::from_secs(2));
        }
        let golden = match self.golden(case, &reply.bytes) {
            Ok(golden) => golden,
            Err(problem) => return cannot_run("the case's golden file is missing", problem),
        };
        let findings = compare::judge(case, self.mode, golden.as_deref(), &reply, &self.fixtures);
        let diff = golden
            .as_deref()
            .and_then(|golden| diff(golden, &reply.bytes))
            .unwrap_or_default();
        let report = if findings.is_empty() {
            String::new()
        } else {
            let exited = match server.exit_status() {
                Some(status) => format!("the server has exited: {status}\n"),
                None => String::new(),
            };
            let mut text = heading(case);
            text += &format!(
                "a right answer: {}\n",
                self.expectation(case, golden.as_deref())
            );
            text += "defects:\n";
            for f in &findings {
                text += &format!("  [{}] {}: {}\n", f.item, f.what, f.detail);
            }
            if !diff.is_empty() {
                text += &format!("expected vs actual:\n{diff}\n");
            } else if golden.is_none() && !reply.bytes.is_empty() {
                text += &format!("the reply:\n{}\n", visible(&reply.bytes));
            }
            text += &format!(
                "request ({} bytes, {:?}):\n{}\n{exited}{}",
                case.request.len(),
                case.schedule,
                visible(&case.request),
                server.report()
            );
            text
        };
        Verdict {
            name: case.name.clone(),
            asked,
            findings,
            diff,
            report,
        }
    }

    /// The golden response of an exact case; with `SPEC_BLESS=1` and the
    /// bundled server, first rewritten from `reply`.
    fn golden(&self, case: &Case, reply: &[u8]) -> Result<Option<Vec<u8>>, String> {
        if case.file.expect != Expect::Exact {
            return Ok(None);
        }
        if self.target == Target::Bundled && std::env::var_os(BLESS_VAR).is_some_and(|v| v == "1") {
            fs::write(&case.golden, reply)
                .map_err(|e| format!("cannot bless {}: {e}", case.golden.display()))?;
        }
        fs::read(&case.golden)
            .map(Some)
            .map_err(|e| format!("{}: {e} (bless with {BLESS_VAR}=1)", case.golden.display()))
    }

    /// What a passing reply is, in words.
    fn expectation(&self, case: &Case, golden: Option<&[u8]>) -> String {
        let patience = case.patience(REPLY_TIMEOUT);
        match (case.file.expect, golden) {
            (Expect::Exact, Some(golden)) => match self.mode {
                Mode::Exact => format!("byte for byte {}, then close", case.golden.display()),
                Mode::Conformant => conformant_answer(golden),
            },
            (Expect::Status, _) => format!(
                "a response with status {}, then close",
                case.file.status.as_deref().unwrap_or("?")
            ),
            (Expect::Closed, _) => "a close without a byte".to_string(),
            (Expect::Waits, _) => format!("nothing, with the connection open, for {patience:?}"),
            (Expect::Exact, None) => "(no golden file)".to_string(),
        }
    }
}

/// The first line of a request, made readable.
fn first_line(request: &[u8]) -> String {
    let line = request.split(|&b| b == b'\n').next().unwrap_or_default();
    visible(line.strip_suffix(b"\r").unwrap_or(line))
}

fn heading(case: &Case) -> String {
    let item = match case.item() {
        Some(item) => format!(
            "rubric item: {} ({} points: {})",
            item.key, item.points, item.title
        ),
        None => format!("outside the rubric: the {} group", case.profile()),
    };
    format!("{}: {}\n{item}\n", case.name, case.file.description)
}

/// Every file under `dir` with its bytes, named by its path inside `fixtures/`.
fn read_tree(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        if path.is_dir() {
            read_tree(&path, &format!("{name}/"), out);
        } else if let Ok(bytes) = fs::read(&path) {
            out.push((name, bytes));
        }
    }
}
