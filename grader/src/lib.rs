//! The grader of the "Better Web Server" assignment: runs golden cases
//! (`spec/`) against a server, judges each reply per rubric item, and turns the
//! verdicts into a scorecard, Gradescope's `results.json` and JUnit.
//!
//! One grading, data flowing one way:
//!
//! ```text
//! suite::plan ─> lanes ─> grade::Run ──────────────────────────────> score ─> export
//! case files     servers  root: fresh www/ + canary   exchange: the    rubric    results.json,
//! (case, files)  shared   launch/process: the server  request on its   items,    JUnit
//!                by the   under test, in a sandbox    schedule, the    scorecard
//!                cases                                reply; compare:
//!                that may                             defects -> items
//! ```
//!
//! The pieces any test of a server can use on their own: [`root::Root`],
//! [`launch`] and [`process::Server`], [`exchange`], [`show`].

pub mod build_step;
pub mod case;
pub mod chart;
pub mod class;
pub mod compare;
pub mod exchange;
pub mod export;
pub mod files;
pub mod folder;
pub mod grade;
pub mod lanes;
pub mod launch;
pub mod netns;
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
