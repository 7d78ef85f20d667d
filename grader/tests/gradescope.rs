//! The Gradescope autograder on a fake tree: `gradescope/run_autograder`
//! with `AUTOGRADER_ROOT` pointing at a temp dir laid out as Gradescope lays
//! out `/autograder` (source/ holding what gradescope/make_zip.sh ships,
//! submission/ the student's upload), and the results.json it writes.

use std::fs;
use std::path::Path;
use std::process::Command;

const TOP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const GRADE: &str = env!("CARGO_BIN_EXE_grade");

/// A fake `/autograder` with the faithful solution as the upload.
fn tree() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("a temp dir");
    let source = root.path().join("source");
    let submission = root.path().join("submission");
    fs::create_dir_all(&source).expect("source/");
    fs::create_dir_all(&submission).expect("submission/");
    let top = Path::new(TOP);
    for name in ["setup.sh", "run_autograder"] {
        fs::copy(top.join("gradescope").join(name), source.join(name)).expect("a script");
    }
    fs::copy(GRADE, source.join("grade")).expect("the grade binary");
    for folder in ["spec", "fixtures"] {
        std::os::unix::fs::symlink(
            top.join(folder).canonicalize().expect("a folder"),
            source.join(folder),
        )
        .expect("a link");
    }
    fs::copy(
        top.join("grader/servers/faithful/webserver.py"),
        submission.join("webserver.py"),
    )
    .expect("the upload");
    root
}

#[test]
fn run_autograder_grades_the_upload_into_results_json() {
    let root = tree();
    let run = Command::new("bash")
        .arg(root.path().join("source/run_autograder"))
        .env("AUTOGRADER_ROOT", root.path())
        .output()
        .expect("run_autograder runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("grading result: 100/100"), "{stdout}");
    let text = fs::read_to_string(root.path().join("results/results.json")).expect("results.json");
    let results: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(results["score"], 100.0);
    assert!(
        results["execution_time"].as_f64().is_some_and(|s| s >= 1.0),
        "{text}"
    );
    assert_eq!(results["output_format"], "md");
    assert_eq!(results["stdout_visibility"], "visible");
    let tests = results["tests"].as_array().expect("tests");
    assert!(tests.len() >= 8, "{text}");
    let robustness: Vec<&serde_json::Value> = tests
        .iter()
        .filter(|t| {
            t["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("robustness sequence"))
        })
        .collect();
    assert_eq!(robustness.len(), 1, "{text}");
    assert_eq!(robustness[0]["visibility"], "after_due_date");
    assert!(tests.iter().all(|t| t["output_format"] == "md"), "{text}");
}

#[test]
fn run_autograder_still_writes_results_json_when_the_grader_cannot_run() {
    let root = tree();
    fs::write(root.path().join("source/grade"), "#!/bin/sh\nexit 70\n").expect("a broken grader");
    let run = Command::new("bash")
        .arg(root.path().join("source/run_autograder"))
        .env("AUTOGRADER_ROOT", root.path())
        .output()
        .expect("run_autograder runs");
    assert!(run.status.success());
    let text = fs::read_to_string(root.path().join("results/results.json")).expect("results.json");
    let results: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(results["score"], 0);
    assert!(
        results["output"]
            .as_str()
            .is_some_and(|o| o.contains("exit status 70")),
        "{text}"
    );
}
