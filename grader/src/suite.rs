//! A grading run over a spec folder, shared by `cargo test --test spec` (which
//! hands each case to libtest) and `grade one` (which runs them on its own
//! threads): where the cases and fixtures are, which cases apply to the
//! target, running them, and what the run concludes.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread;
use std::time::Instant;

use crate::case::{self, Case, CORE};
use crate::grade::{Run, Target, Verdict};
use crate::preflight;
use crate::robustness;
use crate::sandbox::{self, Containment};
use crate::score::Scorecard;

/// Where a run finds its golden cases and the files every case serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub spec: PathBuf,
    pub fixtures: PathBuf,
}

impl Layout {
    /// The repository this crate was built in: its `spec/` and `fixtures/`.
    pub fn repository() -> Layout {
        let grader = Path::new(env!("CARGO_MANIFEST_DIR"));
        Layout::beside(&grader.parent().unwrap_or(grader).join("spec"))
    }

    /// `spec` and the `fixtures/` folder beside it, as the repository has them.
    pub fn beside(spec: &Path) -> Layout {
        let top = spec.parent().unwrap_or(Path::new("."));
        Layout {
            spec: spec.to_path_buf(),
            fixtures: top.join("fixtures"),
        }
    }

    /// What a submission must never see: the cases and their golden bytes,
    /// the fixtures' originals, and the grader itself (and its build folder).
    pub fn protected(&self) -> Vec<PathBuf> {
        let mut paths = vec![self.spec.clone(), self.fixtures.clone()];
        paths.extend(std::env::current_exe().ok());
        paths
    }
}

/// What becomes of each case file for one target.
#[derive(Debug, Clone)]
pub enum Planned {
    Run(Box<Case>),
    /// Not run against this target, and why (it needs our binary's flags).
    Skip {
        name: String,
        why: String,
    },
    /// The case file is broken: our bug, never the server's.
    Broken {
        name: String,
        problem: String,
    },
}

impl Planned {
    pub fn name(&self) -> &str {
        match self {
            Planned::Run(case) => &case.name,
            Planned::Skip { name, .. } | Planned::Broken { name, .. } => name,
        }
    }
}

/// How a whole grading runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The whole run's time budget.
    pub budget: std::time::Duration,
    /// Cases in flight at once.
    pub jobs: usize,
    /// Only the cases whose name starts with this (`core/`), if set.
    pub only: Option<String>,
    /// Run the robustness sequence beside the cases.
    pub robustness: bool,
    /// Let cases share servers ([`crate::lanes`]); off, every case gets a
    /// fresh server, as the grader once did (the speed benchmark's baseline).
    pub share: bool,
}

/// A grading's results: the scorecard, the verdicts, and the target as the
/// preflight found it (its port, if it listens on a fixed one).
pub struct Graded {
    pub card: Scorecard,
    pub verdicts: Vec<Verdict>,
    pub target: Target,
}

/// A whole grading of one target, as `grade one` runs it: the preflight, every
/// case that applies (on `jobs` threads, within `budget`), the robustness
/// sequence, the scorecard. Cases that need our binary's flags are not
/// listed for another server.
pub fn grade(
    target: Target,
    layout: &Layout,
    settings: &Settings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Graded, String> {
    let checked = preflight::check(target, layout);
    let selected = |name: &str| {
        settings
            .only
            .as_deref()
            .map_or(true, |only| name.starts_with(only))
    };
    let planned: Vec<Planned> = plan(layout, &checked.target)?
        .into_iter()
        .filter(|p| selected(p.name()))
        .collect();
    let deadline = Instant::now() + settings.budget;
    let run = Run::new(checked.target.clone(), layout, settings.budget)?;
    let (mut cases, mut broken) = (Vec::new(), Vec::new());
    for p in &planned {
        match p {
            Planned::Run(case) => cases.push(case.as_ref()),
            Planned::Skip { .. } => {}
            Planned::Broken { name, problem } => broken.push((name.clone(), problem.clone())),
        }
    }
    let run = run.after_preflight(checked.started, checked.answered);
    // The robustness sequence runs its own server beside the cases, unless
    // the server's one port allows only one at a time.
    let (verdicts, robustness) = thread::scope(|scope| {
        let beside = (settings.robustness && settings.share && !checked.target.one_port())
            .then(|| scope.spawn(|| sequence(&checked.target, layout, deadline)));
        let verdicts = run_all(&run, &cases, settings, progress);
        let robustness = match beside {
            Some(handle) => handle.join().ok().flatten(),
            None if settings.robustness => sequence(&checked.target, layout, deadline),
            None => None,
        };
        (verdicts, robustness)
    });
    let mut card = Scorecard::new(
        &checked.target.describe(),
        &verdicts,
        core_total(&planned),
        Vec::new(),
        broken,
    );
    card.notes = run_notes(&run, &verdicts);
    card.notes.extend(checked.notes);
    if let Some(robustness) = robustness {
        conclude(&mut card, robustness);
    }
    Ok(Graded {
        card,
        verdicts,
        target: checked.target,
    })
}

/// What the scorecard says first about how a submission was run: "not
/// contained" and why, the processes it left behind, a canary it changed,
/// and the seed of its seeded files.
pub fn run_notes(run: &Run, verdicts: &[Verdict]) -> Vec<String> {
    let mut notes = Vec::new();
    if !matches!(run.target, Target::Command(_)) {
        return notes;
    }
    let containment = sandbox::containment();
    if let Containment::Open(_) = containment {
        notes.push(containment.describe());
    }
    let left: Vec<usize> = verdicts
        .iter()
        .map(|v| v.strays)
        .filter(|&n| n > 0)
        .collect();
    if let Some(most) = left.iter().max() {
        let cases = left.len();
        let processes = if *most == 1 { "process" } else { "processes" };
        let in_cases = if cases == 1 { "case" } else { "cases" };
        notes.push(format!(
            "left {most} {processes} running after the case (the most of {cases} {in_cases} \
             that left any); they were killed"
        ));
    }
    match run.canary_changes() {
        0 => {}
        n => notes.push(format!(
            "it changed secret.txt, the file beside the folder it serves, in {n} of its case \
             folders (each case has a fresh one)"
        )),
    }
    notes.push(format!(
        "seeded files: seed {:016x} ({}={:016x} replays it)",
        run.seed.0,
        crate::seeded::SEED_VAR,
        run.seed.0
    ));
    notes
}

/// The robustness sequence, for a submission (`None` for our own server).
/// Its steps stop at `deadline`, the end of the submission's budget.
pub fn sequence(
    target: &Target,
    layout: &Layout,
    deadline: Instant,
) -> Option<Result<Vec<robustness::Finding>, String>> {
    let Target::Command(submission) = target else {
        return None;
    };
    Some(robustness::sequence(submission, layout, deadline))
}

/// What the robustness sequence found, on the scorecard.
pub fn conclude(card: &mut Scorecard, sequence: Result<Vec<robustness::Finding>, String>) {
    match sequence {
        Ok(findings) => card.robustness = Some(findings),
        Err(problem) => card
            .notes
            .push(format!("the robustness sequence could not run: {problem}")),
    }
}

/// Every case under the layout's spec folder, sorted, as it applies to `target`.
pub fn plan(layout: &Layout, target: &Target) -> Result<Vec<Planned>, String> {
    let planned = case::discover(&layout.spec)?
        .into_iter()
        .map(|(name, loaded)| match loaded {
            Err(problem) => Planned::Broken { name, problem },
            Ok(case) => match (target, case.bundled_only()) {
                (Target::Command(_), Some(why)) => Planned::Skip { name, why },
                _ => Planned::Run(Box::new(case)),
            },
        })
        .collect();
    Ok(planned)
}

/// How many core cases exist: the full run a score of 100 stands for.
pub fn core_total(planned: &[Planned]) -> usize {
    planned
        .iter()
        .filter(|p| case::profile_of(p.name()) == CORE)
        .count()
}

/// Runs `cases` on `settings.jobs` lanes (each case mostly waits on its
/// server; [`crate::lanes`] says which share one, unless `settings.share` is
/// off), telling `progress` (done, total) after each; the verdicts sorted by
/// name. A server on one fixed port outside a sandbox gets one lane.
pub fn run_all(
    run: &Run,
    cases: &[&Case],
    settings: &Settings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<Verdict> {
    let threads = if run.target.one_port() {
        1
    } else {
        settings.jobs
    };
    let mut verdicts = if settings.share {
        crate::lanes::run(run, cases, threads, progress)
    } else {
        parallel(cases, threads, |case| run.case(case), progress)
    };
    verdicts.sort_by(|a, b| a.name.cmp(&b.name));
    verdicts
}

/// `work` on every job, `threads` at a time; the results in the jobs' order.
pub fn parallel<J: Sync, R: Send>(
    jobs: &[J],
    threads: usize,
    work: impl Fn(&J) -> R + Sync,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<R> {
    parallel_with(jobs, threads, || (), |(), _, job| work(job), drop, progress)
}

/// [`parallel`], each thread with a state of its own: made by `start`,
/// handed to `work` with each job (and its index), given to `finish` when
/// the jobs are done.
pub fn parallel_with<J: Sync, R: Send, S>(
    jobs: &[J],
    threads: usize,
    start: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize, &J) -> R + Sync,
    finish: impl Fn(S) + Sync,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<R> {
    let next = Mutex::new(0..jobs.len());
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(jobs.len()));
    thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                let mut state = start();
                // Bounded: each turn takes one index off a finite range. The
                // index is taken in a statement of its own so that the lock
                // is not held through the job.
                loop {
                    let Some(i) = lock(&next).next() else {
                        break;
                    };
                    let result = work(&mut state, i, &jobs[i]);
                    let count = {
                        let mut done = lock(&done);
                        done.push((i, result));
                        done.len()
                    };
                    progress(count, jobs.len());
                }
                finish(state);
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}

pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a grading run concludes: it passes when the server earned every
/// rubric point the run could award and every case file was sound (and, when
/// `strict`, every case outside the rubric passed too).
pub fn passes(card: &Scorecard, strict: bool) -> bool {
    let rubric_clean = card.items.iter().all(|item| item.failing.is_empty());
    rubric_clean && card.broken.is_empty() && (card.groups_pass() || !strict)
}

/// The last line of a grading run: the score, whether the run was partial,
/// and whether it failed.
pub fn result_line(card: &Scorecard, pass: bool) -> String {
    let partial = if card.complete() {
        String::new()
    } else {
        format!(
            " (partial run: {} of {} core cases)",
            card.core_run, card.core_total
        )
    };
    let failed = if pass { "" } else { " -> FAILED" };
    format!(
        "grading result: {}/{}{partial}{failed}",
        crate::score::points(card.score()),
        card.max_score()
    )
}
