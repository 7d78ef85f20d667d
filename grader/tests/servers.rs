//! Every server of `grader/servers/NAME/` graded as course staff would, and
//! compared with the verdict its `expect.toml` wrote down before it was
//! ever graded: the score, the points lost per item, the path rule seen, and
//! the robustness findings named.
//!
//! Each server is graded as `grade one` grades it (the rubric's cases and,
//! beside them, the robustness sequence), two servers at a time, as the
//! class command's default: the busy-loop verdict measures CPU, so a
//! spinning server must not be starved of the core it spins on.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use grader::files;
use grader::grade::Target;
use grader::launch::Submission;
use grader::rubric::RUBRIC;
use grader::score::Scorecard;
use grader::suite::{self, Layout, Settings};
use serde::Deserialize;

const SERVERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/servers");

/// Servers graded at once (see the module comment), and lanes within each.
const SERVERS_AT_ONCE: usize = 2;
const JOBS: usize = 4;
/// A bound on each server's run; far above what it needs.
const BUDGET: Duration = Duration::from_secs(240);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    about: String,
    score: f64,
    rule: Option<String>,
    robustness: Vec<String>,
    port: Option<u16>,
    docroot: Option<String>,
    #[serde(default)]
    lost: BTreeMap<String, f64>,
}

struct Server {
    name: String,
    expect: Expect,
    target: Target,
}

fn servers() -> Vec<Server> {
    let entries = files::walk(Path::new(SERVERS)).unwrap_or_else(|e| panic!("{e}"));
    let mut found: Vec<PathBuf> = entries
        .into_iter()
        .filter(|entry| !entry.is_dir && entry.path.file_name().is_some_and(|n| n == "expect.toml"))
        .map(|entry| entry.path)
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|path| {
            let dir = path.parent().expect("expect.toml lies in a folder");
            let name = dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            let expect: Expect = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!expect.about.is_empty(), "{name}: say what it is");
            let python: Vec<PathBuf> = fs::read_dir(dir)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .flatten()
                .map(|entry| entry.path())
                .filter(|p| p.extension().is_some_and(|ext| ext == "py"))
                .collect();
            assert_eq!(python.len(), 1, "{name}: one *.py file");
            // A server on a fixed port is named without `{port}`, as a
            // course would name it.
            let port = if expect.port.is_some() { "" } else { " {port}" };
            let target = Target::Command(Submission {
                port: expect.port,
                docroot: expect.docroot.clone(),
                ..Submission::new(format!("python3 -I -S {}{port}", python[0].display()))
            });
            Server {
                name,
                expect,
                target,
            }
        })
        .collect()
}

/// The scorecard's notes a server must have: how it was found.
fn expected_notes(name: &str) -> &'static [&'static str] {
    match name {
        "default-port" => &["listens on port 28333"],
        _ => &[],
    }
}

/// How `card` differs from what `expect` wrote down, one line each.
fn differences(card: &Scorecard, expect: &Expect) -> Vec<String> {
    let mut wrong = Vec::new();
    if card.score() != expect.score {
        wrong.push(format!(
            "score {} where {} is expected",
            card.score(),
            expect.score
        ));
    }
    for score in &card.items {
        let lost = f64::from(score.item.points()) - score.earned;
        let expected = expect.lost.get(score.item.key()).copied().unwrap_or(0.0);
        if lost != expected {
            wrong.push(format!(
                "{} lost {lost} points where {expected} is expected",
                score.item.key()
            ));
        }
    }
    for key in expect.lost.keys() {
        assert!(
            RUBRIC.iter().any(|item| item.key() == key),
            "{key} is no rubric item"
        );
    }
    let rule = card.rule.map(|rule| format!("{rule:?}").to_lowercase());
    if rule != expect.rule {
        wrong.push(format!(
            "path rule {rule:?} where {:?} is expected",
            expect.rule
        ));
    }
    let found: Vec<String> = card
        .robustness
        .iter()
        .flatten()
        .map(|finding| finding.words())
        .collect();
    if expect.robustness.is_empty() && !found.is_empty() {
        wrong.push(format!(
            "robustness findings where none are expected: {found:?}"
        ));
    }
    for word in &expect.robustness {
        if !found.iter().any(|f| f.contains(word.as_str())) {
            wrong.push(format!("no robustness finding says {word:?}: {found:?}"));
        }
    }
    wrong
}

#[test]
fn every_server_gets_the_verdict_written_in_its_expect_toml() {
    let layout = Layout::repository();
    let servers = servers();
    assert!(
        servers.len() >= 14,
        "grader/servers/ holds {} servers",
        servers.len()
    );
    let settings = Settings {
        budget: BUDGET,
        jobs: JOBS,
        only: Some("core/".to_string()),
        robustness: true,
        share: true,
    };
    let graded = suite::parallel(
        &servers,
        SERVERS_AT_ONCE,
        |server| {
            suite::grade(server.target.clone(), &layout, &settings, &|_, _| {})
                .unwrap_or_else(|e| panic!("{}: {e}", server.name))
        },
        &|_, _| {},
    );
    let mut wrong = Vec::new();
    for (server, done) in servers.iter().zip(&graded) {
        let mut differences = differences(&done.card, &server.expect);
        for note in expected_notes(&server.name) {
            if !done.card.notes.iter().any(|n| n.contains(note)) {
                differences.push(format!("no note says {note:?}: {:?}", done.card.notes));
            }
        }
        if !differences.is_empty() {
            wrong.push(format!(
                "{} ({}):\n  {}\n{}",
                server.name,
                server.expect.about,
                differences.join("\n  "),
                done.card.render()
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n\n"));
}
