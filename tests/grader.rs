//! The grader's self-test: `grader/webserver.py`, a faithful Python solution,
//! must score 100/100 (conformantly, and byte for byte too: the goldens are what
//! an independent implementation of the assignment sends), and each mutant in
//! `grader/mutants.toml` must lose exactly the points of the item it breaks and
//! keep every other item.
//!
//! Every (server, case) pair is one job on a small pool of threads: most of a
//! job is waiting (a Python start, a schedule's pauses), so the whole self-test
//! takes a few seconds of wall time per core rather than one per case.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use serde::Deserialize;
use support::case::{self, Case, CORE, RUBRIC};
use support::grade::{Run, Target, Verdict};
use support::score::Scorecard;

const GRADER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/grader");

/// Jobs in flight at once. Each is mostly waiting, so more than the cores.
const THREADS: usize = 8;

/// A bound on each server's run; far above what it needs.
const BUDGET: Duration = Duration::from_secs(240);

/// The defects the issue asks the mutants to cover (one mutant each).
const REQUIRED: [&str; 7] = [
    "no-path-stripping",
    "wrong-content-length",
    "wrong-content-type",
    "lf-only-header-lines",
    "different-404-body",
    "one-recv-holds-the-request",
    "no-connection-close",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mutants {
    mutant: Vec<Mutant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mutant {
    name: String,
    breaks: String,
    why: String,
    find: String,
    replace: String,
}

/// A server to grade and the items it must lose.
struct Variant {
    name: String,
    run: Run,
    loses: Option<String>,
}

fn core_cases() -> Vec<Case> {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    case::discover(&spec)
        .into_iter()
        .filter(|(name, _)| case::profile_of(name) == CORE)
        .map(|(name, case)| case.unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

fn variants(dir: &Path) -> Vec<Variant> {
    let source = fs::read_to_string(format!("{GRADER}/webserver.py")).expect("grader/webserver.py");
    let text = fs::read_to_string(format!("{GRADER}/mutants.toml")).expect("grader/mutants.toml");
    let mutants: Mutants = toml::from_str(&text).expect("grader/mutants.toml parses");
    let command = |name: &str, source: &str| {
        let path = dir.join(format!("{name}.py"));
        fs::write(&path, source).expect("write a variant");
        Target::Command(format!("python3 -I -S {} {{port}}", path.display()))
    };
    let faithful = command("faithful", &source);
    let mut out = vec![
        Variant {
            name: "faithful".to_string(),
            run: Run::new(faithful.clone(), BUDGET),
            loses: None,
        },
        Variant {
            name: "faithful, byte for byte".to_string(),
            run: Run::new(faithful, BUDGET).exact(),
            loses: None,
        },
    ];
    for mutant in mutants.mutant {
        assert!(
            RUBRIC.iter().any(|item| item.key == mutant.breaks),
            "{}: breaks = {:?} is no rubric item",
            mutant.name,
            mutant.breaks
        );
        assert_eq!(
            source.matches(&mutant.find).count(),
            1,
            "{}: `find` must occur exactly once in webserver.py",
            mutant.name
        );
        assert!(!mutant.why.is_empty(), "{}: say why", mutant.name);
        let target = command(
            &mutant.name,
            &source.replacen(&mutant.find, &mutant.replace, 1),
        );
        out.push(Variant {
            name: mutant.name,
            run: Run::new(target, BUDGET),
            loses: Some(mutant.breaks),
        });
    }
    out
}

#[test]
#[cfg_attr(
    grading,
    ignore = "checks the grader, not the server named by WEBSERVER_CMD"
)]
fn the_faithful_server_scores_100_and_each_mutant_loses_exactly_its_item() {
    let python = Command::new("python3").arg("--version").output();
    assert!(
        python.is_ok_and(|out| out.status.success()),
        "python3 is needed to run grader/webserver.py (CI's machine image has it)"
    );
    let dir = tempfile::tempdir().expect("a temp dir for the variants");
    let variants = variants(dir.path());
    let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
    for required in REQUIRED {
        assert!(
            names.contains(&required),
            "grader/mutants.toml lacks {required}"
        );
    }
    let cases = core_cases();
    let jobs: Mutex<Vec<(usize, usize)>> = Mutex::new(
        (0..variants.len())
            .flat_map(|v| (0..cases.len()).map(move |c| (v, c)))
            .rev()
            .collect(),
    );
    let verdicts: Mutex<BTreeMap<usize, Vec<Verdict>>> = Mutex::default();
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| loop {
                // Bounded: each iteration takes one job off a finite list.
                let Some((v, c)) = jobs.lock().unwrap_or_else(|e| e.into_inner()).pop() else {
                    break;
                };
                let verdict = variants[v].run.case(&cases[c]);
                verdicts
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(v)
                    .or_default()
                    .push(verdict);
            });
        }
    });
    let mut verdicts = verdicts.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut wrong = Vec::new();
    for (i, variant) in variants.iter().enumerate() {
        let mut mine = verdicts.remove(&i).unwrap_or_default();
        mine.sort_by(|a, b| a.name.cmp(&b.name));
        let card = Scorecard::new(&variant.name, &mine, cases.len(), Vec::new(), Vec::new());
        assert_eq!(
            card.core_run,
            cases.len(),
            "{}: every case ran",
            variant.name
        );
        let mut unexpected = Vec::new();
        for score in &card.items {
            let broken = variant.loses.as_deref() == Some(score.item.key);
            let expected = if broken { 0 } else { score.item.points };
            if score.earned != expected {
                unexpected.push(format!(
                    "{} earned {}/{}, expected {expected}",
                    score.item.key, score.earned, score.item.points
                ));
            }
        }
        if !unexpected.is_empty() {
            wrong.push(format!(
                "{} (breaks {:?}): {}\n{}",
                variant.name,
                variant.loses,
                unexpected.join("; "),
                card.render()
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n\n"));
}
