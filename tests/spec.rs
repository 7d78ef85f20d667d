//! The golden suite: one test per case file under `spec/` (format: spec/README.md).
//!
//! `harness = false` with libtest-mimic rather than rstest's `#[files]`: cases are
//! discovered when the suite runs, so adding a case is adding files, with no
//! rebuild and no `build.rs`; and the runner still speaks libtest (filters such as
//! `cargo test --test spec -- core/`, `--list`, `--exact`, ignored counts).
//!
//! Grading mode: with `WEBSERVER_CMD` set, the same cases run against that
//! command, compared conformantly, and a scorecard follows libtest's summary
//! (README, "Grading a submission"). The run then succeeds exactly when the
//! server earns all 100 rubric points (and, with `GRADE_STRICT=1`, passes the
//! groups outside the rubric too).

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use libtest_mimic::{Arguments, Completion, Trial};
use support::case::{self, CORE};
use support::grade::{Run, Target, Verdict};
use support::score::Scorecard;

/// The whole run's time budget, in seconds: a server that hangs cannot hold
/// the suite longer (each case is bounded on its own as well).
const BUDGET_VAR: &str = "GRADE_BUDGET_SECS";
const DEFAULT_BUDGET: Duration = Duration::from_secs(300);
/// Where to write Gradescope's results.json (relative to the repository).
const RESULTS_VAR: &str = "GRADE_RESULTS";
/// Where to write JUnit XML (relative to the repository).
const JUNIT_VAR: &str = "GRADE_JUNIT";
/// `1`: failures outside the rubric fail a grading run too.
const STRICT_VAR: &str = "GRADE_STRICT";
/// `1`: print the scorecard for the bundled server too.
const SCORECARD_VAR: &str = "GRADE_SCORECARD";

fn main() {
    let args = Arguments::from_args();
    let target = Target::from_env();
    let budget = std::env::var(BUDGET_VAR)
        .ok()
        .and_then(|secs| secs.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_BUDGET);
    let run = Arc::new(Run::new(target.clone(), budget));
    let verdicts: Arc<Mutex<Vec<Verdict>>> = Arc::default();
    let skipped: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let cases = case::discover(&spec);
    let core_total = cases
        .iter()
        .filter(|(name, _)| case::profile_of(name) == CORE)
        .count();
    let mut broken = Vec::new();
    let trials = cases
        .into_iter()
        .map(|(name, loaded)| match loaded {
            // A broken case file fails as its own test, not the whole suite.
            Err(problem) => {
                broken.push((name.clone(), problem.clone()));
                Trial::test(name, move || Err(problem.into()))
            }
            Ok(case) => {
                let bundled_only = match &target {
                    Target::Command(_) => case.bundled_only(),
                    Target::Bundled => None,
                };
                let (run, verdicts, skipped) = (
                    Arc::clone(&run),
                    Arc::clone(&verdicts),
                    Arc::clone(&skipped),
                );
                Trial::ignorable_test(name, move || {
                    // Shown as ignored, with the reason; never counted as passed.
                    if let Some(why) = bundled_only {
                        lock(&skipped).push((case.name.clone(), why.clone()));
                        return Ok(Completion::ignored_with(why));
                    }
                    let verdict = run.case(&case);
                    let result = if verdict.passed() {
                        Ok(Completion::Completed)
                    } else {
                        Err(verdict.report.clone().into())
                    };
                    lock(&verdicts).push(verdict);
                    result
                })
            }
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if args.list {
        conclusion.exit();
    }
    let mut verdicts = std::mem::take(&mut *lock(&verdicts));
    let skipped = std::mem::take(&mut *lock(&skipped));
    let grading = matches!(target, Target::Command(_));
    verdicts.sort_by(|a, b| a.name.cmp(&b.name));
    let card = Scorecard::new(&target.describe(), &verdicts, core_total, skipped, broken);
    if grading || flag(SCORECARD_VAR) {
        print!("{}", card.render());
    }
    let mut written = true;
    if let Some(path) = std::env::var_os(RESULTS_VAR) {
        let json = serde_json::to_string_pretty(&card.results_json()).unwrap_or_default();
        written &= write(Path::new(&path), &json);
    }
    if let Some(path) = std::env::var_os(JUNIT_VAR) {
        written &= write(Path::new(&path), &card.junit(&verdicts));
    }
    if !grading {
        // The bundled server: every case must pass, as libtest counts them.
        if !written {
            std::process::exit(101);
        }
        conclusion.exit();
    }
    let strict = flag(STRICT_VAR);
    // A filtered run passes when what it ran passes, as libtest has it; only a
    // full run can claim the 100 points, and the result line says which it was.
    let rubric_clean = card.items.iter().all(|item| item.failing.is_empty());
    if !card.groups_pass() && !strict {
        println!(
            "(failures outside the rubric are reported above and do not fail this run; \
             {STRICT_VAR}=1 makes them)"
        );
    }
    let pass = written && rubric_clean && card.broken.is_empty() && (card.groups_pass() || !strict);
    println!(
        "grading result: {}/{}{}{}",
        card.score(),
        card.max_score(),
        if card.complete() {
            String::new()
        } else {
            format!(
                " (partial run: {} of {} core cases)",
                card.core_run, card.core_total
            )
        },
        if pass { "" } else { " -> FAILED" }
    );
    std::process::exit(if pass { 0 } else { 101 });
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn flag(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| v == "1")
}

fn write(path: &Path, text: &str) -> bool {
    match std::fs::write(path, text) {
        Ok(()) => {
            println!("wrote {}", path.display());
            true
        }
        Err(e) => {
            eprintln!("cannot write {}: {e}", path.display());
            false
        }
    }
}
