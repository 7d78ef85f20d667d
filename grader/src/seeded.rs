//! Files a cheat cannot predict. Besides the assignment's own fixtures
//! (byte-exact, so anyone can know them), each run serves files whose names
//! and bytes come from a seed, and the cases that ask for them (`seeded =
//! "txt"` or `"html"`) build their expected answer at run time. A server that
//! hard-codes the known answers fails them.
//!
//! The seed is, by default, a hash of the submission's own files (those the
//! command names), so that a student's self-check and the course's run serve
//! the same files; the scorecard prints it, and `GRADE_SEED=HEX` replays it.

use std::fs;
use std::path::Path;

use serde::Deserialize;

/// The variable that replays a run's seed.
pub const SEED_VAR: &str = "GRADE_SEED";

/// What a seeded case asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Txt,
    Html,
}

impl Kind {
    fn extension(self) -> &'static str {
        match self {
            Kind::Txt => "txt",
            Kind::Html => "html",
        }
    }

    /// The Content-Type of the house style for it.
    fn media_type(self) -> &'static str {
        match self {
            Kind::Txt => "text/plain",
            Kind::Html => "text/html",
        }
    }
}

/// The placeholder a seeded case's request has where the file name goes.
pub const NAME: &str = "{seeded}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seed(pub u64);

const WORDS: [&str; 24] = [
    "socket", "listen", "accept", "header", "payload", "request", "answer", "close", "stream",
    "buffer", "encode", "decode", "server", "client", "packet", "window", "latin", "length",
    "binary", "folder", "strip", "serve", "bytes", "crlf",
];

impl Seed {
    /// The seed of `GRADE_SEED` if set (and valid hex), else a hash of the
    /// files named in `command` (FNV-1a: stable across Rust versions and
    /// machines, unlike std's hasher).
    pub fn for_command(command: &str) -> Result<Seed, String> {
        if let Ok(text) = std::env::var(SEED_VAR) {
            return u64::from_str_radix(text.trim(), 16)
                .map(Seed)
                .map_err(|_| format!("{SEED_VAR}={text:?} is not a hexadecimal number"));
        }
        let mut hash = Fnv::new();
        for path in crate::files::named_in(command) {
            if let Ok(bytes) = fs::read(&path) {
                hash.add(&bytes);
            }
        }
        Ok(Seed(hash.0))
    }

    /// A small generator of the seed's choices (xorshift64*).
    fn choices(self, kind: Kind) -> impl Iterator<Item = u64> {
        let mut state = (self.0 ^ (kind as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1;
        std::iter::repeat_with(move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_f491_4f6c_dd1d)
        })
    }

    /// The file's name in the served folder.
    pub fn name(self, kind: Kind) -> String {
        let tag = self.choices(kind).next().unwrap_or_default();
        format!("seeded-{:08x}.{}", tag as u32, kind.extension())
    }

    /// The file's bytes: a few lines of words, in a page for HTML.
    pub fn body(self, kind: Kind) -> Vec<u8> {
        let mut choices = self.choices(kind).skip(1);
        let mut pick = || choices.next().unwrap_or_default();
        let lines = 2 + pick() % 4;
        let text: Vec<String> = (0..lines)
            .map(|_| {
                let words = 3 + pick() % 6;
                (0..words)
                    .map(|_| WORDS[(pick() % WORDS.len() as u64) as usize])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        match kind {
            Kind::Txt => format!("{}\n", text.join("\n")).into_bytes(),
            Kind::Html => format!(
                "<!DOCTYPE html>\n<html>\n<head><title>{}</title></head>\n<body>\n<p>{}</p>\n</body>\n</html>\n",
                text[0],
                text[1..].join("</p>\n<p>")
            )
            .into_bytes(),
        }
    }

    /// The right answer to the guide's request for the file, in the house
    /// style of the golden files (`ok()` of tools/spec_house.py).
    pub fn answer(self, kind: Kind) -> Vec<u8> {
        let body = self.body(kind);
        let mut bytes = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            kind.media_type(),
            body.len()
        )
        .into_bytes();
        bytes.extend_from_slice(&body);
        bytes
    }

    /// Writes the seeded files into `served`.
    pub fn plant(self, served: &Path) -> Result<(), String> {
        for kind in [Kind::Txt, Kind::Html] {
            let path = served.join(self.name(kind));
            fs::write(&path, self.body(kind))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(())
    }
}

/// 64-bit FNV-1a.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}
