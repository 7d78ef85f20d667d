//! Real clients against the real server: headless Chromium, curl and Python's
//! `http.client`. The golden files prove the contract byte for byte; these prove
//! that programs people actually use understand it the same way.
//!
//! - `chromium/*`: `--dump-dom` shows `file2.html` rendered as HTML, `file1.txt`
//!   and the 404 as plain text (Chromium wraps `text/plain` in one `<pre>`), and
//!   a `--listing` page whose every link leads to its file; plus a screenshot.
//! - `curl/PROFILE/CASE`, `python/PROFILE/CASE`: for every golden case of
//!   `core/` and `extensions/` that is a plain GET a client would send unchanged
//!   (discovered, see [`client_cases`]), the status line, headers and body the
//!   client reports equal the golden `.response`.
//!
//! A client that is not installed: with `CI` set, its tests FAIL (CI's `.ci/run`
//! installs them, so a missing one is a broken CI); without `CI`, they are
//! reported as *ignored* with the program's name and how to install it, never
//! as passed. `harness = false` with libtest-mimic for exactly that: a runtime
//! "ignored, <reason>" instead of a silent early return.

mod support;

use std::env;
use std::fs;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use grader::case::{self, Case, Expect};
use grader::exchange::{get, Schedule};
use grader::grade::REPLY_TIMEOUT;
use grader::show::{diff, visible};
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use support::{seeded, start, Server, FIXTURES};
use wait_timeout::ChildExt;

/// How long one client run may take. Generous: Chromium starts in about half a
/// second alone, but 2 cores are shared by several builds and test suites.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(120);

/// Proxy settings a client could pick up from the environment. Every request
/// here goes to loopback, so each client is also told to use no proxy.
const PROXY_VARS: &[&str] = &[
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
];

/// Cases the discovery must find, so that it can never silently select nothing.
const REQUIRED_CASES: &[&str] = &[
    "core/file1-guide-request",
    "core/file2-guide-request",
    "core/missing-file",
];

fn main() {
    let args = Arguments::from_args();
    let in_ci = env::var_os("CI").is_some();
    let cases = client_cases();
    let mut trials = vec![Trial::test("clients/discovery-finds-the-guide-cases", {
        let names: Vec<String> = cases.iter().map(|case| case.name.clone()).collect();
        move || discovery_finds_the_guide_cases(&names)
    })];

    let chromium = Program::find(
        "Chromium",
        &["chromium", "chromium-browser"],
        "apt-get install chromium (Debian) or chromium-browser (Ubuntu)",
    );
    let curl = Program::find("curl", &["curl"], "apt-get install curl");
    let python = Program::find("Python 3", &["python3"], "apt-get install python3");

    let browser_checks: [(&str, BrowserCheck); 7] = [
        ("chromium/file2-renders-as-html", file2_renders_as_html),
        ("chromium/file1-shows-as-text", file1_shows_as_text),
        ("chromium/missing-file-shows-404", missing_file_shows_404),
        ("chromium/file2-screenshot", file2_screenshot),
        (
            "chromium/listing-shows-a-hostile-name-as-text",
            listing_shows_hostile_name,
        ),
        (
            "chromium/listing-links-lead-to-files",
            root_listing_links_lead_to_files,
        ),
        (
            "chromium/tree-listing-links-lead-to-files",
            tree_listing_links_lead_to_files,
        ),
    ];
    for (name, check) in browser_checks {
        trials.push(with_program(name, &chromium, in_ci, move |program| {
            check(&program)
        }));
    }
    for case in &cases {
        let (for_curl, for_python) = (case.clone(), case.clone());
        trials.push(with_program(
            &format!("curl/{}", case.name),
            &curl,
            in_ci,
            move |program| agrees(&for_curl, &fetch_with_curl(&program, &for_curl)?),
        ));
        trials.push(with_program(
            &format!("python/{}", case.name),
            &python,
            in_ci,
            move |program| agrees(&for_python, &fetch_with_python(&program, &for_python)?),
        ));
    }
    libtest_mimic::run(&args, trials).exit();
}

type BrowserCheck = fn(&Path) -> Result<(), Failed>;

// ---------------------------------------------------------------------------
// Finding the clients, and what happens when one is missing.

/// A client program looked up on `PATH`.
#[derive(Clone)]
struct Program {
    label: &'static str,
    path: Option<PathBuf>,
    names: &'static [&'static str],
    install: &'static str,
}

impl Program {
    fn find(label: &'static str, names: &'static [&'static str], install: &'static str) -> Self {
        let path = names.iter().find_map(|name| on_path(name));
        if path.is_none() && env::var_os("CI").is_none() {
            eprintln!(
                "note: {label} ({}) is not on PATH: its tests are IGNORED, not passed; \
                 install it with `{install}`",
                names.join(" or ")
            );
        }
        Program {
            label,
            path,
            names,
            install,
        }
    }

    fn missing(&self) -> String {
        format!(
            "{} not found on PATH (looked for {}); install it with `{}`",
            self.label,
            self.names.join(", "),
            self.install
        )
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| {
            fs::metadata(path)
                .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        })
}

/// A trial that runs `test` with the program's path; when the program is
/// missing, an ignored trial that says why, or in CI a failing one.
fn with_program<F>(name: &str, program: &Program, in_ci: bool, test: F) -> Trial
where
    F: FnOnce(PathBuf) -> Result<(), Failed> + Send + 'static,
{
    match (&program.path, in_ci) {
        (Some(path), _) => {
            let path = path.clone();
            Trial::test(name, move || test(path))
        }
        (None, true) => {
            let why = format!(
                "{} and CI is set: .ci/run should have installed it",
                program.missing()
            );
            Trial::test(name, move || Err(why.into()))
        }
        (None, false) => {
            let why = program.missing();
            Trial::ignorable_test(name, move || Ok(Completion::ignored_with(why)))
        }
    }
}

// ---------------------------------------------------------------------------
// Running a client, bounded in time.

/// What a finished client run left behind.
struct Ran {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Ran {
    fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Runs `command` to completion within [`CLIENT_TIMEOUT`], without a proxy.
/// Output goes to files, not pipes: Chromium's helper processes inherit the
/// descriptors, and a pipe they hold open would keep a reader waiting forever.
fn run_bounded(mut command: Command) -> Result<Ran, String> {
    let mut out = tempfile::tempfile().map_err(|e| format!("temp file: {e}"))?;
    let mut err = tempfile::tempfile().map_err(|e| format!("temp file: {e}"))?;
    for var in PROXY_VARS {
        command.env_remove(var);
    }
    command
        .stdin(Stdio::null())
        .stdout(out.try_clone().map_err(|e| format!("temp file: {e}"))?)
        .stderr(err.try_clone().map_err(|e| format!("temp file: {e}"))?);
    // Its own process group, so a timeout can stop the browser's helpers too.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let status = match child.wait_timeout(CLIENT_TIMEOUT) {
        Ok(Some(status)) => status,
        Ok(None) | Err(_) => {
            // The group id is the child's pid, still ours: it is not reaped yet.
            if let Ok(group) = i32::try_from(child.id()) {
                // SAFETY: kill(2) with a negative pid signals that process group.
                unsafe { libc::kill(-group, libc::SIGKILL) };
            }
            let _ = child.wait();
            return Err(format!(
                "{command:?} did not finish within {CLIENT_TIMEOUT:?}; killed it"
            ));
        }
    };
    let read_back = |file: &mut fs::File| -> Result<Vec<u8>, String> {
        let mut bytes = Vec::new();
        file.rewind()
            .and_then(|_| file.read_to_end(&mut bytes))
            .map_err(|e| format!("reading {command:?}'s output: {e}"))?;
        Ok(bytes)
    };
    let stdout = read_back(&mut out)?;
    let stderr = read_back(&mut err)?;
    Ok(Ran {
        status,
        stdout,
        stderr,
    })
}

// ---------------------------------------------------------------------------
// The golden cases a client can replay.

/// A golden case whose request is the guide's plain GET.
#[derive(Debug, Clone)]
struct ClientCase {
    /// `PROFILE/NAME`, as `tests/spec.rs` names the case.
    name: String,
    target: String,
    /// The case's server flags.
    args: Vec<String>,
    golden: PathBuf,
}

/// Every case of [`CLIENT_PROFILES`] that is `expect = "exact"`, with no send
/// schedule and no `setup`, and whose request is exactly the guide's `GET
/// TARGET HTTP/1.1`, `Host: localhost`, `Connection: close`, with a target that
/// curl and `http.client` send unchanged: the client's request then differs
/// from the golden one only in headers the server ignores (Host's port,
/// User-Agent, Accept), so the golden response is the one it must get.
/// Discovered rather than listed, so a new case of that shape is replayed by
/// the clients with no edit here; a case file that cannot be read stops the
/// suite rather than being skipped.
fn client_cases() -> Vec<ClientCase> {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let found = case::discover(&spec).unwrap_or_else(|e| panic!("{e}"));
    let mut cases: Vec<ClientCase> = found
        .into_iter()
        .filter(|(name, _)| CLIENT_PROFILES.contains(&case::profile_of(name)))
        .filter_map(|(name, loaded)| {
            let case = loaded.unwrap_or_else(|e| panic!("{name}: {e}"));
            client_case(&case)
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// The profiles whose cases real clients replay. Not `robustness/`: its limits
/// are about head sizes, which a client's own extra headers would change.
const CLIENT_PROFILES: &[&str] = &["core", "extensions"];

fn client_case(case: &Case) -> Option<ClientCase> {
    // A schedule, a `setup` the harness performs, a wait or a seeded file
    // (its answer is built by the grader at run time) makes it a case for
    // the raw client only.
    let plain = case.file.expect == Expect::Exact
        && case.schedule == Schedule::All
        && case.file.setup.is_empty()
        && case.file.seeded.is_none();
    if !plain {
        return None;
    }
    let request = std::str::from_utf8(&case.request).ok()?;
    let target = request
        .strip_prefix("GET ")?
        .strip_suffix(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let sent_unchanged = target.starts_with('/')
        && !target.contains("//")
        && target.bytes().all(|b| b.is_ascii_graphic())
        && !target.contains(['%', '\\', '?', '#'])
        && target.split('/').all(|part| part != "." && part != "..");
    if !sent_unchanged {
        return None;
    }
    Some(ClientCase {
        name: case.name.clone(),
        target: target.to_string(),
        args: case.file.args.clone(),
        golden: case.golden.clone(),
    })
}

fn discovery_finds_the_guide_cases(found: &[String]) -> Result<(), Failed> {
    let lost: Vec<&&str> = REQUIRED_CASES
        .iter()
        .filter(|name| !found.iter().any(|f| f == *name))
        .collect();
    if lost.is_empty() {
        Ok(())
    } else {
        Err(format!("the client cases lack {lost:?}; found only {found:?}").into())
    }
}

// ---------------------------------------------------------------------------
// Comparing what a client reports with a golden response.

/// A response as status line, header fields in order, and body.
#[derive(Debug, PartialEq, Eq)]
struct Message {
    status_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Splits `head` (status line and header lines, CRLF-separated, with or
/// without the blank line) and `body` into a [`Message`].
fn message(head: &[u8], body: &[u8]) -> Result<Message, String> {
    // ISO-8859-1, as the contract says: one byte, one char, never an error.
    let text: String = head.iter().map(|&b| b as char).collect();
    let mut lines = text.strip_suffix("\r\n\r\n").unwrap_or(&text).split("\r\n");
    let status_line = lines.next().unwrap_or_default().to_string();
    let headers = lines
        .map(|line| {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("a header line without ':': {line:?}"))?;
            Ok((
                name.to_string(),
                value.trim_matches([' ', '\t']).to_string(),
            ))
        })
        .collect::<Result<_, String>>()?;
    Ok(Message {
        status_line,
        headers,
        body: body.to_vec(),
    })
}

/// A whole response: the head up to the first blank line, then the body.
fn parse_response(bytes: &[u8]) -> Result<Message, String> {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no blank line ending the head in:\n{}", visible(bytes)))?;
    message(&bytes[..end + 4], &bytes[end + 4..])
}

fn golden(case: &ClientCase) -> Result<Message, String> {
    let bytes = fs::read(&case.golden).map_err(|e| format!("{}: {e}", case.golden.display()))?;
    parse_response(&bytes).map_err(|e| format!("{}: {e}", case.golden.display()))
}

/// The client's report equals the golden response field by field.
fn agrees(case: &ClientCase, reported: &Message) -> Result<(), Failed> {
    let expected = golden(case)?;
    let mut problems = Vec::new();
    if reported.status_line != expected.status_line {
        problems.push(format!(
            "status line: expected {:?}, the client reports {:?}",
            expected.status_line, reported.status_line
        ));
    }
    if reported.headers != expected.headers {
        problems.push(format!(
            "headers: expected {:?}, the client reports {:?}",
            expected.headers, reported.headers
        ));
    }
    if let Some(report) = diff(&expected.body, &reported.body) {
        problems.push(format!("body:\n{report}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "GET {} disagrees with {}:\n{}",
            case.target,
            case.golden.display(),
            problems.join("\n")
        )
        .into())
    }
}

// ---------------------------------------------------------------------------
// curl and http.client.

/// curl's view: the head it received (`--dump-header`), the body it wrote, and
/// its own parse of the status and length (`--write-out`), which must match.
/// Exit status 0 also means curl found the framing right: a body shorter than
/// Content-Length is its error 18.
fn fetch_with_curl(curl: &Path, case: &ClientCase) -> Result<Message, Failed> {
    let root = seeded();
    let server = start(&root, &case.args)?;
    let head_file = tempfile::NamedTempFile::new().map_err(|e| format!("temp file: {e}"))?;
    let mut command = Command::new(curl);
    command
        .args(["--http1.1", "--noproxy", "*", "--silent", "--show-error"])
        // Send the target as written: curl would otherwise squash dot segments.
        .arg("--path-as-is")
        .args(["--max-time", "60", "--dump-header"])
        .arg(head_file.path())
        .args([
            "--write-out",
            "%{stderr}\nclient-report: %{http_code} %{size_download}\n",
        ])
        .arg(format!("http://{}{}", server.addr, case.target));
    let ran = run_bounded(command)?;
    if !ran.status.success() {
        return Err(format!(
            "curl failed ({}):\n{}\n{}",
            ran.status,
            ran.stderr_text(),
            server.report()
        )
        .into());
    }
    let head = fs::read(head_file.path()).map_err(|e| format!("curl's header dump: {e}"))?;
    let reported = message(&head, &ran.stdout)?;
    let stderr = ran.stderr_text();
    let own = stderr
        .lines()
        .find_map(|line| line.strip_prefix("client-report: "))
        .ok_or_else(|| format!("no client-report line from curl:\n{stderr}"))?;
    let expected = golden(case)?;
    let code = expected
        .status_line
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let wanted = format!("{code} {}", expected.body.len());
    if own != wanted {
        return Err(format!(
            "curl parsed `status length` as {own:?}, the golden response says {wanted:?}"
        )
        .into());
    }
    Ok(reported)
}

/// `http.client`'s parse, written back as status line, headers and body so one
/// parser reads it and the golden file. `read()` raises IncompleteRead if the
/// body is shorter than Content-Length; `will_close` must say the server closes.
const PYTHON_CLIENT: &str = r#"
import http.client, sys
host, port, target = sys.argv[1], int(sys.argv[2]), sys.argv[3]
conn = http.client.HTTPConnection(host, port, timeout=60)
conn.request("GET", target)
resp = conn.getresponse()
body = resp.read()
if not resp.will_close:
    sys.exit("http.client did not understand that the server closes")
head = "HTTP/%d.%d %d %s\r\n" % (resp.version // 10, resp.version % 10, resp.status, resp.reason)
head += "".join("%s: %s\r\n" % field for field in resp.getheaders())
sys.stdout.buffer.write(head.encode("iso-8859-1") + b"\r\n" + body)
"#;

fn fetch_with_python(python: &Path, case: &ClientCase) -> Result<Message, Failed> {
    let root = seeded();
    let server = start(&root, &case.args)?;
    let mut command = Command::new(python);
    command
        .args(["-c", PYTHON_CLIENT])
        .arg(server.addr.ip().to_string())
        .arg(server.addr.port().to_string())
        .arg(&case.target);
    let ran = run_bounded(command)?;
    if !ran.status.success() {
        return Err(format!(
            "python3 failed ({}):\n{}\n{}",
            ran.status,
            ran.stderr_text(),
            server.report()
        )
        .into());
    }
    Ok(parse_response(&ran.stdout)?)
}

// ---------------------------------------------------------------------------
// Chromium.

/// Headless Chromium with a fresh profile in `profile`, loading `url`.
fn headless(chromium: &Path, profile: &Path, url: String) -> Command {
    let mut command = Command::new(chromium);
    command
        .args([
            "--headless",
            // Root in a container has no user namespace for the sandbox.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            // Without these, it tries to reach Google's servers in the background.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-proxy-server",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url);
    command
}

/// The DOM Chromium builds for `target`, after the page has loaded.
fn dump_dom(chromium: &Path, server: &Server, target: &str) -> Result<String, Failed> {
    let profile = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let mut command = headless(
        chromium,
        profile.path(),
        format!("http://{}{target}", server.addr),
    );
    command.arg("--dump-dom");
    let ran = run_bounded(command).map_err(|e| {
        format!("{e}\n(a JavaScript dialog, such as an injected alert(), also keeps --dump-dom waiting)")
    })?;
    let dom = String::from_utf8_lossy(&ran.stdout).into_owned();
    // Chromium exits 0 even when the page failed to load; an empty DOM says so.
    if !ran.status.success() || dom.trim().is_empty() {
        let stderr = ran.stderr_text();
        let why: Vec<&str> = stderr
            .lines()
            .filter(|line| line.contains("Page load failed") || !line.contains(":ERROR:"))
            .collect();
        return Err(format!(
            "Chromium ({}) gave no DOM for {target}:\n{}\n{}",
            ran.status,
            why.join("\n"),
            server.report()
        )
        .into());
    }
    Ok(dom)
}

/// Text as the DOM serializer escapes it inside an element.
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

/// The text of the one `<pre>` Chromium wraps a `text/plain` page in.
fn plain_text_view(dom: &str) -> Result<&str, String> {
    if dom.matches("<pre").count() != 1 {
        return Err(format!(
            "expected the one <pre> of a text/plain page, got:\n{dom}"
        ));
    }
    let start = dom.find("<pre").unwrap_or_default();
    let open_end = dom[start..]
        .find('>')
        .map(|i| start + i + 1)
        .ok_or_else(|| format!("an unclosed <pre in:\n{dom}"))?;
    let close = dom[open_end..]
        .find("</pre>")
        .map(|i| open_end + i)
        .ok_or_else(|| format!("no </pre> in:\n{dom}"))?;
    Ok(&dom[open_end..close])
}

fn file2_renders_as_html(chromium: &Path) -> Result<(), Failed> {
    let root = seeded();
    let server = start(&root, &[])?;
    let dom = dump_dom(chromium, &server, "/file2.html")?;
    let mut problems = Vec::new();
    for element in [
        "<title>Test HTML File</title>",
        "<h1>Test HTML</h1>",
        "<i>some</i>",
        // The page's own `&lt;p&gt;` entity, decoded and re-escaped: parsed as HTML.
        "<tt>&lt;p&gt;</tt>",
    ] {
        if !dom.contains(element) {
            problems.push(format!("no {element}"));
        }
    }
    // Shown as text, the tags would be text: `<p>` escaped once more, `<h1>`
    // visible, and the whole page inside a <pre>.
    for as_text in ["&lt;h1&gt;", "&lt;p&gt;This", "&amp;lt;", "<pre"] {
        if dom.contains(as_text) {
            problems.push(format!("{as_text} appears: the markup shows as text"));
        }
    }
    if dom.matches("&lt;p&gt;").count() != 1 {
        problems.push(
            "the text `<p>` appears other than the once file2.html writes it as &lt;p&gt;"
                .to_string(),
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\nthe DOM:\n{dom}", problems.join("\n")).into())
    }
}

fn file1_shows_as_text(chromium: &Path) -> Result<(), Failed> {
    let root = seeded();
    let server = start(&root, &[])?;
    let dom = dump_dom(chromium, &server, "/file1.txt")?;
    let file1 = fs::read_to_string(Path::new(FIXTURES).join("file1.txt")).expect("file1.txt");
    let shown = plain_text_view(&dom)?;
    if shown != escape_text(&file1) {
        return Err(format!(
            "the <pre> is not file1.txt's text:\n{}",
            diff(escape_text(&file1).as_bytes(), shown.as_bytes()).unwrap_or_default()
        )
        .into());
    }
    Ok(())
}

/// Where the screenshot of `file2.html` is left for a human to look at.
const SCREENSHOT: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/screenshots/file2.html.png");

/// A bonus for people, not a stronger check than the DOM: the page as Chromium
/// paints it, kept in `target/tmp/screenshots/`. Asserted: a PNG of the window's
/// size exists. (Without fonts, text paints as boxes; `.ci/run` installs
/// fonts-liberation with Chromium, as Debian recommends.)
fn file2_screenshot(chromium: &Path) -> Result<(), Failed> {
    let (width, height) = (800u32, 600u32);
    let root = seeded();
    let server = start(&root, &[])?;
    let shot = Path::new(SCREENSHOT);
    let folder = shot.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let _ = fs::remove_file(shot);
    let profile = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let mut command = headless(
        chromium,
        profile.path(),
        format!("http://{}/file2.html", server.addr),
    );
    command
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={SCREENSHOT}"));
    let ran = run_bounded(command)?;
    let png = fs::read(shot).map_err(|e| {
        format!(
            "no screenshot at {SCREENSHOT} ({e}); Chromium ({}) said:\n{}",
            ran.status,
            ran.stderr_text()
        )
    })?;
    // The PNG signature, then the IHDR chunk: length, "IHDR", width, height.
    let size = |at: usize| {
        png.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") || png.get(12..16) != Some(b"IHDR") {
        return Err(format!("{SCREENSHOT} is not a PNG").into());
    }
    if (size(16), size(20)) != (Some(width), Some(height)) {
        return Err(format!(
            "{SCREENSHOT} is {:?}x{:?}, not the {width}x{height} window",
            size(16),
            size(20)
        )
        .into());
    }
    eprintln!("screenshot of file2.html: {SCREENSHOT}");
    Ok(())
}

fn missing_file_shows_404(chromium: &Path) -> Result<(), Failed> {
    let root = seeded();
    let server = start(&root, &[])?;
    let dom = dump_dom(chromium, &server, "/nosuchfile.txt")?;
    let shown = plain_text_view(&dom)?;
    if shown != "404 not found" {
        return Err(format!("expected the page `404 not found`, got {shown:?}").into());
    }
    Ok(())
}

/// `--listing`, default mode: the root's page links every file the root serves
/// (subdirectories are not served in this mode, dotfiles never), and each link,
/// taken as the browser resolves it, serves that file's bytes.
fn root_listing_links_lead_to_files(chromium: &Path) -> Result<(), Failed> {
    let root = seeded();
    let server = start(&root, &["--listing".to_string()])?;
    listing_links_lead_to_files(chromium, &server, "/", &root.www(), false)
}

/// `--tree --listing`: a subdirectory whose names need escaping (spaces, UTF-8,
/// a name that is an `<img onerror>` tag) lists them as text, and every link,
/// directories included, leads to its entry.
fn tree_listing_links_lead_to_files(chromium: &Path) -> Result<(), Failed> {
    let root = seeded();
    let dir = root.www().join("tree");
    if !dir.is_dir() {
        return Err(format!("{} is not in fixtures/: nothing to list", dir.display()).into());
    }
    let args = ["--tree".to_string(), "--listing".to_string()];
    let server = start(&root, &args)?;
    listing_links_lead_to_files(chromium, &server, "/tree/", &dir, true)
}

fn listing_links_lead_to_files(
    chromium: &Path,
    server: &Server,
    url: &str,
    dir: &Path,
    lists_dirs: bool,
) -> Result<(), Failed> {
    let dom = dump_dom(chromium, server, url)?;
    let mut problems = Vec::new();
    // A file name that became markup would be an element in the DOM.
    for element in ["<img", "<script", "<iframe"] {
        if dom.contains(element) {
            problems.push(format!(
                "the page has an {element}> element: a name became markup"
            ));
        }
    }
    let mut listed = Vec::new();
    for (href, text) in anchors(&dom) {
        if href == "../" {
            continue;
        }
        let name = String::from_utf8_lossy(&percent_decode(&href)).into_owned();
        if text != name {
            problems.push(format!("the link to {href:?} reads {text:?}, not {name:?}"));
        }
        let target = if href.starts_with('/') {
            href.clone()
        } else {
            format!("{url}{href}")
        };
        let reply =
            get(server.addr, &target, REPLY_TIMEOUT).map_err(|e| format!("GET {target}: {e}"))?;
        let answer = match parse_response(&reply.bytes) {
            Ok(answer) => answer,
            Err(e) => {
                problems.push(format!("GET {target}: {e}"));
                continue;
            }
        };
        if answer.status_line != "HTTP/1.1 200 OK" {
            problems.push(format!(
                "GET {target} (the link {href:?}): {}",
                answer.status_line
            ));
        } else if !name.ends_with('/') {
            let on_disk = fs::read(dir.join(&name)).map_err(|e| format!("{name}: {e}"))?;
            if let Some(report) = diff(&on_disk, &answer.body) {
                problems.push(format!("GET {target} is not {name}'s bytes:\n{report}"));
            }
        }
        listed.push(name);
    }
    let mut served: Vec<String> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .filter(|entry| !entry.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|entry| {
            let meta = fs::metadata(entry.path()).ok()?;
            let name = entry.file_name().to_string_lossy().into_owned();
            match (meta.is_file(), meta.is_dir() && lists_dirs) {
                (true, _) => Some(name),
                (false, true) => Some(format!("{name}/")),
                _ => None,
            }
        })
        .collect();
    served.sort();
    listed.sort();
    if listed != served {
        problems.push(format!(
            "the page links {listed:?}; the directory serves {served:?}"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\nthe DOM of {url}:\n{dom}", problems.join("\n")).into())
    }
}

/// Every `<a href="...">text</a>` of a serialized DOM, href and text unescaped.
fn anchors(dom: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = dom;
    while let Some(start) = rest.find("<a href=\"") {
        rest = &rest[start + "<a href=\"".len()..];
        let Some(quote) = rest.find('"') else { break };
        let href = unescape(&rest[..quote]);
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let Some(close) = rest.find("</a>") else {
            break;
        };
        let text = unescape(&rest[open_end + 1..close]);
        found.push((href, text));
        rest = &rest[close..];
    }
    found
}

/// The inverse of the DOM serializer's escaping (text and attributes).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// `%XX` escapes to bytes; anything else as it is.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// `--tree --listing`: the browser follows the 301 from `/tree` to `/tree/`, and
/// the file named `<img src=x onerror=alert(1)>.txt` is a link's text, not an
/// element: a listing must escape the names it shows.
fn listing_shows_hostile_name(chromium: &Path) -> Result<(), Failed> {
    let root = seeded();
    let server = start(&root, &["--tree".to_string(), "--listing".to_string()])?;
    let dom = dump_dom(chromium, &server, "/tree")?;
    let mut problems = Vec::new();
    for expected in [
        "<h1>Index of /tree/</h1>",
        "<a href=\"%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.txt\">&lt;img src=x onerror=alert(1)&gt;.txt</a>",
        "<a href=\"caf%C3%A9.txt\">café.txt</a>",
        "<a href=\"../\">../</a>",
    ] {
        if !dom.contains(expected) {
            problems.push(format!("no {expected}"));
        }
    }
    if dom.contains("<img") {
        problems.push("an <img> element: the file name became markup".to_string());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\nthe DOM:\n{dom}", problems.join("\n")).into())
    }
}
