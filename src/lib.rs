//! The reference server of the "Better Web Server" project (Beej's Guide to
//! Network Concepts), one module per step a request takes:
//!
//! ```text
//! cli ─> listener ─> server ─> head ─> request ─> resolve ─> response ─> send
//! flags   socket,     accept,   read     parse      target to  one answer head, then
//! to a    options,    a pool    what     the head   a file in  value      the body
//! Config  bind,       thread    came,               the root              unless HEAD
//!         listen      or the    never
//!                     parking   waiting
//! ```
//!
//! `conn` joins the steps for one connection; `parking` holds the connections
//! whose head is not whole yet (one epoll thread for all of them).
//! `resolve` may instead answer with a directory listing (`listing` writes the
//! page) or a redirect. Every limit is a named constant in [`limits`]. It is a
//! library as well as a binary only so that benchmarks and fuzzers can call the
//! parser and resolver.

pub mod cli;
pub mod conn;
pub mod head;
pub mod limits;
pub mod listener;
pub mod listing;
pub mod mime;
pub mod parking;
pub mod request;
pub mod resolve;
pub mod response;
pub mod send;
pub mod server;
