//! `grade`: grades a "Better Web Server" submission against the golden spec
//! and prints the scorecard that `WEBSERVER_CMD=... cargo test --test spec`
//! prints. The engine is the `grader` library; this file is only its command
//! line.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use grader::class;
use grader::export;
use grader::folder::Folder;
use grader::grade::Target;
use grader::launch::Submission;
use grader::suite::{self, Layout};

const HELP: &str = "\
Grades \"Better Web Server\" submissions against the golden spec and the
guide's 100-point rubric.

Usage: grade one [OPTIONS] (--cmd TEMPLATE | SUBMISSION_DIR)
       grade class [OPTIONS] SUBMISSIONS --out OUT

grade one: one submission; prints its scorecard.
  --cmd TEMPLATE     the command that starts the server, with {port} where its
                     port goes, e.g. 'python3 /abs/webserver.py {port}'; it runs
                     under sh -c with a fresh temp dir of the fixtures as its
                     working directory, so paths in it must be absolute
  SUBMISSION_DIR     a submission folder: run as its grade.toml says (cmd with
                     {port} and {dir}, port, docroot, build), or else, when it
                     holds exactly one *.py file, as python3 DIR/FILE.py {port}
  --port N           the port the server always listens on (a command without
                     {port})
  --docroot SUBDIR   the subdirectory of its working directory it serves
                     (the fixtures are put there)
  --results FILE     also write Gradescope's results.json to FILE
  --junit FILE       also write JUnit XML to FILE
  --report FILE      also write the full report, every failing case, as Markdown
  --strict           failures outside the rubric fail the run too
  --jobs N           the same as --lanes

  --robustness-visibility V
                     Gradescope visibility of the robustness test in
                     --results (visible, hidden, after_due_date,
                     after_published) [default: visible]

grade class: every folder of SUBMISSIONS is one submission, graded as
`grade one SUBMISSIONS/NAME` grades it; writes OUT/class.csv, OUT/summary.md,
OUT/failures.svg and OUT/NAME/results.json and OUT/NAME/report.md.
  --out OUT          where the class's files go
  --jobs N           submissions graded at once [default: 2]
  --robustness-visibility V   as for grade one, in each results.json

Both:
  --lanes N          cases in flight at once within a submission [default: 6]
  --budget SECS      each submission's time budget [default: 60]
  --fresh-servers    a fresh server for every case, as the grader once did
                     (slower; bench/speed.sh compares the two)
  --spec DIR         the golden cases; the fixtures are DIR/../fixtures
                     [default: the spec/ of the repository grade was built in]
  -h, --help         print this help
  -V, --version      print the version

Containment: every server (and build) runs in a bubblewrap sandbox of its
own, which sees its case folder, its code and the system's /usr, and no
network but its own loopback: as root, under a uid of its own; otherwise in a
user namespace of its own. Without bubblewrap or namespaces it runs
uncontained and the scorecard's first line says so; GRADE_UNCONTAINED=1 turns
containment off. The last line on stderr names which was used.

Exit status: grade one: 0 when the server earns every rubric point, 1 when it
does not (or a file could not be written); grade class: 0 when every file
was written, whatever the scores; 2 for bad arguments.
";

const DEFAULT_BUDGET: Duration = Duration::from_secs(60);
/// Cases in flight at once: each mostly waits on its server (a reply, a
/// start), so more than the cores; 6 measured fastest on 2 cores (README).
const DEFAULT_LANES: usize = 6;
/// Submissions graded at once by `grade class`: each already keeps both
/// cores busy part of the time; measured on 2 cores (README).
const DEFAULT_CLASS_JOBS: usize = 2;

/// What a `grade one` grades.
enum Server {
    Command(Target),
    Folder(PathBuf),
}

struct Options {
    server: Server,
    port: Option<u16>,
    docroot: Option<String>,
    layout: Layout,
    results: Option<PathBuf>,
    junit: Option<PathBuf>,
    report: Option<PathBuf>,
    settings: suite::Settings,
    strict: bool,
    /// Gradescope's visibility of the robustness test.
    visibility: String,
}

struct ClassOptions {
    submissions: PathBuf,
    out: PathBuf,
    layout: Layout,
    settings: class::ClassSettings,
}

enum Parsed {
    One(Box<Options>),
    Class(Box<ClassOptions>),
    Print(String),
}

fn main() -> ExitCode {
    match parse(std::env::args_os().skip(1).collect()) {
        Ok(Parsed::Print(text)) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Ok(Parsed::One(options)) => grade_one(&options),
        Ok(Parsed::Class(options)) => grade_class(&options),
        Err(problem) => {
            eprintln!("grade: {problem} (see grade --help)");
            ExitCode::from(2)
        }
    }
}

fn parse(args: Vec<OsString>) -> Result<Parsed, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut command: Option<String> = None;
    let (mut cmd, mut dir, mut spec, mut out) = (None, None, None, None);
    let (mut results, mut junit, mut report) = (None, None, None);
    let (mut port, mut docroot) = (None, None);
    let (mut budget, mut lanes, mut jobs, mut strict) = (DEFAULT_BUDGET, None, None, false);
    let mut visibility = "visible".to_string();
    let mut fresh = false;
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
            Long("out") => out = Some(PathBuf::from(value(&mut parser)?)),
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
            Long("lanes") => lanes = Some(number(value(&mut parser)?, "--lanes")?.max(1) as usize),
            Long("jobs") => jobs = Some(number(value(&mut parser)?, "--jobs")?.max(1) as usize),
            Long("robustness-visibility") => {
                visibility = text(value(&mut parser)?)?;
                const KNOWN: [&str; 4] = ["visible", "hidden", "after_due_date", "after_published"];
                if !KNOWN.contains(&visibility.as_str()) {
                    return Err(format!(
                        "--robustness-visibility takes one of {KNOWN:?}, not {visibility:?}"
                    ));
                }
            }
            Long("strict") => strict = true,
            Long("fresh-servers") => fresh = true,
            Value(value) if command.is_none() => command = Some(text(value)?),
            Value(value) if dir.is_none() => dir = Some(PathBuf::from(value)),
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    let layout = match spec {
        Some(spec) => Layout::beside(&spec),
        None => Layout::repository(),
    };
    let settings = |lanes: usize| suite::Settings {
        budget,
        jobs: lanes,
        only: None,
        robustness: true,
        share: !fresh,
    };
    match command.as_deref() {
        Some("one") => {}
        Some("class") => {
            let submissions = dir.ok_or("grade class needs the SUBMISSIONS folder")?;
            let out = out.ok_or("grade class needs --out OUT, where its files go")?;
            if cmd.is_some() || port.is_some() || docroot.is_some() {
                return Err(
                    "grade class reads each submission's grade.toml: no --cmd, --port or --docroot"
                        .to_string(),
                );
            }
            return Ok(Parsed::Class(Box::new(ClassOptions {
                submissions,
                out,
                layout,
                settings: class::ClassSettings {
                    each: settings(lanes.unwrap_or(DEFAULT_LANES)),
                    jobs: jobs.unwrap_or(DEFAULT_CLASS_JOBS),
                    robustness_visibility: visibility.clone(),
                },
            })));
        }
        Some(other) => {
            return Err(format!(
                "unknown command {other:?}: the commands are `one` and `class`"
            ))
        }
        None => {
            return Err(
                "no command: try `grade one --cmd 'python3 /abs/webserver.py {port}'`".to_string(),
            )
        }
    }
    if out.is_some() {
        return Err("--out belongs to grade class; grade one writes --results, --report".into());
    }
    let server = match (cmd, dir) {
        (Some(cmd), None) => Server::Command(Target::Command(Submission {
            port,
            docroot: docroot.clone(),
            ..Submission::new(cmd)
        })),
        (None, Some(dir)) => Server::Folder(dir),
        (Some(_), Some(_)) => return Err("--cmd or SUBMISSION_DIR, not both".to_string()),
        (None, None) => {
            return Err("the server to grade: --cmd TEMPLATE or SUBMISSION_DIR".to_string())
        }
    };
    Ok(Parsed::One(Box::new(Options {
        server,
        port,
        docroot,
        layout,
        results,
        junit,
        report,
        settings: settings(lanes.or(jobs).unwrap_or(DEFAULT_LANES)),
        strict,
        visibility,
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
    let outcome = match &options.server {
        Server::Command(target) => {
            let graded = suite::grade(
                target.clone(),
                &options.layout,
                &options.settings,
                &progress,
            )?;
            class::Outcome {
                name: String::new(),
                graded: Ok((graded.card, graded.verdicts)),
                seconds: started.elapsed().as_secs_f64(),
            }
        }
        Server::Folder(dir) => {
            let folder = Folder::read(dir).map(|mut folder| {
                folder.port = options.port.or(folder.port);
                folder.docroot = options.docroot.clone().or(folder.docroot);
                folder
            });
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
            class::grade_read(
                &name.unwrap_or_default(),
                folder,
                &options.layout,
                &options.settings,
                &progress,
            )
        }
    };
    eprintln!();
    print!("{}", outcome.render());
    let mut written = true;
    if let Some(path) = &options.results {
        written &= export::save(path, &outcome.results_json(&options.visibility));
    }
    if let Some(path) = &options.report {
        written &= export::save(path, &outcome.report());
    }
    let Ok((card, verdicts)) = &outcome.graded else {
        return Ok(false);
    };
    if let Some(path) = &options.junit {
        written &= export::save(path, &export::junit(card, verdicts));
    }
    let pass = written && suite::passes(card, options.strict);
    println!("{}", suite::result_line(card, pass));
    eprintln!(
        "graded in {:.1} s, {}; the grader's peak memory: {} KiB",
        started.elapsed().as_secs_f64(),
        grader::sandbox::containment().describe(),
        peak_memory_kib()
    );
    Ok(pass)
}

fn grade_class(options: &ClassOptions) -> ExitCode {
    let started = Instant::now();
    let progress = |done: usize, total: usize| {
        let elapsed = started.elapsed().as_secs_f64();
        let left = elapsed / done.max(1) as f64 * (total - done) as f64;
        eprint!(
            "\rclass: {done}/{total} submissions, {elapsed:.0} s elapsed, about {left:.0} s left   "
        );
        let _ = std::io::stderr().flush();
    };
    eprint!("\rclass: grading the first submissions...");
    let outcomes = class::grade_class(
        &options.submissions,
        &options.out,
        &options.layout,
        &options.settings,
        &progress,
    );
    eprintln!();
    match outcomes {
        Ok(outcomes) => {
            let graded = outcomes.iter().filter(|o| o.graded.is_ok()).count();
            println!(
                "graded {graded} of {} submissions in {:.0} s; wrote {}",
                outcomes.len(),
                started.elapsed().as_secs_f64(),
                options.out.join("class.csv").display()
            );
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("grade: {problem}");
            ExitCode::from(1)
        }
    }
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
