//! How a run's cases share servers, so that one submission is graded in
//! seconds rather than minutes: each lane (a thread) keeps one server running
//! between the cases that cannot disturb it ([`Case::shares_a_server`]: no setup of
//! their own, no flags), as a staff member tries request after request on
//! one running server.
//!
//! Sharing may never cost a point. A case that fails on a server that served
//! cases before is judged again on a fresh one, and only that verdict counts;
//! the shared server is then replaced, since whatever broke it (a crash, a
//! wedge) belongs to the case that did it. A case that times out is tried
//! once more (the fresh server's try is that second try when the shared one
//! timed out first). Cases that change the served tree run
//! on a server of their own, as before.

use std::sync::Mutex;

use crate::case::Case;
use crate::grade::{Run, Shared, Verdict};
use crate::suite::{self, lock};

/// The shared server of one lane and the case it served last (which the
/// processes it leaves behind are charged to).
struct Kept {
    shared: Shared,
    last: usize,
}

/// Runs `cases` on `lanes` threads, telling `progress` (done, total) after
/// each; the verdicts in the cases' order.
pub fn run(
    run: &Run,
    cases: &[&Case],
    lanes: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<Verdict> {
    let strays: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
    let mut verdicts = suite::parallel_with(
        cases,
        lanes,
        || None,
        |kept: &mut Option<Kept>, i, case| on_lane(run, case, i, kept, &strays),
        |mut kept| release(&mut kept, &strays),
        progress,
    );
    for (i, left) in strays.into_inner().unwrap_or_else(|e| e.into_inner()) {
        if let Some(verdict) = verdicts.get_mut(i) {
            verdict.strays = verdict.strays.max(left);
        }
    }
    verdicts
}

/// One case on a lane: on the lane's shared server when it may, where a
/// pass stands; otherwise, and after a failure there, on a fresh server.
fn on_lane(
    run: &Run,
    case: &Case,
    i: usize,
    kept: &mut Option<Kept>,
    strays: &Mutex<Vec<(usize, usize)>>,
) -> Verdict {
    if !case.shares_a_server() {
        if run.target.one_port() {
            // Its own server needs the port the shared one holds.
            release(kept, strays);
        }
        return run.case(case);
    }
    // Whether the case already timed out once, on the shared server.
    let mut waited = false;
    if let Some(k) = kept.as_mut() {
        if k.shared.alive() {
            if let Ok(tried) = run.on_shared(case, &mut k.shared) {
                if tried.verdict.passed() {
                    k.last = i;
                    return tried.verdict;
                }
                waited = tried.timed_out;
            }
        }
    }
    release(kept, strays);
    let mut shared = match run.shared_server(case) {
        Ok(shared) => shared,
        // A start that failed counts: a server is not started twice for it.
        Err((defect, detail)) => return run.not_run(case, defect, &detail),
    };
    let tried = match run.on_shared(case, &mut shared) {
        Ok(tried) => tried,
        Err(_) => return run.case(case),
    };
    *kept = Some(Kept { shared, last: i });
    if tried.verdict.passed() {
        return tried.verdict;
    }
    // A failure on a fresh server counts, but the server may be broken now.
    release(kept, strays);
    if tried.timed_out && !waited {
        return run.once_more(case, tried);
    }
    run.counted(tried)
}

/// Stops the lane's shared server, charging what it left running to the
/// case it served last.
fn release(kept: &mut Option<Kept>, strays: &Mutex<Vec<(usize, usize)>>) {
    if let Some(mut k) = kept.take() {
        let left = k.shared.server.stop();
        if left > 0 {
            lock(strays).push((k.last, left));
        }
    }
}
