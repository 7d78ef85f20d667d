//! The hostile submissions of `grader/servers/hostile/`, graded by the
//! `grade` binary as a course would run it, contained. Each must get the
//! verdict `verdicts.toml` wrote down before it was first graded, and then:
//! nothing of theirs is left running, no file outside their case folder
//! changed (the golden files, the fixtures, the servers' own folders, /tmp),
//! and the grader's own peak memory, as the kernel counts it (`wait4`),
//! stayed under [`MEMORY_BOUND_KIB`] (replies are never kept whole).
//!
//! The grader is graded twice: as the test runs it (root, here and in CI:
//! a uid of its own per sandbox), and as an unprivileged user (uid 65534
//! when the test is root: a user namespace per sandbox), from a staged copy
//! of the repository's files that user can read. The unprivileged run grades
//! [`UNPRIVILEGED`], the attacks whose outcome depends on the sandbox, to
//! keep `cargo test` short; `HOSTILE_ALL=1` grades every submission there.
//!
//! Uncontained (no bubblewrap, no namespaces), these submissions would do
//! what they say, so they are not run: with `CI` set that is a failure,
//! otherwise the test says so and stops.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use grader::launch::{self, Submission};
use grader::root::{Root, CANARY};
use grader::sandbox::{self, Containment};
use grader::suite::{self, Layout};
use serde::Deserialize;

const GRADE: &str = env!("CARGO_BIN_EXE_grade");
const SERVERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/servers");
const TOP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
/// The grader's own peak resident memory, whatever a submission does.
const MEMORY_BOUND_KIB: u64 = 256 * 1024;
/// Each submission's budget: the sleeper must be cut off by it.
const BUDGET_SECS: u64 = 40;
/// Gradings at once.
const AT_ONCE: usize = 3;
/// The mark the scribbler writes wherever it can.
const MARK: &str = "hostile-scribble-was-here";
/// The submissions an unprivileged grader grades in `cargo test`: those
/// whose outcome depends on the sandbox (what it can read, write, leave
/// running, fork, flood, and where it listens). The others test the
/// harness, which is the same in both modes.
const UNPRIVILEGED: [&str; 7] = [
    "replay",
    "notfound",
    "scribble",
    "daemon",
    "forker",
    "flood",
    "elsewhere",
];
/// The uid an unprivileged grader runs as when the test is root: nobody.
const NOBODY: u32 = 65_534;
/// The two gradings share the machine's cores: one at a time, so that
/// neither's timing verdicts pay for the other.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    about: String,
    /// The script, when the entry's name is not its file's.
    script: Option<String>,
    /// Graded with `GRADE_UNCONTAINED=1` and the repository in its
    /// environment, as a cheat would find it without containment.
    #[serde(default)]
    uncontained: bool,
    score: Option<f64>,
    /// The highest score it may get.
    most: Option<f64>,
    no_more_than: Option<String>,
    #[serde(default)]
    notes: Vec<String>,
    #[serde(default)]
    report: Vec<String>,
    /// Words the full scorecard must not hold.
    #[serde(default)]
    absent: Vec<String>,
}

/// A `grade` binary, where its submissions are, and who runs it.
struct Grader {
    binary: PathBuf,
    servers: PathBuf,
    /// `--spec`, when not the one the binary was built with.
    spec: Option<PathBuf>,
    /// The uid and gid it runs as, when not the test's.
    uid: Option<u32>,
    /// The containment its last line must name.
    containment: &'static str,
}

impl Grader {
    /// The test's own `grade`, as the test's user.
    fn ours() -> Grader {
        Grader {
            binary: PathBuf::from(GRADE),
            servers: PathBuf::from(SERVERS),
            spec: None,
            uid: None,
            containment: "contained (bubblewrap",
        }
    }

    fn command(&self, name: &str) -> String {
        let servers = self.servers.display();
        format!(
            "python3 -B -I -S {servers}/hostile/{name}.py {servers}/faithful/webserver.py {{port}}"
        )
    }

    /// `grade` as its user, with `args`.
    fn grade(&self, args: &[&str]) -> Command {
        let mut command = as_user(self.uid, &self.binary);
        if self.uid.is_some() {
            // An unprivileged user's PATH (root's leads to a pyenv shim
            // under /root, which such a user cannot read).
            command.env("PATH", "/usr/bin:/bin");
            // Its home and working directory are the staging folder it can
            // read: the scribbler looks in both.
            if let Some(stage) = self.binary.parent() {
                command.env("HOME", stage).current_dir(stage);
            }
        }
        command.args(args);
        if let Some(spec) = &self.spec {
            command.arg("--spec").arg(spec);
        }
        command
    }
}

/// `program` run as `uid` (and its gid), or as the test's own user.
fn as_user(uid: Option<u32>, program: impl AsRef<std::ffi::OsStr>) -> Command {
    let Some(uid) = uid else {
        return Command::new(program);
    };
    let id = uid.to_string();
    let mut command = Command::new("setpriv");
    command.args(["--reuid", &id, "--regid", &id, "--clear-groups", "--"]);
    command.arg(program);
    command
}

/// One grading, as the `grade` binary reported it.
#[derive(Debug)]
struct Graded {
    name: String,
    score: Option<f64>,
    stdout: String,
    peak_kib: Option<u64>,
    wall: Duration,
}

fn grade(grader: &Grader, name: &str, want: &Expected) -> Graded {
    let started = Instant::now();
    let script = want.script.as_deref().unwrap_or(name);
    let budget = BUDGET_SECS.to_string();
    let mut grade = grader.grade(&["one", "--cmd", &grader.command(script), "--budget", &budget]);
    if want.uncontained {
        grade.env(sandbox::OFF, "1").env("CARGO_MANIFEST_DIR", TOP);
    }
    let (stdout, stderr, peak_kib) = run_measured(grade);
    let score = stdout
        .lines()
        .find_map(|line| line.strip_prefix("grading result: "))
        .and_then(|rest| rest.split('/').next())
        .and_then(|n| n.parse().ok());
    Graded {
        name: name.to_string(),
        score,
        stdout: format!("{stdout}\n(stderr)\n{stderr}"),
        peak_kib,
        wall: started.elapsed(),
    }
}

/// Runs `command` to its end; its stdout, its stderr and its peak resident
/// memory in KiB, as the kernel counted it (`wait4`'s `ru_maxrss`), not as
/// it says. Under `setpriv`, the pid is `grade`'s own once setpriv execs it.
// The child is reaped by wait4, which std's Child does not know of.
#[allow(clippy::zombie_processes)]
fn run_measured(mut command: Command) -> (String, String, Option<u64>) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let pipe = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = child.stdout.take().map(|p| pipe(Box::new(p)));
    let stderr = child.stderr.take().map(|p| pipe(Box::new(p)));
    let mut status = 0;
    // SAFETY: zeroed is a valid rusage, which wait4 then fills; the child
    // is ours and not reaped yet.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let text = |reader: Option<thread::JoinHandle<String>>| {
        reader.and_then(|r| r.join().ok()).unwrap_or_default()
    };
    let peak = (waited > 0).then(|| u64::try_from(usage.ru_maxrss).unwrap_or(0));
    (text(stdout), text(stderr), peak)
}

/// Size and contents of every file under `dirs`.
fn snapshot(dirs: &[PathBuf]) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for dir in dirs {
        for entry in grader::files::walk(dir).unwrap_or_else(|e| panic!("{e}")) {
            if !entry.is_dir {
                let bytes = fs::read(&entry.path).unwrap_or_else(|e| panic!("{e}"));
                files.insert(entry.path, bytes);
            }
        }
    }
    files
}

/// Processes still running one of the hostile scripts.
fn survivors() -> Vec<String> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| fs::read(entry.path().join("cmdline")).ok())
        .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
        .filter(|cmdline| cmdline.contains("/servers/hostile/") && !cmdline.contains("--cmd"))
        .collect()
}

/// Where the scribbler's mark must never appear: the usual places and the
/// repository's (or a staged copy's) folders.
fn marked_places(top: &Path, servers: &Path) -> Vec<PathBuf> {
    [
        PathBuf::from("/tmp"),
        PathBuf::from("/var/tmp"),
        top.to_path_buf(),
        top.join("spec"),
        top.join("spec/core"),
        servers.to_path_buf(),
        servers.join("hostile"),
        std::env::temp_dir(),
    ]
    .into_iter()
    .map(|dir| dir.join(MARK))
    .filter(|path| path.exists())
    .collect()
}

/// The files under `dirs` whose bytes differ between two snapshots.
fn changed(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
) -> BTreeSet<PathBuf> {
    before
        .keys()
        .chain(after.keys())
        .filter(|path| before.get(*path) != after.get(*path))
        .cloned()
        .collect()
}

fn contained() -> bool {
    match sandbox::containment() {
        Containment::Contained { .. } => true,
        Containment::Open(why) if std::env::var_os("CI").is_some() => {
            panic!("CI must contain submissions, and cannot here: {why}")
        }
        Containment::Open(why) => {
            eprintln!(
                "NOT RUN: the hostile submissions need containment, and there is none: {why}"
            );
            false
        }
    }
}

/// Grades `expected` with `grader` and asserts each verdict, then that the
/// run left nothing behind: no process, no mark in the usual places nor in
/// `top` and `servers`, no file under `watched` changed since `before`.
fn graded_and_nothing_left(
    grader: &Grader,
    expected: &BTreeMap<String, Expected>,
    (top, servers): (&Path, &Path),
    watched: &[PathBuf],
    before: &BTreeMap<PathBuf, Vec<u8>>,
) {
    let wrong = graded_against(grader, expected);
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n\n"));
    assert_eq!(
        survivors(),
        Vec::<String>::new(),
        "hostile processes outlived their grading"
    );
    assert_eq!(
        marked_places(top, servers),
        Vec::<PathBuf>::new(),
        "the scribbler wrote outside its case folder"
    );
    let changed = changed(before, &snapshot(watched));
    assert!(
        changed.is_empty(),
        "files changed during the run: {changed:?}"
    );
}

fn expected() -> BTreeMap<String, Expected> {
    let text = fs::read_to_string(format!("{SERVERS}/hostile/verdicts.toml"))
        .unwrap_or_else(|e| panic!("verdicts.toml: {e}"));
    toml::from_str(&text).unwrap_or_else(|e| panic!("verdicts.toml: {e}"))
}

/// Grades each of `expected` with `grader`, [`AT_ONCE`] at a time, and
/// returns what is wrong with each verdict, in full.
fn graded_against(grader: &Grader, expected: &BTreeMap<String, Expected>) -> Vec<String> {
    let names: Vec<String> = expected.keys().cloned().collect();
    let graded: Vec<Graded> = suite::parallel(
        &names,
        AT_ONCE,
        |name| grade(grader, name, &expected[name]),
        &|_, _| {},
    );
    let graded: BTreeMap<String, Graded> =
        graded.into_iter().map(|g| (g.name.clone(), g)).collect();
    let mut wrong = Vec::new();
    for (name, want) in expected {
        let got = &graded[name];
        eprintln!(
            "{name:10} score {:>5} peak {:>6} KiB wall {:>5.1} s  ({})",
            got.score.map_or("?".to_string(), |s| s.to_string()),
            got.peak_kib.map_or("?".to_string(), |k| k.to_string()),
            got.wall.as_secs_f64(),
            want.about
        );
        let problems = problems(grader, want, got, &graded);
        if !problems.is_empty() {
            wrong.push(format!("{name}: {}\n{}", problems.join("; "), got.stdout));
        }
    }
    wrong
}

/// How `got` differs from the verdict written down for it.
fn problems(
    grader: &Grader,
    want: &Expected,
    got: &Graded,
    graded: &BTreeMap<String, Graded>,
) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(score) = want.score {
        if got.score != Some(score) {
            problems.push(format!(
                "score {:?} where {score} is written down",
                got.score
            ));
        }
    }
    if let Some(most) = want.most {
        if !got.score.is_some_and(|score| score <= most) {
            problems.push(format!(
                "score {:?}, above the {most} it may get",
                got.score
            ));
        }
    }
    if let Some(other) = &want.no_more_than {
        let floor = graded.get(other).and_then(|g| g.score);
        if got.score.is_none() || floor.is_none() || got.score > floor {
            problems.push(format!("score {:?}, above {other}'s {floor:?}", got.score));
        }
    }
    let notes: Vec<&str> = got
        .stdout
        .lines()
        .filter(|l| l.starts_with("NOTE: "))
        .collect();
    for word in &want.notes {
        if !notes.iter().any(|n| n.contains(word.as_str())) {
            problems.push(format!("no note says {word:?}: {notes:?}"));
        }
    }
    for word in &want.report {
        if !got.stdout.contains(word.as_str()) {
            problems.push(format!("the report never says {word:?}"));
        }
    }
    for word in &want.absent {
        if got.stdout.contains(word.as_str()) {
            problems.push(format!("the report says {word:?}"));
        }
    }
    let containment = if want.uncontained {
        "not contained"
    } else {
        grader.containment
    };
    if !got.stdout.contains("graded in ") || !got.stdout.contains(containment) {
        problems.push(format!("grade's last line does not say {containment:?}"));
    }
    match got.peak_kib {
        Some(kib) if kib <= MEMORY_BOUND_KIB => {}
        other => problems.push(format!(
            "the grader's peak memory was {other:?} KiB, over {MEMORY_BOUND_KIB}"
        )),
    }
    problems
}

#[test]
fn hostile_submissions_are_contained_and_graded_as_written_down() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if !contained() {
        return;
    }
    let expected = expected();
    let layout = Layout::repository();
    let watched = [
        layout.spec.clone(),
        layout.fixtures.clone(),
        PathBuf::from(SERVERS),
    ];
    let before = snapshot(&watched);
    let (top, servers) = (Path::new(TOP), Path::new(SERVERS));
    assert_eq!(
        marked_places(top, servers),
        Vec::<PathBuf>::new(),
        "marks left before the run"
    );

    // The canary, watched directly: a scribbling server runs in a case
    // folder, and secret.txt beside its served folder must stay as it was.
    let grader = Grader::ours();
    let root = Root::seeded(&layout.fixtures).expect("a case folder");
    let mut server = launch::command(
        &Submission::new(grader.command("scribble")),
        &root,
        &layout.protected(),
    )
    .expect("the scribbler starts");
    server
        .connect()
        .expect("the scribbler listens once it has scribbled");
    let canary = fs::read_to_string(root.outside().join("secret.txt")).expect("the canary");
    let own = root.www().join(MARK).exists();
    drop(server);
    assert_eq!(canary, CANARY, "the canary beside the case folder changed");
    assert!(own, "a submission may write in its own served folder");

    graded_and_nothing_left(&grader, &expected, (top, servers), &watched, &before);
}

/// Whether `uid` (the test's own when `None`) can make a bubblewrap
/// sandbox in user namespaces of its own; with `CI` set it must.
fn user_namespaces_for(uid: Option<u32>) -> bool {
    let mut trial = as_user(uid, "bwrap");
    trial.args([
        "--unshare-user",
        "--disable-userns",
        "--unshare-net",
        "--unshare-pid",
    ]);
    trial.args(["--ro-bind", "/", "/", "--", "/bin/true"]);
    let why = match trial.output() {
        Ok(out) if out.status.success() => return true,
        Ok(out) => String::from_utf8_lossy(&out.stderr).into_owned(),
        Err(e) => e.to_string(),
    };
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must contain submissions for an unprivileged grader, and cannot here: {why}"
    );
    eprintln!("NOT RUN: an unprivileged grader cannot make user namespaces here: {why}");
    false
}

/// A copy of what an unprivileged `grade` reads (itself, `spec/`,
/// `fixtures/`, the submissions), in a folder any user can read: the
/// repository's own may lie below a folder only root can enter.
fn staged() -> tempfile::TempDir {
    let stage = tempfile::Builder::new()
        .prefix("hostile-stage-")
        .tempdir()
        .expect("a staging folder");
    let top = stage.path().join("top");
    let servers = stage.path().join("servers");
    let layout = Layout::repository();
    let copies = [
        (layout.spec.clone(), top.join("spec")),
        (layout.fixtures.clone(), top.join("fixtures")),
        (Path::new(SERVERS).join("hostile"), servers.join("hostile")),
        (
            Path::new(SERVERS).join("faithful"),
            servers.join("faithful"),
        ),
    ];
    for (from, to) in copies {
        grader::files::copy_tree(&from, &to).unwrap_or_else(|e| panic!("{e}"));
    }
    fs::copy(GRADE, stage.path().join("grade")).expect("a copy of grade");
    fs::set_permissions(stage.path(), fs::Permissions::from_mode(0o755))
        .expect("a staging folder anyone can enter");
    stage
}

#[test]
fn hostile_submissions_are_contained_by_an_unprivileged_grader() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: geteuid only reads the calling process's credentials.
    let uid = (unsafe { libc::geteuid() } == 0).then_some(NOBODY);
    if !user_namespaces_for(uid) {
        return;
    }
    let mut expected = expected();
    if std::env::var_os("HOSTILE_ALL").is_none() {
        expected.retain(|name, _| UNPRIVILEGED.contains(&name.as_str()));
    }
    // A cheat must not learn where the repository is from the grader, so
    // the uncontained entry (which hands it over) has no place here.
    expected.retain(|_, want| !want.uncontained);
    let stage = staged();
    let (top, servers) = (stage.path().join("top"), stage.path().join("servers"));
    let grader = Grader {
        binary: stage.path().join("grade"),
        servers: servers.clone(),
        spec: Some(top.join("spec")),
        uid,
        containment: "contained (bubblewrap, a user namespace of its own per sandbox)",
    };
    let watched = [top.clone(), servers.clone()];
    let before = snapshot(&watched);

    graded_and_nothing_left(&grader, &expected, (&top, &servers), &watched, &before);
}
