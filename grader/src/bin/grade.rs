//! `grade`: grades a "Better Web Server" submission against the golden spec
//! and prints the scorecard that `WEBSERVER_CMD=... cargo test --test spec`
//! prints. The engine is the `grader` library; this file is only its command
//! line.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use grader::export;
use grader::grade::Target;
use grader::launch::Submission;
use grader::suite::{self, Layout};

const HELP: &str = "\
Grades a \"Better Web Server\" submission against the golden spec and the
guide's 100-point rubric, and prints its scorecard.

Usage: grade one [OPTIONS] (--cmd TEMPLATE | SUBMISSION_DIR)

  --cmd TEMPLATE     the command that starts the server, with {port} where its
                     port goes, e.g. 'python3 /abs/webserver.py {port}'; it runs
                     under sh -c with a fresh temp dir of the fixtures as its
                     working directory, so paths in it must be absolute
  SUBMISSION_DIR     a folder holding exactly one *.py file, run as
                     python3 DIR/FILE.py {port}
  --port N           the port the server always listens on (a command without
                     {port}); its cases then run one at a time
  --docroot SUBDIR   the subdirectory of its working directory it serves
                     (the fixtures are put there)
  --spec DIR         the golden cases; the fixtures are DIR/../fixtures
                     [default: the spec/ of the repository grade was built in]
  --results FILE     also write Gradescope's results.json to FILE
  --junit FILE       also write JUnit XML to FILE
  --report FILE      also write the full report, every failing case, as Markdown
  --budget SECS      the whole run's time budget [default: 60]
  --jobs N           cases run at once [default: 6]
  --strict           failures outside the rubric fail the run too
  -h, --help         print this help
  -V, --version      print the version

Exit status: 0 when the server earns every rubric point, 1 when it does not
(or a file could not be written), 2 for bad arguments.
";

const DEFAULT_BUDGET: Duration = Duration::from_secs(60);
/// Cases in flight at once: each mostly waits on its server's start and the
/// schedule's pauses, so more than the cores.
const DEFAULT_JOBS: usize = 6;

struct Options {
    target: Target,
    layout: Layout,
    results: Option<PathBuf>,
    junit: Option<PathBuf>,
    report: Option<PathBuf>,
    budget: Duration,
    jobs: usize,
    strict: bool,
}

enum Parsed {
    Grade(Box<Options>),
    Print(String),
}

fn main() -> ExitCode {
    match parse(std::env::args_os().skip(1).collect()) {
        Ok(Parsed::Print(text)) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Ok(Parsed::Grade(options)) => grade_one(&options),
        Err(problem) => {
            eprintln!("grade: {problem} (see grade --help)");
            ExitCode::from(2)
        }
    }
}

fn parse(args: Vec<OsString>) -> Result<Parsed, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut command = None;
    let mut cmd = None;
    let mut dir = None;
    let mut spec = None;
    let (mut results, mut junit, mut report) = (None, None, None);
    let (mut port, mut docroot) = (None, None);
    let (mut budget, mut jobs, mut strict) = (DEFAULT_BUDGET, DEFAULT_JOBS, false);
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Parsed::Print(HELP.to_string())),
            Short('V') | Long("version") => {
                return Ok(Parsed::Print(format!(
                    "grade {}\n",
                    env!("CARGO_PKG_VERSION")
                )))
            }
            Long("cmd") => cmd = Some(text(value(&mut parser)?)?),
            Long("spec") => spec = Some(PathBuf::from(value(&mut parser)?)),
            Long("results") => results = Some(PathBuf::from(value(&mut parser)?)),
            Long("junit") => junit = Some(PathBuf::from(value(&mut parser)?)),
            Long("report") => report = Some(PathBuf::from(value(&mut parser)?)),
            Long("port") => {
                let n = number(value(&mut parser)?, "--port")?;
                port = Some(
                    u16::try_from(n)
                        .ok()
                        .filter(|&p| p > 0)
                        .ok_or("--port takes 1 to 65535")?,
                );
            }
            Long("docroot") => docroot = Some(text(value(&mut parser)?)?),
            Long("budget") => {
                budget = Duration::from_secs(number(value(&mut parser)?, "--budget")?)
            }
            Long("jobs") => jobs = number(value(&mut parser)?, "--jobs")?.max(1) as usize,
            Long("strict") => strict = true,
            Value(value) if command.is_none() => command = Some(text(value)?),
            Value(value) if dir.is_none() => dir = Some(PathBuf::from(value)),
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    match command.as_deref() {
        Some("one") => {}
        Some(other) => return Err(format!("unknown command {other:?}: the command is `one`")),
        None => {
            return Err(
                "no command: try `grade one --cmd 'python3 /abs/webserver.py {port}'`".to_string(),
            )
        }
    }
    let cmd = match (cmd, dir) {
        (Some(cmd), None) => cmd,
        (None, Some(dir)) => submission_command(&dir)?,
        (Some(_), Some(_)) => return Err("--cmd or SUBMISSION_DIR, not both".to_string()),
        (None, None) => {
            return Err("the server to grade: --cmd TEMPLATE or SUBMISSION_DIR".to_string())
        }
    };
    let target = Target::Command(Submission {
        port,
        docroot,
        ..Submission::new(cmd)
    });
    let layout = match spec {
        Some(spec) => Layout::beside(&spec),
        None => Layout::repository(),
    };
    Ok(Parsed::Grade(Box::new(Options {
        target,
        layout,
        results,
        junit,
        report,
        budget,
        jobs,
        strict,
    })))
}

fn value(parser: &mut lexopt::Parser) -> Result<OsString, String> {
    parser.value().map_err(|e| e.to_string())
}

fn text(value: OsString) -> Result<String, String> {
    value
        .into_string()
        .map_err(|v| format!("{v:?} is not UTF-8"))
}

fn number(value: OsString, flag: &str) -> Result<u64, String> {
    let value = text(value)?;
    value
        .parse()
        .map_err(|_| format!("{flag} takes a whole number, not {value:?}"))
}

/// How to start a submission folder: its one Python file.
fn submission_command(dir: &Path) -> Result<String, String> {
    let dir = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let python: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    match python.as_slice() {
        [one] => Ok(format!("python3 '{}' {{port}}", one.display())),
        [] => Err(format!(
            "don't know how to start {}: it holds no *.py file; pass --cmd",
            dir.display()
        )),
        _ => Err(format!(
            "don't know how to start {}: it holds {} *.py files; pass --cmd",
            dir.display(),
            python.len()
        )),
    }
}

fn grade_one(options: &Options) -> ExitCode {
    match grade(options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(problem) => {
            eprintln!("grade: {problem}");
            ExitCode::from(1)
        }
    }
}

/// Grades the target; `Ok(passed)`.
fn grade(options: &Options) -> Result<bool, String> {
    let started = Instant::now();
    // One line rewritten in place on a terminal; in a log, only the last.
    let terminal = std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if terminal || done == total {
            eprint!(
                "\rgrading: {done}/{total} cases, {:.0} s",
                started.elapsed().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
        }
    };
    let settings = suite::Settings {
        budget: options.budget,
        jobs: options.jobs,
        only: None,
        robustness: true,
    };
    let graded = suite::grade(
        options.target.clone(),
        &options.layout,
        &settings,
        &progress,
    )?;
    let (card, verdicts) = (graded.card, graded.verdicts);
    eprintln!();
    print!("{}", card.render());
    let mut written = true;
    if let Some(path) = &options.results {
        written &= export::save(path, &export::results_json_text(&card));
    }
    if let Some(path) = &options.junit {
        written &= export::save(path, &export::junit(&card, &verdicts));
    }
    if let Some(path) = &options.report {
        written &= export::save(path, &export::markdown(&card, &verdicts));
    }
    let pass = written && suite::passes(&card, options.strict);
    println!("{}", suite::result_line(&card, pass));
    eprintln!(
        "graded in {:.1} s; the grader's peak memory: {} KiB",
        started.elapsed().as_secs_f64(),
        peak_memory_kib()
    );
    Ok(pass)
}

/// The grader's own peak resident memory (its children's not counted).
fn peak_memory_kib() -> i64 {
    // SAFETY: getrusage fills the struct we own.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage.ru_maxrss
    }
}
