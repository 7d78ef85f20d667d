//! The CPU a request costs before any byte is sent: framing and parsing its head,
//! and resolving its target to a file. Run with `cargo bench --bench per_request`.
//!
//! Heads are realistic: the guide's own request, and what Chromium sends for a
//! plain navigation (16 headers, about 800 bytes). Resolution runs against a real
//! directory, since it asks the file system (canonicalize); its figure includes
//! those system calls, which are most of it.
//!
//! divan rather than criterion: it compiles in a fraction of the time (no
//! plotting, no serde), which keeps `cargo clippy --all-targets` in CI short, and
//! its one-table output is all we read.

use std::hint::black_box;
use std::path::PathBuf;

use webserver::limits::Limits;
use webserver::request;
use webserver::resolve::{self, Site};

fn main() {
    divan::main();
}

/// The request of the assignment's guide.
const GUIDE: &[u8] = b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

/// Chromium's navigation request, 16 headers.
const CHROMIUM: &[u8] = b"GET /file1.txt HTTP/1.1\r\n\
Host: localhost:28333\r\n\
Connection: keep-alive\r\n\
Cache-Control: max-age=0\r\n\
sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n\
sec-ch-ua-mobile: ?0\r\n\
sec-ch-ua-platform: \"Linux\"\r\n\
Upgrade-Insecure-Requests: 1\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n\
Sec-Fetch-Site: none\r\n\
Sec-Fetch-Mode: navigate\r\n\
Sec-Fetch-User: ?1\r\n\
Sec-Fetch-Dest: document\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Accept-Language: en-US,en;q=0.9\r\n\
If-Modified-Since: Mon, 23 Nov 2026 21:00:00 GMT\r\n\
\r\n";

const HEADS: [&str; 2] = ["guide", "chromium"];

fn head(name: &str) -> &'static [u8] {
    if name == "guide" {
        GUIDE
    } else {
        CHROMIUM
    }
}

/// `head_len` once over the whole head, as when it arrives in one read.
#[divan::bench(args = HEADS)]
fn frame(name: &str) -> Result<Option<usize>, request::Error> {
    request::head_len(black_box(head(name)), &Limits::default())
}

#[divan::bench(args = HEADS)]
fn parse(name: &str) -> bool {
    request::parse(black_box(head(name))).is_ok()
}

/// What the server does per request: frame, then parse.
#[divan::bench(args = HEADS)]
fn frame_and_parse(name: &str) -> bool {
    let bytes = black_box(head(name));
    match request::head_len(bytes, &Limits::default()) {
        Ok(Some(len)) => request::parse(&bytes[..len]).is_ok(),
        _ => false,
    }
}

/// A served directory holding the guide's file, removed when dropped.
struct Served {
    dir: tempfile::TempDir,
}

impl Served {
    fn new() -> Served {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("file1.txt"), b"the guide's file\n").expect("file");
        Served { dir }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().canonicalize().expect("canonical root")
    }
}

const TARGETS: [&str; 4] = [
    "/file1.txt",
    "/some/dirs/file1.txt?x=1",
    "/missing.txt",
    "/..%2f..%2fetc%2fpasswd",
];

/// The server's lookup in the default mode (what `conn` calls).
#[divan::bench(args = TARGETS)]
fn find(bencher: divan::Bencher, target: &str) {
    let served = Served::new();
    let site = Site::new(served.root());
    bencher.bench_local(|| resolve::find(&site, black_box(target.as_bytes())).is_ok());
}

/// The assignment's lookup, by root path.
#[divan::bench(args = TARGETS)]
fn resolve(bencher: divan::Bencher, target: &str) {
    let served = Served::new();
    let root = served.root();
    bencher.bench_local(|| resolve::resolve(&root, black_box(target.as_bytes())).is_ok());
}
