//! The reference server of the "Better Web Server" project (Beej's Guide to
//! Network Concepts), one module per step a request takes:
//!
//! ```text
//! cli ─> listener ─> server ─> conn ─> request ─> resolve ─> response ─> send
//! flags   socket,     accept,   head    parse      target to   every      head and
//! to a    options,    a thread  with    the head   a file in   head we    file bytes
//! Config  bind,       per conn  limits             the root    write      (sendfile)
//!         listen
//! ```
//!
//! `resolve` may instead answer with a directory listing (`listing` writes the
//! page) or a redirect. Every limit is a named constant in [`limits`]. It is a
//! library as well as a binary only so that benchmarks and fuzzers can call the
//! parser and resolver.

pub mod cli;
pub mod conn;
pub mod limits;
pub mod listener;
pub mod listing;
pub mod mime;
pub mod request;
pub mod resolve;
pub mod response;
pub mod send;
pub mod server;
