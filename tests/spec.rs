//! The golden suite: one test per case file under `spec/` (format:
//! spec/README.md), a thin runner over the grader's library.
//!
//! `harness = false` with libtest-mimic rather than rstest's `#[files]`: cases are
//! discovered when the suite runs, so adding a case is adding files, with no
//! rebuild and no `build.rs`; and the runner still speaks libtest (filters such as
//! `cargo test --test spec -- core/`, `--list`, `--exact`, ignored counts).
//!
//! Grading mode: with `WEBSERVER_CMD` set, the same cases run against that
//! command, compared conformantly, and a scorecard follows libtest's summary
//! (README, "Grading a submission"); `grade one` prints the same card. The run
//! then succeeds exactly when the server earns all 100 rubric points (and, with
//! `GRADE_STRICT=1`, passes the groups outside the rubric too).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use grader::export;
use grader::grade::{Run, Target, Verdict};
use grader::launch::Submission;
use grader::preflight;
use grader::score::Scorecard;
use grader::suite::{self, lock, Layout, Planned};
use libtest_mimic::{Arguments, Conclusion, Trial};

/// The server to grade instead of ours, with `{port}` where its port goes.
const CMD_VAR: &str = "WEBSERVER_CMD";
/// The port it always listens on, for a command without `{port}`.
const PORT_VAR: &str = "WEBSERVER_PORT";
/// The subdirectory of its working directory it serves.
const DOCROOT_VAR: &str = "WEBSERVER_DOCROOT";
/// Where to write the full report (every failing case) as Markdown.
const REPORT_VAR: &str = "GRADE_REPORT";
/// `1`: rewrite the golden file of each hand-written exact case from our
/// server; a generated case's new bytes go beside it as `.response.new`.
const BLESS_VAR: &str = "SPEC_BLESS";
/// The whole run's time budget, in seconds: a server that hangs cannot hold
/// the suite longer (each case is bounded on its own as well).
const BUDGET_VAR: &str = "GRADE_BUDGET_SECS";
const DEFAULT_BUDGET: Duration = Duration::from_secs(300);
/// Where to write Gradescope's results.json.
const RESULTS_VAR: &str = "GRADE_RESULTS";
/// Where to write JUnit XML.
const JUNIT_VAR: &str = "GRADE_JUNIT";
/// `1`: failures outside the rubric fail a grading run too.
const STRICT_VAR: &str = "GRADE_STRICT";
/// `1`: print the scorecard for the bundled server too.
const SCORECARD_VAR: &str = "GRADE_SCORECARD";

type Shared<T> = Arc<Mutex<Vec<T>>>;

fn main() {
    let args = Arguments::from_args();
    let layout = Layout::repository();
    let checked = preflight::check(target_from_env(), &layout);
    let target = checked.target;
    let budget = std::env::var(BUDGET_VAR)
        .ok()
        .and_then(|secs| secs.parse().ok())
        .map_or(DEFAULT_BUDGET, Duration::from_secs);
    let planned = suite::plan(&layout, &target).unwrap_or_else(|e| fail(&e));
    let deadline = Instant::now() + budget;
    let run = Run::new(target.clone(), &layout, budget).unwrap_or_else(|e| fail(&e));
    let run = Arc::new(if flag(BLESS_VAR) { run.blessing() } else { run });
    let verdicts: Shared<Verdict> = Arc::default();
    let broken: Vec<(String, String)> = planned
        .iter()
        .filter_map(|p| match p {
            Planned::Broken { name, problem } => Some((name.clone(), problem.clone())),
            _ => None,
        })
        .collect();
    let trials = planned
        .iter()
        .filter_map(|p| trial(p, &run, &verdicts))
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if args.list {
        conclusion.exit();
    }
    let mut verdicts = std::mem::take(&mut *lock(&verdicts));
    verdicts.sort_by(|a, b| a.name.cmp(&b.name));
    let mut card = Scorecard::new(
        &target.describe(),
        &verdicts,
        suite::core_total(&planned),
        Vec::new(),
        broken,
    );
    card.notes = suite::run_notes(&run, &verdicts);
    card.notes.extend(checked.notes);
    if args.filter.is_none() {
        if let Some(sequence) = suite::sequence(&target, &layout, deadline) {
            suite::conclude(&mut card, sequence);
        }
    }
    finish(&target, &card, &verdicts, conclusion);
}

/// The server named by the environment, or ours.
fn target_from_env() -> Target {
    let cmd = match std::env::var(CMD_VAR) {
        Ok(cmd) if !cmd.trim().is_empty() => cmd,
        _ => return Target::Bundled(PathBuf::from(env!("CARGO_BIN_EXE_webserver"))),
    };
    let port = std::env::var(PORT_VAR).ok().map(|text| {
        text.trim()
            .parse::<u16>()
            .ok()
            .filter(|&port| port > 0)
            .unwrap_or_else(|| fail(&format!("{PORT_VAR}={text:?} is not a port (1-65535)")))
    });
    let docroot = std::env::var(DOCROOT_VAR).ok().filter(|d| !d.is_empty());
    Target::Command(Submission {
        port,
        docroot,
        ..Submission::new(cmd)
    })
}

/// One case as a libtest trial; none for a case that needs our binary's
/// flags, which is not listed when grading another server.
fn trial(planned: &Planned, run: &Arc<Run>, verdicts: &Shared<Verdict>) -> Option<Trial> {
    let name = planned.name().to_string();
    match planned.clone() {
        // A broken case file fails as its own test, not the whole suite.
        Planned::Broken { problem, .. } => Some(Trial::test(name, move || Err(problem.into()))),
        Planned::Skip { .. } => None,
        Planned::Run(case) => {
            let (run, verdicts) = (Arc::clone(run), Arc::clone(verdicts));
            Some(Trial::test(name, move || {
                let verdict = run.case(&case);
                let result = if verdict.passed() {
                    Ok(())
                } else {
                    Err(verdict.report.clone().into())
                };
                lock(&verdicts).push(verdict);
                result
            }))
        }
    }
}

/// The scorecard and files, then the exit: libtest's own for our server, the
/// grade's for another.
fn finish(target: &Target, card: &Scorecard, verdicts: &[Verdict], conclusion: Conclusion) -> ! {
    let grading = matches!(target, Target::Command(_));
    if grading || flag(SCORECARD_VAR) {
        print!("{}", card.render());
    }
    let mut written = true;
    if let Some(path) = std::env::var_os(RESULTS_VAR) {
        written &= export::save(Path::new(&path), &export::results_json_text(card));
    }
    if let Some(path) = std::env::var_os(JUNIT_VAR) {
        written &= export::save(Path::new(&path), &export::junit(card, verdicts));
    }
    if let Some(path) = std::env::var_os(REPORT_VAR) {
        written &= export::save(Path::new(&path), &export::markdown(card, verdicts));
    }
    if !grading {
        // Our server: every case must pass, as libtest counts them.
        if !written {
            std::process::exit(101);
        }
        conclusion.exit();
    }
    let strict = flag(STRICT_VAR);
    if !card.groups_pass() && !strict {
        println!(
            "(failures outside the rubric are reported above and do not fail this run; \
             {STRICT_VAR}=1 makes them)"
        );
    }
    // A filtered run passes when what it ran passes, as libtest has it; only a
    // full run can claim the 100 points, and the result line says which it was.
    let pass = written && suite::passes(card, strict);
    println!("{}", suite::result_line(card, pass));
    std::process::exit(if pass { 0 } else { 101 });
}

fn fail(problem: &str) -> ! {
    eprintln!("spec: {problem}");
    std::process::exit(101);
}

fn flag(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| v == "1")
}
