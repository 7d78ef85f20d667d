//! The hostile submissions of `grader/servers/hostile/`, graded by the
//! `grade` binary as a course would run it, contained. Each must get the
//! verdict `verdicts.toml` wrote down before it was first graded, and then:
//! nothing of theirs is left running, no file outside their case folder
//! changed (the golden files, the fixtures, the servers' own folders, /tmp),
//! and the grader's own peak memory stayed under [`MEMORY_BOUND_KIB`]
//! (replies are never kept whole).
//!
//! Uncontained (no bubblewrap, not root), these submissions would do what
//! they say, so they are not run: with `CI` set that is a failure, otherwise
//! the test says so and stops.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
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

fn command(name: &str) -> String {
    format!("python3 -B -I -S {SERVERS}/hostile/{name}.py {SERVERS}/faithful/webserver.py {{port}}")
}

fn grade(name: &str, want: &Expected) -> Graded {
    let started = Instant::now();
    let script = want.script.as_deref().unwrap_or(name);
    let mut grade = Command::new(GRADE);
    let budget = BUDGET_SECS.to_string();
    grade.args(["one", "--cmd", &command(script), "--budget", &budget]);
    if want.uncontained {
        grade.env(sandbox::OFF, "1").env("CARGO_MANIFEST_DIR", TOP);
    }
    let out = grade.output().unwrap_or_else(|e| panic!("{GRADE}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let score = stdout
        .lines()
        .find_map(|line| line.strip_prefix("grading result: "))
        .and_then(|rest| rest.split('/').next())
        .and_then(|n| n.parse().ok());
    let peak_kib = stderr
        .lines()
        .find_map(|line| line.split("the grader's peak memory: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok());
    Graded {
        name: name.to_string(),
        score,
        stdout: format!("{stdout}\n(stderr)\n{stderr}"),
        peak_kib,
        wall: started.elapsed(),
    }
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

/// Where the scribbler's mark must never appear.
fn marked_places() -> Vec<PathBuf> {
    let top = Path::new(TOP);
    [
        PathBuf::from("/tmp"),
        PathBuf::from("/var/tmp"),
        top.to_path_buf(),
        top.join("spec"),
        top.join("spec/core"),
        Path::new(SERVERS).join("hostile"),
        std::env::temp_dir(),
    ]
    .into_iter()
    .map(|dir| dir.join(MARK))
    .filter(|path| path.exists())
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

#[test]
fn hostile_submissions_are_contained_and_graded_as_written_down() {
    if !contained() {
        return;
    }
    let text = fs::read_to_string(format!("{SERVERS}/hostile/verdicts.toml"))
        .unwrap_or_else(|e| panic!("verdicts.toml: {e}"));
    let expected: BTreeMap<String, Expected> =
        toml::from_str(&text).unwrap_or_else(|e| panic!("verdicts.toml: {e}"));
    let layout = Layout::repository();
    let watched = [
        layout.spec.clone(),
        layout.fixtures.clone(),
        PathBuf::from(SERVERS),
    ];
    let before = snapshot(&watched);
    assert_eq!(
        marked_places(),
        Vec::<PathBuf>::new(),
        "marks left before the run"
    );

    // The canary, watched directly: a scribbling server runs in a case
    // folder, and secret.txt beside its served folder must stay as it was.
    let root = Root::seeded(&layout.fixtures).expect("a case folder");
    let mut server = launch::command(
        &Submission::new(command("scribble")),
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

    let names: Vec<String> = expected.keys().cloned().collect();
    let graded: Vec<Graded> = suite::parallel(
        &names,
        AT_ONCE,
        |name| grade(name, &expected[name]),
        &|_, _| {},
    );
    let graded: BTreeMap<String, Graded> =
        graded.into_iter().map(|g| (g.name.clone(), g)).collect();

    let mut wrong = Vec::new();
    for (name, want) in &expected {
        let got = &graded[name];
        eprintln!(
            "{name:10} score {:>5} peak {:>6} KiB wall {:>5.1} s  ({})",
            got.score.map_or("?".to_string(), |s| s.to_string()),
            got.peak_kib.map_or("?".to_string(), |k| k.to_string()),
            got.wall.as_secs_f64(),
            want.about
        );
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
            if got.score.is_none_or(|score| score > most) {
                problems.push(format!(
                    "score {:?}, above the {most} it may get",
                    got.score
                ));
            }
        }
        if let Some(other) = &want.no_more_than {
            let floor = graded[other].score;
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
        match got.peak_kib {
            Some(kib) if kib <= MEMORY_BOUND_KIB => {}
            other => problems.push(format!(
                "the grader's peak memory was {other:?} KiB, over {MEMORY_BOUND_KIB}"
            )),
        }
        if !problems.is_empty() {
            wrong.push(format!("{name}: {}\n{}", problems.join("; "), got.stdout));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n\n"));
    assert_eq!(
        survivors(),
        Vec::<String>::new(),
        "hostile processes outlived their grading"
    );
    assert_eq!(
        marked_places(),
        Vec::<PathBuf>::new(),
        "the scribbler wrote outside its case folder"
    );
    let after = snapshot(&watched);
    let changed: std::collections::BTreeSet<&PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|path| before.get(*path) != after.get(*path))
        .collect();
    assert!(
        changed.is_empty(),
        "files changed during the run: {changed:?}"
    );
}
