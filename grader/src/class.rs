//! A whole class in one command: every folder of `SUBMISSIONS/` graded as
//! `grade one` grades it (the same scorecard, word for word), several at a
//! time, each within its own budget, one broken submission never stopping
//! the others; then the class's files:
//!
//! - `OUT/class.csv`: one row per submission, the points per rubric item;
//! - `OUT/NAME/results.json` (Gradescope's format), `OUT/NAME/report.md`;
//! - `OUT/summary.md`: the score distribution and the cases most failed;
//! - `OUT/failures.svg`: the same cases as a chart ([`crate::chart`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::build_step;
use crate::case;
use crate::export;
use crate::folder::Folder;
use crate::grade::{Target, Verdict};
use crate::rubric::RUBRIC;
use crate::score::{points, Scorecard};
use crate::suite::{self, Layout, Settings};

/// The header of `class.csv`, exactly.
pub const CSV_HEADER: &str =
    "submission,score,filename,sandbox,read,content-type,content-length,header,payload,robustness,seconds";

/// One submission's grading, or why it could not be graded.
pub struct Outcome {
    pub name: String,
    pub graded: Result<(Scorecard, Vec<Verdict>), String>,
    pub seconds: f64,
}

impl Outcome {
    /// What `grade one` prints and the report opens with.
    pub fn render(&self) -> String {
        match &self.graded {
            Ok((card, _)) => card.render(),
            Err(problem) => format!("NOT GRADED: {problem}\n"),
        }
    }

    pub fn score(&self) -> f64 {
        self.graded.as_ref().map_or(0.0, |(card, _)| card.score())
    }

    /// The full Markdown report.
    pub fn report(&self) -> String {
        match &self.graded {
            Ok((card, verdicts)) => export::markdown(card, verdicts),
            Err(_) => format!("# Grading report\n\n```text\n{}```\n", self.render()),
        }
    }

    /// Gradescope's results.json.
    pub fn results_json(&self, robustness_visibility: &str) -> String {
        let value = match &self.graded {
            Ok((card, _)) => export::gradescope(card, self.seconds, robustness_visibility),
            Err(problem) => export::not_graded(problem, self.seconds),
        };
        serde_json::to_string_pretty(&value).unwrap_or_default()
    }

    /// Its row of `class.csv`.
    pub fn csv_row(&self) -> String {
        let mut row = vec![csv_field(&self.name), points(self.score())];
        match &self.graded {
            Ok((card, _)) => {
                row.extend(card.items.iter().map(|item| points(item.earned)));
                row.push(
                    card.robustness
                        .as_ref()
                        .map_or(String::new(), |found| found.len().to_string()),
                );
            }
            Err(_) => {
                row.extend(RUBRIC.iter().map(|_| "0".to_string()));
                row.push(String::new());
            }
        }
        row.push(format!("{:.1}", self.seconds));
        row.join(",")
    }
}

/// Grades the submission folder `dir` (named `name`): its `grade.toml` or
/// its one `*.py` file, its build step, then every case.
pub fn grade_folder(name: &str, dir: &Path, layout: &Layout, settings: &Settings) -> Outcome {
    grade_read(name, Folder::read(dir), layout, settings, &|_, _| {})
}

/// Grades a folder already read (`grade one` may have changed its port or
/// docroot), telling `progress` (done, total) after each case.
pub fn grade_read(
    name: &str,
    folder: Result<Folder, String>,
    layout: &Layout,
    settings: &Settings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Outcome {
    let started = Instant::now();
    let graded = folder.and_then(|folder| grade_in(&folder, layout, settings, progress));
    Outcome {
        name: name.to_string(),
        graded,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn grade_in(
    folder: &Folder,
    layout: &Layout,
    settings: &Settings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(Scorecard, Vec<Verdict>), String> {
    let built = match &folder.build {
        Some(line) => Some(build_step::run(&folder.dir, line, &layout.protected())?),
        None => None,
    };
    let code = built.as_ref().map_or(folder.dir.clone(), |b| b.code());
    let target = Target::Command(folder.submission(&code));
    let graded = suite::grade(target, layout, settings, progress)?;
    Ok((graded.card, graded.verdicts))
}

/// How a class run goes.
pub struct ClassSettings {
    /// Each submission's grading.
    pub each: Settings,
    /// Submissions graded at once.
    pub jobs: usize,
    /// Gradescope's visibility of the robustness test.
    pub robustness_visibility: String,
}

/// Grades every folder of `submissions`, writing the class's files in `out`;
/// the outcomes, sorted by name. `progress` hears (done, total) after each.
pub fn grade_class(
    submissions: &Path,
    out: &Path,
    layout: &Layout,
    settings: &ClassSettings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<Outcome>, String> {
    let folders = folders(submissions)?;
    fs::create_dir_all(out).map_err(|e| format!("cannot make {}: {e}", out.display()))?;
    let outcomes = suite::parallel(
        &folders,
        settings.jobs,
        |(name, dir)| {
            let outcome = grade_folder(name, dir, layout, &settings.each);
            // Written at once: a class run stopped half-way keeps what it did.
            write_one(out, &outcome, &settings.robustness_visibility);
            outcome
        },
        progress,
    );
    write_class(out, &outcomes, layout)?;
    Ok(outcomes)
}

/// The submission folders: every directory in `submissions`, by name.
fn folders(submissions: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut found: Vec<(String, PathBuf)> = fs::read_dir(submissions)
        .map_err(|e| format!("cannot list {}: {e}", submissions.display()))?
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .map(|entry| {
            (
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            )
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(format!(
            "{} holds no submission folders (SUBMISSIONS/NAME/, one per submission)",
            submissions.display()
        ));
    }
    Ok(found)
}

fn write_one(out: &Path, outcome: &Outcome, robustness_visibility: &str) {
    let dir = out.join(&outcome.name);
    if let Err(e) = fs::create_dir_all(&dir) {
        eprintln!("cannot make {}: {e}", dir.display());
        return;
    }
    for (file, text) in [
        ("results.json", outcome.results_json(robustness_visibility)),
        ("report.md", outcome.report()),
    ] {
        if let Err(e) = fs::write(dir.join(file), text) {
            eprintln!("cannot write {}: {e}", dir.join(file).display());
        }
    }
}

fn write_class(out: &Path, outcomes: &[Outcome], layout: &Layout) -> Result<(), String> {
    let mut csv = format!("{CSV_HEADER}\n");
    for outcome in outcomes {
        csv += &outcome.csv_row();
        csv.push('\n');
    }
    let failures = failures(outcomes, layout);
    let write = |file: &str, text: &str| {
        fs::write(out.join(file), text)
            .map_err(|e| format!("cannot write {}: {e}", out.join(file).display()))
    };
    write("class.csv", &csv)?;
    write("summary.md", &summary(outcomes, &failures))?;
    write("failures.svg", &crate::chart::failures_svg(&failures)?)?;
    Ok(())
}

/// One case and the submissions that failed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failed {
    pub case: String,
    pub description: String,
    pub by: usize,
}

/// Every case some graded submission failed, most failed first.
pub fn failures(outcomes: &[Outcome], layout: &Layout) -> Vec<Failed> {
    let descriptions: BTreeMap<String, String> = case::discover(&layout.spec)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(name, loaded)| loaded.ok().map(|c| (name, c.file.description)))
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for outcome in outcomes {
        if let Ok((_, verdicts)) = &outcome.graded {
            for verdict in verdicts.iter().filter(|v| !v.passed()) {
                *counts.entry(&verdict.name).or_default() += 1;
            }
        }
    }
    let mut failed: Vec<Failed> = counts
        .into_iter()
        .map(|(case, by)| Failed {
            case: case.to_string(),
            description: descriptions.get(case).cloned().unwrap_or_default(),
            by,
        })
        .collect();
    // The cases that cost points first: they are what a course acts on.
    failed.sort_by(|a, b| (!a.in_rubric(), b.by, &a.case).cmp(&(!b.in_rubric(), a.by, &b.case)));
    failed
}

impl Failed {
    /// A core case: its outcome costs rubric points.
    pub fn in_rubric(&self) -> bool {
        case::profile_of(&self.case) == case::CORE
    }
}

/// `summary.md`: how many were graded, the score distribution, the cases
/// most failed.
pub fn summary(outcomes: &[Outcome], failures: &[Failed]) -> String {
    let graded = outcomes.iter().filter(|o| o.graded.is_ok()).count();
    let mut out = format!(
        "# Class summary\n\n{} submissions, {graded} graded.\n",
        outcomes.len()
    );
    let not: Vec<&Outcome> = outcomes.iter().filter(|o| o.graded.is_err()).collect();
    if !not.is_empty() {
        out += "\nNot graded:\n\n";
        for outcome in not {
            let why = outcome.render();
            let first = why.lines().next().unwrap_or_default();
            let _ = writeln!(out, "- {}: {}", outcome.name, first);
        }
    }
    out += "\n## Scores\n\n| score | submissions |\n| ---: | ---: |\n";
    let mut scores: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for outcome in outcomes {
        let score = outcome.score();
        scores.entry(points(score)).or_insert((score, 0)).1 += 1;
    }
    let mut scores: Vec<(String, (f64, usize))> = scores.into_iter().collect();
    scores.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0));
    for (score, (_, count)) in scores {
        let _ = writeln!(out, "| {score} | {count} |");
    }
    out += "\n## Cases failed, most failed first\n";
    if failures.is_empty() {
        out += "\nEvery graded submission passed every case.\n";
        return out;
    }
    for (title, in_rubric) in [
        ("The rubric's cases (core/): these cost points", true),
        ("Outside the rubric (reported, not scored)", false),
    ] {
        let _ = writeln!(out, "\n### {title}\n");
        let rows: Vec<&Failed> = failures
            .iter()
            .filter(|f| f.in_rubric() == in_rubric)
            .collect();
        if rows.is_empty() {
            out += "None failed.\n";
            continue;
        }
        out += "| case | failed by | what it checks |\n| --- | ---: | --- |\n";
        for f in rows {
            let _ = writeln!(
                out,
                "| {} | {} of {graded} | {} |",
                f.case,
                f.by,
                f.description.replace('|', "\\|")
            );
        }
    }
    out
}

/// A CSV field: quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
