//! `grade class` over a folder of submissions, as course staff run it: the
//! rows of `class.csv` against the verdicts written down here (every column
//! but `seconds`), the files beside it, and `grade one` printing exactly
//! the scorecard the class run put in that student's report.
//!
//! A subset of `grader/servers/` keeps this test near a minute; `bash
//! bench/class.sh` grades all of them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const SERVERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/servers");
const GRADE: &str = env!("CARGO_BIN_EXE_grade");

/// Each submission's row, `seconds` left out, written before the run.
const EXPECTED: [(&str, &str, &str); 9] = [
    ("built", "class/built", "built,100,10,20,10,15,15,15,15,0"),
    (
        "crash-on-directory",
        "crash-on-directory",
        "crash-on-directory,95,10,20,5,15,15,15,15,0",
    ),
    (
        "crash-on-hello",
        "crash-on-hello",
        "crash-on-hello,100,10,20,10,15,15,15,15,2",
    ),
    (
        "faithful",
        "faithful",
        "faithful,100,10,20,10,15,15,15,15,0",
    ),
    (
        "fixed-port",
        "fixed-port",
        "fixed-port,100,10,20,10,15,15,15,15,0",
    ),
    (
        "needs-network",
        "class/needs-network",
        "needs-network,0,0,0,0,0,0,0,0,",
    ),
    (
        "static-folder",
        "static-folder",
        "static-folder,100,10,20,10,15,15,15,15,0",
    ),
    ("two-files", "class/two-files", "two-files,0,0,0,0,0,0,0,0,"),
    (
        "wrong-404-reason",
        "wrong-404-reason",
        "wrong-404-reason,85,10,20,10,15,15,15,0,0",
    ),
];

/// A SUBMISSIONS folder of links to the servers.
fn submissions() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    for (name, source, _) in EXPECTED {
        std::os::unix::fs::symlink(Path::new(SERVERS).join(source), dir.path().join(name))
            .expect("a link");
    }
    dir
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The scorecard inside a report.md: the first fenced block.
fn fenced(report: &str) -> String {
    let start = report.find("```text\n").expect("a fenced scorecard") + "```text\n".len();
    let end = report[start..].find("```").expect("its end") + start;
    report[start..end].to_string()
}

#[test]
fn a_class_run_writes_each_rows_verdict_and_the_class_files() {
    let submissions = submissions();
    let out = tempfile::tempdir().expect("a temp dir");
    let run = Command::new(GRADE)
        .args(["class"])
        .arg(submissions.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("grade runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("9/9 submissions"), "{stderr}");

    let csv = read(&out.path().join("class.csv"));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("submission,score,filename,sandbox,read,content-type,content-length,header,payload,robustness,seconds")
    );
    let rows: Vec<String> = lines
        .map(|line| {
            line.rsplit_once(',')
                .expect("a seconds column")
                .0
                .to_string()
        })
        .collect();
    let expected: Vec<String> = EXPECTED.iter().map(|(_, _, row)| row.to_string()).collect();
    let mut wrong = Vec::new();
    for (row, want) in rows.iter().zip(&expected) {
        if row != want {
            let name = want.split(',').next().unwrap_or_default();
            let report = read(&out.path().join(name).join("report.md"));
            wrong.push(format!("got  {row}\nwant {want}\n{}", fenced(&report)));
        }
    }
    assert_eq!(rows.len(), expected.len(), "{csv}");
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n\n"));

    let network = read(&out.path().join("needs-network/report.md"));
    assert!(network.contains("build failed (no network)"), "{network}");
    let two = read(&out.path().join("two-files/report.md"));
    assert!(
        two.contains("don't know how to start this submission: add grade.toml"),
        "{two}"
    );

    let results: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("wrong-404-reason/results.json")))
            .expect("results.json is JSON");
    assert_eq!(results["score"], 85.0);
    assert!(results["execution_time"].as_f64().is_some_and(|s| s > 0.0));
    assert_eq!(results["output_format"], "md");
    assert_eq!(results["stdout_visibility"], "visible");

    let summary = read(&out.path().join("summary.md"));
    assert!(summary.contains("9 submissions, 7 graded."), "{summary}");
    assert!(summary.contains("| 100 | 5 |"), "{summary}");
    assert!(
        summary.contains("- two-files: NOT GRADED: don't know how"),
        "{summary}"
    );
    let svg = read(&out.path().join("failures.svg"));
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("Cases failed"), "{svg}");

    // The student's self-check prints the scorecard of the class report.
    let one = Command::new(GRADE)
        .arg("one")
        .arg(Path::new(SERVERS).join("wrong-404-reason"))
        .output()
        .expect("grade runs");
    let printed = String::from_utf8_lossy(&one.stdout);
    let card = printed
        .split("grading result:")
        .next()
        .unwrap_or_default()
        .to_string();
    let report = read(&out.path().join("wrong-404-reason/report.md"));
    assert_eq!(card, fenced(&report));
}

#[test]
fn a_class_run_without_submissions_says_so() {
    let empty = tempfile::tempdir().expect("a temp dir");
    let out: PathBuf = empty.path().join("out");
    let run = Command::new(GRADE)
        .arg("class")
        .arg(empty.path())
        .arg("--out")
        .arg(&out)
        .output()
        .expect("grade runs");
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("holds no submission folders"), "{stderr}");
}

#[test]
fn grade_class_without_out_is_a_usage_error() {
    let run = Command::new(GRADE)
        .args(["class", "/tmp"])
        .output()
        .expect("grade runs");
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("--out"), "{stderr}");
}
