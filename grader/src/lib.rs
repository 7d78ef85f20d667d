//! The grader of the "Better Web Server" assignment: runs golden cases
//! (`spec/`) against a server, judges each reply per rubric item, and turns the
//! verdicts into a scorecard, Gradescope's `results.json` and JUnit.
//!
//! One grading, data flowing one way:
//!
//! ```text
//! suite::plan ─> grade::Run::case ────────────────────────────────> score ─> export
//! case files     root: fresh www/ + canary   exchange: the request   rubric    results.json,
//! (case, files)  launch/process: the server  on its schedule,        items,    JUnit
//!                under test, in a sandbox    the reply; compare:     scorecard
//!                                            defects -> items
//! ```
//!
//! The pieces any test of a server can use on their own: [`root::Root`],
//! [`launch`] and [`process::Server`], [`exchange`], [`show`].

pub mod case;
pub mod compare;
pub mod exchange;
pub mod export;
pub mod files;
pub mod grade;
pub mod launch;
pub mod preflight;
pub mod process;
pub mod procfs;
pub mod robustness;
pub mod root;
pub mod rubric;
pub mod sandbox;
pub mod score;
pub mod seeded;
pub mod show;
pub mod suite;
