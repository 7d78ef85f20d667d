//! Every libtest integration test of the server, in one binary (as ripgrep
//! builds its tests): one link instead of ten, and one place for what they
//! share (`util`). The golden suite (`tests/spec.rs`) and the real clients
//! (`tests/clients.rs`) keep binaries of their own, with their own runners.

#[path = "../support/mod.rs"]
mod support;

mod proc_stats;
mod util;

mod cli;
mod extensions;
mod fixtures;
mod robustness_descriptors;
mod robustness_faults;
mod robustness_files;
mod robustness_properties;
mod robustness_slow;
mod robustness_traversal;
mod server;
mod spec_generated;
