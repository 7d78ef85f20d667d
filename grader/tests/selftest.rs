//! The grader's self-test: `servers/faithful/webserver.py`, a faithful Python solution,
//! must score 100/100 (conformantly, and byte for byte too: the goldens are what
//! an independent implementation of the assignment sends), and each mutant in
//! `servers/faithful/mutants.toml` must lose exactly the points of the item it breaks and
//! keep every other item.
//!
//! Every (server, case) pair is one job on a small pool of threads: most of a
//! job is waiting (a Python start, a schedule's pauses), so the whole self-test
//! takes a few seconds of wall time per core rather than one per case.
//!
//! Below it: the comparison rules one defect at a time (which item each costs),
//! servers that never start, hang, crash or leave children behind, and the
//! shape of results.json and the JUnit file.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::Duration;

use grader::case::{self, Case, CORE};
use grader::compare::{self, Defect, Finding, Mode};
use grader::exchange::{End, Reply};
use grader::export;
use grader::grade::{Run, Target, Verdict};
use grader::launch::{self, Submission};
use grader::preflight;
use grader::procfs;
use grader::root::{Root, CANARY};
use grader::rubric::{Item, RUBRIC};
use grader::score::Scorecard;
use grader::suite::{self, Layout};
use rstest::rstest;
use serde::Deserialize;

/// The faithful solution and its mutants.
const FAITHFUL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/servers/faithful");

/// Jobs in flight at once. Each is mostly waiting, so more than the cores.
const THREADS: usize = 8;

/// A bound on each server's run; far above what it needs.
const BUDGET: Duration = Duration::from_secs(240);

/// The defects the issue asks the mutants to cover (one mutant each).
const REQUIRED: [&str; 7] = [
    "no-path-stripping",
    "wrong-content-length",
    "wrong-content-type",
    "lf-only-header-lines",
    "different-404-body",
    "one-recv-holds-the-request",
    "no-connection-close",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mutants {
    mutant: Vec<Mutant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mutant {
    name: String,
    breaks: String,
    why: String,
    find: String,
    replace: String,
}

/// A server to grade and the items it must lose.
struct Variant {
    name: String,
    run: Run,
    loses: Option<Item>,
}

fn run(target: Target, budget: Duration) -> Run {
    Run::new(target, &Layout::repository(), budget).expect("the fixtures can be read")
}

fn core_cases() -> Vec<Case> {
    case::discover(&Layout::repository().spec)
        .expect("the spec folder")
        .into_iter()
        .filter(|(name, _)| case::profile_of(name) == CORE)
        .map(|(name, case)| case.unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

fn variants(dir: &Path) -> Vec<Variant> {
    let source = fs::read_to_string(format!("{FAITHFUL}/webserver.py")).expect("webserver.py");
    let text = fs::read_to_string(format!("{FAITHFUL}/mutants.toml")).expect("mutants.toml");
    let mutants: Mutants = toml::from_str(&text).expect("mutants.toml parses");
    let command = |name: &str, source: &str| {
        let path = dir.join(format!("{name}.py"));
        fs::write(&path, source).expect("write a variant");
        Target::Command(Submission::new(format!(
            "python3 -I -S {} {{port}}",
            path.display()
        )))
    };
    let faithful = command("faithful", &source);
    let mut out = vec![
        Variant {
            name: "faithful".to_string(),
            run: run(faithful.clone(), BUDGET),
            loses: None,
        },
        Variant {
            name: "faithful, byte for byte".to_string(),
            run: run(faithful, BUDGET).exact(),
            loses: None,
        },
    ];
    for mutant in mutants.mutant {
        let breaks = Item::from_key(&mutant.breaks).unwrap_or_else(|| {
            panic!(
                "{}: breaks = {:?} is no rubric item",
                mutant.name, mutant.breaks
            )
        });
        assert_eq!(
            source.matches(&mutant.find).count(),
            1,
            "{}: `find` must occur exactly once in webserver.py",
            mutant.name
        );
        assert!(!mutant.why.is_empty(), "{}: say why", mutant.name);
        let target = command(
            &mutant.name,
            &source.replacen(&mutant.find, &mutant.replace, 1),
        );
        out.push(Variant {
            name: mutant.name,
            run: run(target, BUDGET),
            loses: Some(breaks),
        });
    }
    out
}

#[test]
fn the_faithful_server_scores_100_and_each_mutant_loses_exactly_its_item() {
    let python = Command::new("python3").arg("--version").output();
    assert!(
        python.is_ok_and(|out| out.status.success()),
        "python3 is needed to run grader/servers/faithful/webserver.py (CI's machine image has it)"
    );
    let dir = tempfile::tempdir().expect("a temp dir for the variants");
    let variants = variants(dir.path());
    let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
    for required in REQUIRED {
        assert!(names.contains(&required), "mutants.toml lacks {required}");
    }
    let cases = core_cases();
    let pairs: Vec<(usize, usize)> = (0..variants.len())
        .flat_map(|v| (0..cases.len()).map(move |c| (v, c)))
        .collect();
    let results = suite::parallel(
        &pairs,
        THREADS,
        |&(v, c)| (v, variants[v].run.case(&cases[c])),
        &|_, _| {},
    );
    let mut verdicts: BTreeMap<usize, Vec<Verdict>> = BTreeMap::new();
    for (v, verdict) in results {
        verdicts.entry(v).or_default().push(verdict);
    }
    let mut wrong = Vec::new();
    for (i, variant) in variants.iter().enumerate() {
        let mut mine = verdicts.remove(&i).unwrap_or_default();
        mine.sort_by(|a, b| a.name.cmp(&b.name));
        let card = Scorecard::new(&variant.name, &mine, cases.len(), Vec::new(), Vec::new());
        assert_eq!(
            card.core_run,
            cases.len(),
            "{}: every case ran",
            variant.name
        );
        let mut unexpected = Vec::new();
        for score in &card.items {
            let broken = variant.loses == Some(score.item);
            let expected = if broken {
                0.0
            } else {
                f64::from(score.item.points())
            };
            if score.earned != expected {
                unexpected.push(format!(
                    "{} earned {}/{}, expected {expected}",
                    score.item.key(),
                    score.earned,
                    score.item.points()
                ));
            }
        }
        if !unexpected.is_empty() {
            wrong.push(format!(
                "{} (breaks {:?}): {}\n{}",
                variant.name,
                variant.loses,
                unexpected.join("; "),
                card.render()
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n\n"));
}

// ---------------------------------------------------------------------------
// The comparison rules, one defect at a time, without a server.

/// A case of `spec/`, its golden response, and the fixtures by name.
fn case_and_golden(name: &str) -> (Case, Vec<u8>) {
    let spec = Layout::repository().spec;
    let case = case::load(name, &spec.join(format!("{name}.toml"))).expect("the case loads");
    let golden = fs::read(&case.golden).expect("the golden response");
    (case, golden)
}

fn fixture(name: &str) -> Vec<u8> {
    fs::read(Layout::repository().fixtures.join(name)).expect("a fixture")
}

/// A 200 for file1.txt with `head` as its head lines (CRLF added) and `body`.
fn response(head: &[&str], body: &[u8]) -> Vec<u8> {
    let mut bytes = head.join("\r\n").into_bytes();
    bytes.extend_from_slice(b"\r\n\r\n");
    bytes.extend_from_slice(body);
    bytes
}

/// The items a reply's defects are charged to, sorted, without repeats.
fn items(case: &str, bytes: &[u8], end: End, mode: Mode) -> Vec<&'static str> {
    let (case, golden) = case_and_golden(case);
    let fixtures = vec![
        ("file1.txt".to_string(), fixture("file1.txt")),
        ("file2.html".to_string(), fixture("file2.html")),
    ];
    let reply = Reply {
        bytes: bytes.to_vec(),
        end,
    };
    let mut items: Vec<&'static str> =
        compare::judge(&case, mode, Some(&golden), &reply, &fixtures)
            .into_iter()
            .map(|f| f.item.map_or("outcome", Item::key))
            .collect();
    items.sort_unstable();
    items.dedup();
    items
}

const FILE1: &str = "core/file1-guide-request";

#[rstest]
#[case::lowercase_reordered_extra_headers_and_a_charset(
    &["HTTP/1.1 200 OK", "date: Mon, 23 Nov 2026 21:00:00 GMT", "content-length: 265",
      "Server: student/1.0", "connection: Close", "content-type: text/plain; charset=iso-8859-1"],
    None, End::Closed, &[])]
#[case::a_reset_after_the_response_is_a_close(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 265", "Connection: close"],
    None, End::Reset, &[])]
#[case::lf_only_lines(
    &["HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 265\nConnection: close\n"],
    None, End::Closed, &["header"])]
#[case::http_1_0_status_line(
    &["HTTP/1.0 200 OK", "Content-Type: text/plain", "Content-Length: 265", "Connection: close"],
    None, End::Closed, &["header"])]
#[case::reason_phrase_not_the_guides(
    &["HTTP/1.1 200 Ok", "Content-Type: text/plain", "Content-Length: 265", "Connection: close"],
    None, End::Closed, &["header"])]
#[case::no_connection_close(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 265"],
    None, End::Closed, &["header"])]
#[case::the_connection_stays_open(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 265", "Connection: close"],
    None, End::Open, &["header"])]
#[case::a_utf8_head_is_not_iso_8859_1(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 265", "Connection: close",
      "Server: Beej\u{2019}s"],
    None, End::Closed, &["header"])]
#[case::a_header_line_without_a_colon(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 265", "Connection: close",
      "oops"],
    None, End::Closed, &["header"])]
#[case::content_length_one_too_many(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 266", "Connection: close"],
    None, End::Closed, &["content-length"])]
#[case::no_content_length(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain", "Connection: close"],
    None, End::Closed, &["content-length"])]
#[case::two_content_lengths(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 265", "Content-Length: 265",
      "Connection: close"],
    None, End::Closed, &["content-length"])]
#[case::wrong_content_type(
    &["HTTP/1.1 200 OK", "Content-Type: text/html", "Content-Length: 265", "Connection: close"],
    None, End::Closed, &["content-type"])]
#[case::a_parameter_other_than_charset(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain; format=flowed", "Content-Length: 265",
      "Connection: close"],
    None, End::Closed, &["content-type"])]
#[case::no_content_type(
    &["HTTP/1.1 200 OK", "Content-Length: 265", "Connection: close"],
    None, End::Closed, &["content-type"])]
#[case::another_file(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 373", "Connection: close"],
    Some(include_bytes!("../../fixtures/file2.html").as_slice()), End::Closed, &["read"])]
#[case::only_the_start_of_the_file(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 100", "Connection: close"],
    Some(&include_bytes!("../../fixtures/file1.txt")[..100]), End::Closed, &["read"])]
#[case::a_mangled_body(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 3", "Connection: close"],
    Some(b"b''".as_slice()), End::Closed, &["payload"])]
#[case::a_404_where_a_200_is_due_costs_the_cases_item_only(
    &["HTTP/1.1 404 Not Found", "Content-Type: text/plain", "Content-Length: 13", "Connection: close"],
    Some(b"404 not found".as_slice()), End::Closed, &["read"])]
#[case::the_canary_costs_sandbox(
    &["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 52", "Connection: close"],
    Some(CANARY.as_bytes()), End::Closed, &["sandbox", "payload"])]
fn each_defect_costs_its_item(
    #[case] head: &[&str],
    #[case] body: Option<&[u8]>,
    #[case] end: End,
    #[case] expected: &[&str],
) {
    let body = body
        .map(<[u8]>::to_vec)
        .unwrap_or_else(|| fixture("file1.txt"));
    let bytes = if head.len() == 1 && head[0].contains('\n') {
        [head[0].as_bytes(), b"\n", &body].concat()
    } else {
        response(head, &body)
    };
    let mut expected = expected.to_vec();
    expected.sort_unstable();
    assert_eq!(
        items(FILE1, &bytes, end, Mode::Conformant),
        expected,
        "\n{}",
        grader::show::visible(&bytes)
    );
}

#[test]
fn exact_mode_holds_the_bundled_server_to_the_bytes() {
    let (_, golden) = case_and_golden(FILE1);
    assert_eq!(
        items(FILE1, &golden, End::Closed, Mode::Exact),
        Vec::<&str>::new()
    );
    let reordered = response(
        &[
            "HTTP/1.1 200 OK",
            "Content-Length: 265",
            "Content-Type: text/plain",
            "Connection: close",
        ],
        &fixture("file1.txt"),
    );
    assert_eq!(
        items(FILE1, &reordered, End::Closed, Mode::Conformant),
        Vec::<&str>::new()
    );
    assert_eq!(
        items(FILE1, &reordered, End::Closed, Mode::Exact),
        vec!["header"]
    );
}

#[test]
fn a_second_response_after_the_first_is_a_payload_defect_not_a_length_one() {
    let (_, golden) = case_and_golden("core/pipelined-second-ignored");
    let twice = [golden.as_slice(), golden.as_slice()].concat();
    assert_eq!(
        items(
            "core/pipelined-second-ignored",
            &twice,
            End::Closed,
            Mode::Conformant
        ),
        vec!["payload"]
    );
}

#[test]
fn a_charset_is_allowed_on_text_types_only() {
    let octet = "extensions/unknown-extension-octet-stream";
    let (_, golden) = case_and_golden(octet);
    let body = fixture("blob.dat");
    let with = |mime: &str| {
        response(
            &[
                "HTTP/1.1 200 OK",
                &format!("Content-Type: {mime}"),
                &format!("Content-Length: {}", body.len()),
                "Connection: close",
            ],
            &body,
        )
    };
    assert_eq!(
        items(octet, &golden, End::Closed, Mode::Conformant),
        Vec::<&str>::new()
    );
    assert_eq!(
        items(
            octet,
            &with("application/octet-stream; charset=utf-8"),
            End::Closed,
            Mode::Conformant
        ),
        vec!["content-type"]
    );
    assert_eq!(
        items(
            FILE1,
            &response(
                &[
                    "HTTP/1.1 200 OK",
                    "Content-Type: TEXT/PLAIN;charset=UTF-8",
                    "Content-Length: 265",
                    "Connection: close"
                ],
                &fixture("file1.txt")
            ),
            End::Closed,
            Mode::Conformant
        ),
        Vec::<&str>::new()
    );
}

#[test]
fn an_answer_to_head_keeps_gets_content_length_and_sends_no_body() {
    let head = "extensions/head-file1";
    let (_, golden) = case_and_golden(head);
    assert_eq!(
        items(head, &golden, End::Closed, Mode::Conformant),
        Vec::<&str>::new()
    );
    let zero = response(
        &[
            "HTTP/1.1 200 OK",
            "Content-Type: text/plain",
            "Content-Length: 0",
            "Connection: close",
        ],
        b"",
    );
    assert_eq!(
        items(head, &zero, End::Closed, Mode::Conformant),
        vec!["content-length"]
    );
}

// ---------------------------------------------------------------------------
// Servers that misbehave: each fails its cases with a reason, none hangs the run.

/// The first `n` core cases graded one after another against `command`.
fn grade_first(command: &str, n: usize, budget: Duration) -> Vec<Verdict> {
    let run = run(Target::Command(Submission::new(command)), budget);
    core_cases()
        .iter()
        .take(n)
        .map(|case| run.case(case))
        .collect()
}

fn whats(verdict: &Verdict) -> Vec<&str> {
    verdict.findings.iter().map(|f| f.what()).collect()
}

#[test]
fn a_server_that_never_starts_fails_with_its_stderr_and_is_given_up_on() {
    let verdicts = grade_first("echo 'cannot bind {port}' >&2; exit 3", 5, BUDGET);
    // Two failed starts with none that worked, and it is not started again.
    for verdict in &verdicts[..2] {
        assert_eq!(
            whats(verdict),
            ["the server did not start"],
            "{}",
            verdict.report
        );
        assert!(
            verdict.report.contains("exited (exit status: 3)"),
            "{}",
            verdict.report
        );
        assert!(verdict.report.contains("cannot bind"), "{}", verdict.report);
    }
    for verdict in &verdicts[2..] {
        assert_eq!(
            whats(verdict),
            ["not run: the server never started"],
            "{}",
            verdict.report
        );
    }
}

#[test]
fn a_command_without_the_port_placeholder_is_refused() {
    let verdicts = grade_first("python3 webserver.py 8080", 1, BUDGET);
    assert_eq!(whats(&verdicts[0]), ["the server did not start"]);
    assert!(
        verdicts[0].report.contains("{port}"),
        "{}",
        verdicts[0].report
    );
}

/// A server that listens (so connections are accepted by the kernel) and then
/// does nothing at all.
const SILENT: &str = "python3 -I -S -c 'import socket, sys, time\n\
    s = socket.socket()\n\
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
    s.bind((\"\", int(sys.argv[1])))\n\
    s.listen()\n\
    time.sleep(600)' {port}";

#[test]
fn a_server_that_hangs_is_cut_off_by_the_runs_budget() {
    // The first case waits out what is left of the budget (at least 1 s), the
    // second finds it spent and fails at once.
    let verdicts = grade_first(SILENT, 2, Duration::from_secs(2));
    assert_eq!(
        whats(&verdicts[0]),
        ["no response at all"],
        "{}",
        verdicts[0].report
    );
    assert!(verdicts[0].findings[0].detail.contains("Open"));
    assert_eq!(
        whats(&verdicts[1]),
        ["not run: the run's time budget was spent"]
    );
}

#[test]
fn a_server_that_crashes_on_a_request_says_how_it_ended() {
    let crash = "python3 -I -S -c 'import socket, sys\n\
        s = socket.socket()\n\
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
        s.bind((\"\", int(sys.argv[1])))\n\
        s.listen()\n\
        c, _ = s.accept()\n\
        c.recv(4096)\n\
        raise RuntimeError(\"student bug\")' {port}";
    let verdicts = grade_first(crash, 1, BUDGET);
    assert_eq!(
        whats(&verdicts[0]),
        ["no response at all"],
        "{}",
        verdicts[0].report
    );
    assert!(
        verdicts[0].report.contains("RuntimeError: student bug"),
        "{}",
        verdicts[0].report
    );
}

#[test]
fn stopping_a_server_kills_everything_its_command_started() {
    let root = Root::seeded(&Layout::repository().fixtures).expect("a root");
    // A shell command that leaves a grandchild behind, as `cmd &` does.
    let mut server = launch::command(
        &Submission::new(format!("sleep 300 & {SILENT}")),
        &root,
        &[],
    )
    .expect("the command starts");
    let _connection = server.connect().expect("it listens");
    let members = server.members();
    let pids = procfs::pids(&members);
    assert!(
        pids.len() >= 2,
        "the shell's server and its sleep: {pids:?}"
    );
    drop(server);
    // Bounded poll: the killed processes may take a moment to be reaped.
    let gone = (0..500).any(|_| {
        // SAFETY: signal 0 only asks whether the process is still there.
        let alive = pids
            .iter()
            .any(|&pid| unsafe { libc::kill(pid as libc::pid_t, 0) } == 0);
        if alive {
            thread::sleep(Duration::from_millis(10));
        }
        !alive
    });
    assert!(gone, "some of {pids:?} ({members:?}) outlived their Server");
}

// ---------------------------------------------------------------------------
// The scorecard's files.

fn verdict(name: &str, findings: &[(Option<Item>, Defect)], report: &str) -> Verdict {
    Verdict {
        name: name.to_string(),
        asked: "GET /x HTTP/1.1".to_string(),
        findings: findings
            .iter()
            .map(|&(item, defect)| Finding::new(defect, item, "detail"))
            .collect(),
        diff: "expected 1 bytes, got 2".to_string(),
        report: report.to_string(),
        ..Verdict::default()
    }
}

fn sample_card() -> (Scorecard, Vec<Verdict>) {
    // One of the assignment's own examples: the defect costs the whole item.
    let example = Verdict {
        example: true,
        ..verdict(
            "core/a",
            &[(Some(Item::Read), Defect::ContentLengthNotBody)],
            "a <report> & \u{1} more",
        )
    };
    let verdicts = vec![
        example,
        verdict("core/b", &[], ""),
        verdict("extensions/c", &[(None, Defect::WrongStatus)], "c's report"),
    ];
    let skipped = vec![("extensions/d".to_string(), "needs --tree".to_string())];
    (
        Scorecard::new("python3 s.py {port}", &verdicts, 2, skipped, Vec::new()),
        verdicts,
    )
}

#[test]
fn results_json_has_gradescopes_fields_and_every_item() {
    let (card, _) = sample_card();
    assert_eq!((card.score(), card.max_score()), (85.0, 100));
    let json = export::results_json(&card);
    assert_eq!(json["score"], 85.0);
    assert_eq!(json["max_score"], 100);
    let tests = json["tests"].as_array().expect("tests");
    assert_eq!(
        tests.len(),
        RUBRIC.len() + 1,
        "7 items and the extensions group"
    );
    for (test, item) in tests.iter().zip(RUBRIC) {
        assert!(test["name"]
            .as_str()
            .is_some_and(|n| n.starts_with(item.key())));
        assert_eq!(test["max_score"], item.points());
        assert!(test["output"].is_string());
    }
    let length = &tests[4];
    assert_eq!(length["score"], 0.0);
    assert!(length["output"]
        .as_str()
        .is_some_and(|o| o.contains("core/a")));
    assert_eq!(
        tests[7]["max_score"], 0,
        "groups outside the rubric are worth nothing"
    );
    assert!(tests[7]["output"]
        .as_str()
        .is_some_and(|o| o.contains("c's report")));
}

#[test]
fn junit_escapes_what_servers_print_and_marks_skips() {
    let (card, verdicts) = sample_card();
    let xml = export::junit(&card, &verdicts);
    assert!(xml.contains("a &lt;report&gt; &amp;  more"), "{xml}");
    assert!(!xml.contains('\u{1}'));
    assert!(xml.contains("<testcase classname=\"rubric\" name=\"content-length (0/15 points)\">"));
    assert!(xml.contains("<skipped message=\"needs --tree\"/>"));
    assert_eq!(
        xml.matches("<testsuite ").count(),
        3,
        "rubric, core, extensions"
    );
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
}

// ---------------------------------------------------------------------------
// What the preflight says once, at the top of the scorecard.

fn notes_for(cmd: &str) -> Vec<String> {
    preflight::check(Target::Command(Submission::new(cmd)), &Layout::repository()).notes
}

#[test]
fn a_server_that_cannot_start_is_reported_once_with_its_status_and_last_lines() {
    let notes = notes_for("echo 'line one' >&2; echo 'cannot bind {port}' >&2; exit 3");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("THE SERVER DID NOT START"),
        "{notes:?}"
    );
    assert!(notes[0].contains("exit status: 3"), "{notes:?}");
    assert!(notes[0].contains("cannot bind"), "{notes:?}");
}

#[test]
fn a_server_that_serves_a_subdirectory_is_told_about_webserver_docroot() {
    let server = format!(
        "{}/static-folder/server.py",
        concat!(env!("CARGO_MANIFEST_DIR"), "/servers")
    );
    let notes = notes_for(&format!("python3 -I -S {server} {{port}}"));
    assert!(
        notes
            .iter()
            .any(|n| n.contains("every existing file came back 404")
                && n.contains("WEBSERVER_DOCROOT")),
        "{notes:?}"
    );
}

#[test]
fn a_server_listening_on_another_port_is_told_so() {
    // Binds a port of its own choosing, whatever it is told.
    let elsewhere = "python3 -I -S -c 'import socket, time\n\
        s = socket.socket()\n\
        s.bind((\"127.0.0.1\", 0))\n\
        s.listen()\n\
        time.sleep(60)' {port}";
    let notes = notes_for(elsewhere);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("not on the port it was given")),
        "{notes:?}"
    );
}

#[test]
fn results_json_stays_small_whatever_the_reports_hold() {
    // A server that answers megabytes puts megabytes in its reports.
    let huge = "x".repeat(1 << 20);
    let verdicts: Vec<Verdict> = (0..40)
        .map(|i| {
            let profile = if i % 2 == 0 { "core" } else { "extensions" };
            verdict(
                &format!("{profile}/case-{i}"),
                &[(Some(Item::Payload), Defect::BodyDiffers)],
                &huge,
            )
        })
        .collect();
    let card = Scorecard::new("python3 s.py {port}", &verdicts, 20, Vec::new(), Vec::new());
    let text = export::results_json_text(&card);
    assert!(
        text.len() < 200 * 1024,
        "results.json is {} bytes",
        text.len()
    );
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    for test in json["tests"].as_array().expect("tests") {
        let output = test["output"].as_str().expect("an output");
        assert!(
            output.len() <= 20 * 1024,
            "{}: {} bytes",
            test["name"],
            output.len()
        );
    }
}
