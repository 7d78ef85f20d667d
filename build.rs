//! Sets `cfg(grading)` when `WEBSERVER_CMD` names a server to grade. `cargo test`
//! then grades that server (README, "Grading a submission"), and the tests that
//! are about this crate's own binary or the grader itself say so and are ignored
//! (`#[cfg_attr(grading, ignore = "...")]`) rather than run, or counted as passed.

fn main() {
    println!("cargo::rerun-if-env-changed=WEBSERVER_CMD");
    println!("cargo::rustc-check-cfg=cfg(grading)");
    if std::env::var("WEBSERVER_CMD").is_ok_and(|cmd| !cmd.trim().is_empty()) {
        println!("cargo::rustc-cfg=grading");
    }
}
