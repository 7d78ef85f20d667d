//! One case against one server: seed a fresh root, start the server, send the
//! request on the case's schedule, judge the reply ([`crate::compare`]), stop
//! the server. Bounded: every step has a timeout, and a [`Run`] has a total
//! budget after which the cases left fail at once instead of waiting on a
//! server that hangs.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::case::{Case, Expect, Rule};
use crate::compare::{self, conformant_answer, Defect, Finding, Mode};
use crate::exchange::{exchange_limited, End, Reply};
use crate::files;
use crate::launch::{self, Submission};
use crate::process::Server;
use crate::root::Root;
use crate::rubric::Item;
use crate::seeded::{self, Seed};
use crate::show::{diff, visible};
use crate::suite::{lock, Layout};

/// How long a response may take, request sent to close, before the case
/// times out. On loopback a right answer takes milliseconds, and the server's
/// start is not counted (the case's connection is made once it listens); a
/// case that times out is tried once more, on a fresh server, before it counts.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(2);

/// How far a reply may go past the longest right answer before it is cut.
pub const REPLY_MARGIN: usize = 64 << 10;

/// The most kept of a reply whose right answers have no fixed bytes (a
/// status, a listing): far above any of them.
pub const UNSIZED_REPLY_LIMIT: usize = 1 << 20;

/// After this many failed starts with none that worked (the preflight's
/// included), the server is taken to be broken and the remaining cases fail
/// without starting it again. Two: the preflight's and the first wave of
/// lanes', which start together; a third wave would cost another full
/// start timeout for nothing.
const GIVE_UP_AFTER: usize = 2;

/// After this many cases timed out without a byte, with nothing answered
/// before (the preflight's requests included), the server is taken to answer
/// nothing and the remaining cases are not run.
const GIVE_UP_SILENT_AFTER: usize = 4;

/// How long a server that closed without a word gets to finish printing (its
/// traceback, most likely) before the report is written.
const CRASH_SETTLE: Duration = Duration::from_secs(2);

/// The server under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Our own `webserver` binary, held to the golden bytes exactly.
    Bundled(PathBuf),
    /// A submission's command: graded conformantly.
    Command(Submission),
}

impl Target {
    pub fn mode(&self) -> Mode {
        match self {
            Target::Bundled(_) => Mode::Exact,
            Target::Command(_) => Mode::Conformant,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Target::Bundled(_) => "the bundled webserver (exact bytes)".to_string(),
            Target::Command(submission) => {
                format!("{} (conformant comparison)", submission.describe())
            }
        }
    }

    fn start(&self, root: &Root, case: &Case, protected: &[PathBuf]) -> Result<Server, String> {
        match self {
            Target::Bundled(binary) => launch::bundled(binary, &root.www(), &case.file.args),
            Target::Command(submission) => launch::command(submission, root, protected),
        }
    }

    /// The served subdirectory of the working directory, if any.
    pub fn docroot(&self) -> Option<&str> {
        match self {
            Target::Command(submission) => submission.docroot.as_deref(),
            Target::Bundled(_) => None,
        }
    }

    /// A server on one fixed port serves one case at a time, unless each
    /// runs contained, in a network namespace (and so on a port) of its own.
    pub fn one_port(&self) -> bool {
        let contained = matches!(
            crate::sandbox::containment(),
            crate::sandbox::Containment::Contained { .. }
        );
        !contained && matches!(self, Target::Command(Submission { port: Some(_), .. }))
    }
}

/// One case's result.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    pub name: String,
    /// The rubric item the case's outcome costs (`None` outside the rubric).
    pub item: Option<Item>,
    /// The request's first line, for a reader to see what was asked.
    pub asked: String,
    /// One of the assignment's own examples (a defect costs the whole item).
    pub example: bool,
    pub findings: Vec<Finding>,
    /// The path rule the (passing) answer shows, when only one gives it.
    pub rule: Option<Rule>,
    /// Why the answer passed, when it was not the golden one.
    pub accepted: Option<String>,
    /// Expected against actual, `\r` and `\n` visible (empty when equal).
    pub diff: String,
    /// Everything a reader needs: description, item, a right answer,
    /// findings, diff, request, the server's output.
    pub report: String,
    /// Processes the server left running on their own (killed with it).
    pub strays: usize,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }
}

/// One try of a case: its verdict, and whether it ran out of patience
/// (`silent`: without a byte).
pub(crate) struct Tried {
    pub verdict: Verdict,
    pub timed_out: bool,
    pub silent: bool,
}

/// A server shared by the cases that cannot disturb it, with the tree it
/// serves (dropped after it) and the connection that found it listening.
pub(crate) struct Shared {
    pub server: Server,
    _root: Root,
    waiting: Option<std::net::TcpStream>,
}

impl Shared {
    pub fn alive(&mut self) -> bool {
        self.server.exit_status().is_none()
    }
}

/// A reply judged against the answer it fits best.
struct Judged {
    findings: Vec<Finding>,
    rule: Option<Rule>,
    accepted: Option<String>,
    /// The bytes of that answer, for the diff.
    expected: Option<Vec<u8>>,
}

/// The state shared by the cases of one run.
pub struct Run {
    pub target: Target,
    mode: Mode,
    fixtures_dir: PathBuf,
    /// What the submission must never see ([`Layout::protected`]).
    protected: Vec<PathBuf>,
    /// Every fixture's bytes, to tell "another file" from a mangled body.
    fixtures: Vec<(String, Vec<u8>)>,
    deadline: Instant,
    budget: Duration,
    bless: bool,
    /// Held for the whole of each case when the server's port is fixed.
    one_at_a_time: Mutex<()>,
    failed_starts: AtomicUsize,
    good_starts: AtomicUsize,
    /// Cases that timed out without a byte, and whether any byte ever came.
    silent_timeouts: AtomicUsize,
    answered: AtomicBool,
    /// Case folders whose canary the submission changed.
    canary_changed: Arc<AtomicUsize>,
    /// Where the seeded cases' files come from.
    pub seed: Seed,
}

impl Run {
    pub fn new(target: Target, layout: &Layout, budget: Duration) -> Result<Run, String> {
        Ok(Run {
            mode: target.mode(),
            fixtures_dir: layout.fixtures.clone(),
            protected: layout.protected(),
            fixtures: files::read_all(&layout.fixtures)?,
            deadline: Instant::now() + budget,
            budget,
            bless: false,
            one_at_a_time: Mutex::new(()),
            failed_starts: AtomicUsize::new(0),
            good_starts: AtomicUsize::new(0),
            silent_timeouts: AtomicUsize::new(0),
            answered: AtomicBool::new(false),
            canary_changed: Arc::new(AtomicUsize::new(0)),
            seed: match &target {
                Target::Command(submission) => Seed::for_command(&submission.cmd)?,
                Target::Bundled(_) => Seed::for_command("")?,
            },
            target,
        })
    }

    /// Holds the target to the golden bytes, whoever it is.
    pub fn exact(mut self) -> Run {
        self.mode = Mode::Exact;
        self
    }

    /// Rewrites the golden response of each hand-written exact case from what
    /// the bundled server sends; a generated case's new bytes go beside it,
    /// for review ([`Run::golden`]).
    pub fn blessing(mut self) -> Run {
        self.bless = matches!(self.target, Target::Bundled(_));
        self
    }

    /// What the preflight saw: whether the server started, and whether it
    /// answered (a server that did is never taken for one that answers nothing).
    pub fn after_preflight(self, started: bool, answered: bool) -> Run {
        self.answered.store(answered, Ordering::SeqCst);
        let counter = if started {
            &self.good_starts
        } else {
            &self.failed_starts
        };
        counter.fetch_add(1, Ordering::SeqCst);
        self
    }

    /// The case on a server of its own; a case that timed out is tried once
    /// more, and the second verdict counts.
    pub fn case(&self, case: &Case) -> Verdict {
        match self.attempt(case) {
            Ok(tried) if tried.timed_out => self.once_more(case, tried),
            Ok(tried) => self.counted(tried),
            Err((defect, detail)) => self.not_run(case, defect, &detail),
        }
    }

    /// The last try of a case whose `first` try timed out, on a server of
    /// its own: its verdict counts, or the first one's when the budget left
    /// no time for another.
    pub(crate) fn once_more(&self, case: &Case, first: Tried) -> Verdict {
        match self.attempt(case) {
            Ok(tried) => self.counted(tried),
            Err((Defect::BudgetSpent, _)) => self.counted(first),
            Err((defect, detail)) => self.not_run(case, defect, &detail),
        }
    }

    /// A verdict that counts, noted for the rule on servers that answer nothing.
    pub(crate) fn counted(&self, tried: Tried) -> Verdict {
        if tried.timed_out && tried.silent {
            self.silent_timeouts.fetch_add(1, Ordering::SeqCst);
        }
        tried.verdict
    }

    /// The case from start to verdict, on a fresh server; `Err` when it
    /// could not be run.
    fn attempt(&self, case: &Case) -> Result<Tried, (Defect, String)> {
        self.may_start()?;
        let _turn = self.target.one_port().then(|| lock(&self.one_at_a_time));
        let root = self.fresh_root()?;
        case.prepare(&root)
            .map_err(|e| (Defect::SetupFailed, format!("setup: {e}")))?;
        if case.file.seeded.is_some() {
            self.plant(&root)?;
        }
        let (mut server, stream) = self.started(&root, case)?;
        let mut tried = self.exchange(case, stream, &mut server)?;
        tried.verdict.strays = server.stop();
        Ok(tried)
    }

    /// A fresh server for cases to share, started for `case` (which
    /// [`Case::shares_a_server`] allows), in a tree with the seeded files planted.
    pub(crate) fn shared_server(&self, case: &Case) -> Result<Shared, (Defect, String)> {
        self.may_start()?;
        let root = self.fresh_root()?;
        self.plant(&root)?;
        let (server, stream) = self.started(&root, case)?;
        Ok(Shared {
            server,
            _root: root,
            waiting: Some(stream),
        })
    }

    /// The case on a shared server, which is left running.
    pub(crate) fn on_shared(
        &self,
        case: &Case,
        shared: &mut Shared,
    ) -> Result<Tried, (Defect, String)> {
        self.may_start()?;
        let stream = match shared.waiting.take() {
            Some(stream) => stream,
            None => shared
                .server
                .connect()
                .map_err(|e| (Defect::ConnectionFailed, e))?,
        };
        self.exchange(case, stream, &mut shared.server)
    }

    /// Sends the case's request on `stream` and judges the reply.
    fn exchange(
        &self,
        case: &Case,
        stream: std::net::TcpStream,
        server: &mut Server,
    ) -> Result<Tried, (Defect, String)> {
        let request = self.request(case);
        let left = self.deadline.saturating_duration_since(Instant::now());
        let patience = case
            .patience(REPLY_TIMEOUT)
            .min(left.max(Duration::from_secs(1)));
        let limit = if self.bless {
            crate::exchange::READ_LIMIT
        } else {
            reply_limit(case)
        };
        let reply = exchange_limited(stream, &request, &case.schedule, patience, limit);
        let reply = reply.map_err(|e| {
            (
                Defect::ConnectionFailed,
                format!("{e}\n{}", server.report()),
            )
        })?;
        if !reply.bytes.is_empty() {
            self.answered.store(true, Ordering::SeqCst);
        }
        if reply.bytes.is_empty() && reply.end != End::Open && case.file.expect != Expect::Closed {
            // Closed without a word where one is due: most likely a crash
            // whose traceback is still on its way; let it arrive for the report.
            server.wait_exit(CRASH_SETTLE);
        }
        let golden = self.golden(case, &reply.bytes)?;
        let findings = compare::judge(case, self.mode, golden.as_deref(), &reply, &self.fixtures);
        let judged = match (findings.is_empty(), self.mode) {
            (false, Mode::Conformant) => self.alternatives(case, findings, golden, &reply),
            (_, _) => Judged {
                rule: case.file.rule,
                accepted: None,
                findings,
                expected: golden,
            },
        };
        let timed_out = reply.end == End::Open && case.file.expect != Expect::Waits;
        Ok(Tried {
            timed_out: timed_out && !judged.findings.is_empty(),
            silent: reply.bytes.is_empty(),
            verdict: self.verdict(case, judged, &reply, server),
        })
    }

    /// The case's other acceptable answers, tried when the golden one is not
    /// what came back: the first that fits passes the case. When none fits,
    /// the defects reported are those against the answer the reply meant
    /// (one with the reply's outcome, if any), fewest first.
    fn alternatives(
        &self,
        case: &Case,
        findings: Vec<Finding>,
        golden: Option<Vec<u8>>,
        reply: &Reply,
    ) -> Judged {
        let mut candidates = vec![Judged {
            rule: case.file.rule,
            accepted: None,
            findings,
            expected: golden,
        }];
        for accept in &case.file.accept {
            let (findings, expected) = match (&accept.answer, &accept.status) {
                (Some(label), _) => match fs::read(case.answer_path(label)) {
                    Ok(bytes) => (
                        compare::judge(case, self.mode, Some(&bytes), reply, &self.fixtures),
                        Some(bytes),
                    ),
                    Err(_) => continue,
                },
                (None, Some(status)) => (
                    compare::judge_loose(case, status, accept.content_type.as_deref(), reply),
                    None,
                ),
                (None, None) => continue,
            };
            let judged = Judged {
                rule: accept.rule,
                accepted: Some(accept.reason.clone()),
                findings,
                expected,
            };
            if judged.findings.is_empty() {
                return judged;
            }
            candidates.push(judged);
        }
        let outcome_wrong = |j: &Judged| {
            j.findings
                .iter()
                .any(|f| f.defect.cost() == compare::Cost::Outcome)
        };
        let best = candidates
            .iter()
            .enumerate()
            .min_by_key(|(i, j)| (outcome_wrong(j), j.findings.len(), *i))
            .map_or(0, |(i, _)| i);
        let mut chosen = candidates.swap_remove(best);
        // A failing answer shows no path rule.
        chosen.rule = None;
        chosen
    }

    /// A fresh copy of the fixtures, where the target serves them.
    fn fresh_root(&self) -> Result<Root, (Defect, String)> {
        Root::seeded_in(&self.fixtures_dir, self.target.docroot())
            .map(|root| root.watched(&self.canary_changed))
            .map_err(|e| (Defect::SetupFailed, e))
    }

    /// How many case folders' canary the submission changed, of those
    /// whose server has stopped.
    pub fn canary_changes(&self) -> usize {
        self.canary_changed.load(Ordering::SeqCst)
    }

    /// The seeded files, in the folder the server serves.
    fn plant(&self, root: &Root) -> Result<(), (Defect, String)> {
        let served = root.www().join(self.target.docroot().unwrap_or(""));
        self.seed
            .plant(&served)
            .map_err(|e| (Defect::SetupFailed, e))
    }

    /// The case's request; for a seeded case, with the seeded file's name.
    fn request(&self, case: &Case) -> Vec<u8> {
        let Some(kind) = case.file.seeded else {
            return case.request.clone();
        };
        let text = String::from_utf8_lossy(&case.request);
        text.replace(seeded::NAME, &self.seed.name(kind))
            .into_bytes()
    }

    /// Refuses to start once the budget is spent or the server never started.
    fn may_start(&self) -> Result<(), (Defect, String)> {
        if Instant::now() >= self.deadline {
            return Err((
                Defect::BudgetSpent,
                format!(
                    "the whole run may take {:?}; a server that hangs used it up",
                    self.budget
                ),
            ));
        }
        if self.silent_timeouts.load(Ordering::SeqCst) >= GIVE_UP_SILENT_AFTER
            && !self.answered.load(Ordering::SeqCst)
        {
            return Err((
                Defect::NeverAnswered,
                format!(
                    "{GIVE_UP_SILENT_AFTER} cases and the preflight's requests waited {REPLY_TIMEOUT:?} \
                     each (twice) without a byte; the rest are not run"
                ),
            ));
        }
        if self.failed_starts.load(Ordering::SeqCst) >= GIVE_UP_AFTER
            && self.good_starts.load(Ordering::SeqCst) == 0
        {
            return Err((
                Defect::NeverStarted,
                format!(
                    "the server failed to start in {GIVE_UP_AFTER} cases; it is not started again"
                ),
            ));
        }
        Ok(())
    }

    /// The server, started in `root`, and the case's connection to it.
    fn started(
        &self,
        root: &Root,
        case: &Case,
    ) -> Result<(Server, std::net::TcpStream), (Defect, String)> {
        let started = self
            .target
            .start(root, case, &self.protected)
            .and_then(|mut server| server.connect().map(|stream| (server, stream)));
        let counter = match started {
            Ok(_) => &self.good_starts,
            Err(_) => &self.failed_starts,
        };
        counter.fetch_add(1, Ordering::SeqCst);
        started.map_err(|e| (Defect::DidNotStart, e))
    }

    /// The golden response of an exact case (blessed first when asked to).
    /// A generated case is never overwritten: its generator is the authority
    /// on its bytes, so the new bytes go to `NAME.response.new` for review and
    /// the case fails, saying so.
    fn golden(&self, case: &Case, reply: &[u8]) -> Result<Option<Vec<u8>>, (Defect, String)> {
        if case.file.expect != Expect::Exact {
            return Ok(None);
        }
        if let Some(kind) = case.file.seeded {
            // Built from the seed: nothing on disk to bless or read.
            return Ok(Some(self.seed.answer(kind)));
        }
        if self.bless {
            bless(case, reply)?;
        }
        fs::read(&case.golden).map(Some).map_err(|e| {
            (
                Defect::GoldenMissing,
                format!(
                    "{}: {e} (bless a hand-written case with SPEC_BLESS=1)",
                    case.golden.display()
                ),
            )
        })
    }

    pub(crate) fn not_run(&self, case: &Case, defect: Defect, detail: &str) -> Verdict {
        Verdict {
            name: case.name.clone(),
            item: case.item(),
            asked: first_line(&case.request),
            example: case.file.example,
            findings: vec![Finding::new(
                defect,
                case.item(),
                detail.lines().next().unwrap_or_default(),
            )],
            report: format!("{}{detail}\n", heading(case)),
            ..Verdict::default()
        }
    }

    fn verdict(&self, case: &Case, judged: Judged, reply: &Reply, server: &mut Server) -> Verdict {
        let golden = judged.expected.as_deref();
        let diff = golden
            .and_then(|golden| diff(golden, &reply.bytes))
            .unwrap_or_default();
        let report = if judged.findings.is_empty() {
            String::new()
        } else {
            self.report(case, &judged.findings, golden, &diff, reply, server)
        };
        Verdict {
            name: case.name.clone(),
            item: case.item(),
            asked: first_line(&case.request),
            example: case.file.example,
            findings: judged.findings,
            rule: judged.rule,
            accepted: judged.accepted,
            diff,
            report,
            strays: 0,
        }
    }

    /// A failing case for people: what it is, a right answer, the defects, the
    /// bytes, the request, and what the server said.
    fn report(
        &self,
        case: &Case,
        findings: &[Finding],
        golden: Option<&[u8]>,
        diff: &str,
        reply: &Reply,
        server: &mut Server,
    ) -> String {
        let mut text = heading(case);
        text += &format!("a right answer: {}\n", self.expectation(case, golden));
        text += "defects:\n";
        for f in findings {
            let item = f.item.map_or("outcome", |item| item.key());
            text += &format!("  [{item}] {}: {}\n", f.what(), f.detail);
        }
        if !diff.is_empty() {
            text += &format!("expected vs actual:\n{diff}\n");
        } else if golden.is_none() && !reply.bytes.is_empty() {
            text += &format!("the reply:\n{}\n", visible(&reply.bytes));
        }
        text += &format!(
            "request ({} bytes, {:?}):\n{}\n",
            case.request.len(),
            case.schedule,
            visible(&case.request)
        );
        if let Some(status) = server.exit_status() {
            text += &format!("the server has exited: {status}\n");
        }
        if let Some(cap) = server.cap_hit() {
            text += &format!("{cap}\n");
        }
        text += &server.report();
        text
    }

    /// What a passing reply is, in words.
    fn expectation(&self, case: &Case, golden: Option<&[u8]>) -> String {
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
            (Expect::Waits, _) => format!(
                "nothing, with the connection open, for {:?}",
                case.patience(REPLY_TIMEOUT)
            ),
            (Expect::Exact, None) => "(no golden file)".to_string(),
        }
    }
}

/// The most of a reply worth reading for `case`: its longest right answer
/// and [`REPLY_MARGIN`]. Blessing reads it all: the new bytes are the answer.
fn reply_limit(case: &Case) -> usize {
    let size = |path: &std::path::Path| fs::metadata(path).map_or(0, |m| m.len() as usize);
    let answers = case.file.accept.iter().filter_map(|a| a.answer.as_ref());
    let longest = answers
        .map(|label| size(&case.answer_path(label)))
        .chain([size(&case.golden)])
        .max()
        .unwrap_or(0);
    match case.file.expect {
        Expect::Exact => longest + REPLY_MARGIN,
        _ => UNSIZED_REPLY_LIMIT.max(longest + REPLY_MARGIN),
    }
}

/// `SPEC_BLESS`'s write: a hand-written case's golden file, or the `.new`
/// file beside a generated one (trycmd's dump mode), which then fails.
fn bless(case: &Case, reply: &[u8]) -> Result<(), (Defect, String)> {
    let Some(generator) = &case.file.generated else {
        return fs::write(&case.golden, reply).map_err(|e| {
            (
                Defect::GoldenMissing,
                format!("cannot bless {}: {e}", case.golden.display()),
            )
        });
    };
    let mut beside = case.golden.clone().into_os_string();
    beside.push(".new");
    let beside = PathBuf::from(beside);
    if fs::read(&case.golden).is_ok_and(|old| old == reply) {
        // Nothing to review: remove what an earlier blessing left behind.
        let _ = fs::remove_file(&beside);
        return Ok(());
    }
    let written = fs::write(&beside, reply)
        .map(|()| format!("the new bytes are in {} for review", beside.display()))
        .unwrap_or_else(|e| format!("cannot write {}: {e}", beside.display()));
    Err((
        Defect::BlessRefused,
        format!("not blessed: {generator} generates this case and is the authority on its bytes; change the generator and rerun it; {written}"),
    ))
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
            item.key(),
            item.points(),
            item.title()
        ),
        None => format!("outside the rubric: the {} group", case.profile()),
    };
    format!("{}: {}\n{item}\n", case.name, case.file.description)
}
