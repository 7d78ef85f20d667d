//! The GitHub Classroom workflow under `examples/` cannot run here: its YAML
//! is checked with yamllint (strict), and the command it runs must stay the
//! one the other tests run (`grade one DIR --results FILE`).

use std::path::Path;
use std::process::Command;

const WORKFLOW: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/github-classroom.yml"
);

/// yamllint's default rules, with lines up to 100 and no `---` required.
const RULES: &str = "{extends: default, rules: {line-length: {max: 100}, document-start: disable}}";

#[test]
fn the_classroom_workflow_is_lint_clean_yaml() {
    let lint = Command::new("yamllint")
        .args(["--strict", "-d", RULES])
        .arg(Path::new(WORKFLOW))
        .output()
        .unwrap_or_else(|e| {
            panic!("yamllint cannot run ({e}): apt-get install yamllint (.ci/run does)")
        });
    assert!(
        lint.status.success(),
        "{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
}

#[test]
fn the_classroom_workflow_runs_the_tested_command() {
    let text = std::fs::read_to_string(WORKFLOW).expect("the workflow");
    assert!(
        text.contains("grader/target/release/grade one submission"),
        "{text}"
    );
    assert!(text.contains("--results results.json"), "{text}");
    // The grader is checked out beside the code it grades, never inside it.
    assert!(text.contains("path: submission") && text.contains("path: grader"));
}
