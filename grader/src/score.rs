//! The scorecard: the guide's rubric with the points a server earned, the
//! failing cases under each item, and the groups outside the rubric, as
//! printed after a run ([`crate::export`] writes it as files).
//!
//! The partial-credit rule (spec/README.md, "Scoring"): an item earns all of its
//! points when no core case shows a defect charged to it, and none otherwise.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::case::{profile_of, CORE};
use crate::compare::Finding;
use crate::grade::Verdict;
use crate::rubric::{self, Item, RUBRIC};

/// How many lines of one diff the printed scorecard shows (files get all).
const DIFF_LINES: usize = 40;
/// How many cases one defect lists by name in the printed scorecard.
const CASES_LISTED: usize = 8;

#[derive(Debug, Clone)]
pub struct ItemScore {
    pub item: Item,
    pub earned: u32,
    /// The core cases that show a defect in this item, with those defects.
    pub failing: Vec<(Verdict, Vec<Finding>)>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub profile: String,
    pub run: usize,
    pub failing: Vec<Verdict>,
}

#[derive(Debug, Clone)]
pub struct Scorecard {
    pub target: String,
    pub items: Vec<ItemScore>,
    /// Profiles outside the rubric, each pass/fail per case.
    pub groups: Vec<Group>,
    /// Cases not run against this server, and why.
    pub skipped: Vec<(String, String)>,
    /// Case files that could not be read: our bug, never the server's.
    pub broken: Vec<(String, String)>,
    pub core_run: usize,
    pub core_total: usize,
}

impl Scorecard {
    /// `core_total`: the core cases that exist (a filtered run grades fewer).
    pub fn new(
        target: &str,
        verdicts: &[Verdict],
        core_total: usize,
        skipped: Vec<(String, String)>,
        broken: Vec<(String, String)>,
    ) -> Scorecard {
        let core: Vec<&Verdict> = verdicts
            .iter()
            .filter(|v| profile_of(&v.name) == CORE)
            .collect();
        Scorecard {
            target: target.to_string(),
            items: RUBRIC.iter().map(|&item| item_score(item, &core)).collect(),
            groups: groups(verdicts),
            skipped,
            broken,
            core_run: core.len(),
            core_total,
        }
    }

    pub fn score(&self) -> u32 {
        self.items.iter().map(|item| item.earned).sum()
    }

    pub fn max_score(&self) -> u32 {
        rubric::max_score()
    }

    /// Every core case ran and every case file is sound: the score means 100 points' worth.
    pub fn complete(&self) -> bool {
        self.core_run == self.core_total && self.broken.is_empty()
    }

    /// Whether every case of the groups outside the rubric passed.
    pub fn groups_pass(&self) -> bool {
        self.groups.iter().all(|group| group.failing.is_empty())
    }

    /// The scorecard as printed after the run.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_items(&mut out);
        self.render_groups(&mut out);
        self.render_skipped(&mut out);
        if !self.broken.is_empty() {
            out += "\nBROKEN CASE FILES (a bug in the suite, not the server):\n";
            for (name, why) in &self.broken {
                let _ = writeln!(out, "  {name}: {why}");
            }
        }
        out
    }

    /// The rule, then each item with its points and its defects.
    fn render_items(&self, out: &mut String) {
        let _ = writeln!(out, "\nSCORECARD  {}", self.target);
        *out += "rule: an item earns all of its points when no core case shows a defect in it, none otherwise\n";
        if self.core_run < self.core_total {
            let _ = writeln!(
                out,
                "PARTIAL RUN: {} of {} core cases ran (a filter?); the points below cover those only",
                self.core_run, self.core_total
            );
        }
        out.push('\n');
        for score in &self.items {
            let _ = writeln!(
                out,
                "  {:>3}/{:<3} {:<15} {}",
                score.earned,
                score.item.points(),
                score.item.key(),
                score.item.title()
            );
            *out += &indent(&item_details(score, true), 6);
        }
        let _ = writeln!(
            out,
            "  -------\n  {:>3}/{}  total",
            self.score(),
            self.max_score()
        );
    }

    /// One line per failing case outside the rubric: the details are in
    /// libtest's output and in the files; the rubric is what this card is for.
    fn render_groups(&self, out: &mut String) {
        if self.groups.is_empty() {
            return;
        }
        *out += "\nOutside the rubric (reported; not part of the score):\n";
        for group in &self.groups {
            let _ = writeln!(
                out,
                "  {}: {} of {} cases pass",
                group.profile,
                group.run - group.failing.len(),
                group.run
            );
            for v in &group.failing {
                let first = v
                    .findings
                    .first()
                    .map(|f| format!("{}: {}", f.what(), f.detail))
                    .unwrap_or_default();
                let _ = writeln!(out, "      FAILED {}  {first}", v.name);
            }
        }
    }

    /// The cases not run against this server, counted by reason.
    fn render_skipped(&self, out: &mut String) {
        if self.skipped.is_empty() {
            return;
        }
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, why) in &self.skipped {
            *reasons.entry(why.as_str()).or_default() += 1;
        }
        let _ = writeln!(
            out,
            "\nNot run against this server: {} cases (shown as ignored above):",
            self.skipped.len()
        );
        for (why, count) in reasons {
            let _ = writeln!(out, "  {count:>4} x {why}");
        }
    }
}

/// What `item` earns from the core verdicts, and the cases that cost it.
fn item_score(item: Item, core: &[&Verdict]) -> ItemScore {
    let failing: Vec<(Verdict, Vec<Finding>)> = core
        .iter()
        .filter_map(|v| {
            let mine: Vec<Finding> = v
                .findings
                .iter()
                .filter(|f| f.item == Some(item))
                .cloned()
                .collect();
            (!mine.is_empty()).then(|| ((*v).clone(), mine))
        })
        .collect();
    let earned = if failing.is_empty() && !core.is_empty() {
        item.points()
    } else {
        0
    };
    ItemScore {
        item,
        earned,
        failing,
    }
}

/// The verdicts outside the rubric, by profile.
fn groups(verdicts: &[Verdict]) -> Vec<Group> {
    let mut by_profile: BTreeMap<String, Group> = BTreeMap::new();
    for v in verdicts.iter().filter(|v| profile_of(&v.name) != CORE) {
        let profile = profile_of(&v.name).to_string();
        let group = by_profile.entry(profile.clone()).or_insert(Group {
            profile,
            run: 0,
            failing: Vec::new(),
        });
        group.run += 1;
        if !v.passed() {
            group.failing.push(v.clone());
        }
    }
    by_profile.into_values().collect()
}

/// Under one item: each defect, the cases that show it, and an example diff.
/// `short` lists a few cases by name and clips the diff (the printed card);
/// otherwise everything (the files).
pub(crate) fn item_details(score: &ItemScore, short: bool) -> String {
    let mut by_defect: BTreeMap<&str, Vec<(&Verdict, &Finding)>> = BTreeMap::new();
    for (verdict, findings) in &score.failing {
        for f in findings {
            by_defect.entry(f.what()).or_default().push((verdict, f));
        }
    }
    let mut out = String::new();
    for (what, cases) in by_defect {
        let _ = writeln!(
            out,
            "{what} ({} case{}):",
            cases.len(),
            if cases.len() == 1 { "" } else { "s" }
        );
        let listed = if short { CASES_LISTED } else { usize::MAX };
        for (verdict, f) in cases.iter().take(listed) {
            let _ = writeln!(out, "  {} ({}): {}", verdict.name, verdict.asked, f.detail);
        }
        if cases.len() > listed {
            let _ = writeln!(out, "  ... and {} more", cases.len() - listed);
        }
        // The shortest diff makes the clearest example.
        let example = cases
            .iter()
            .map(|(verdict, _)| *verdict)
            .min_by_key(|verdict| verdict.diff.lines().count())
            .unwrap_or(cases[0].0);
        if short {
            if !example.diff.is_empty() {
                let _ = writeln!(out, "  expected vs actual, {}:", example.name);
                out += &indent(&clip(&example.diff, DIFF_LINES), 4);
            }
        } else {
            for (verdict, _) in &cases {
                out += &indent(&verdict.report, 4);
            }
        }
    }
    out
}

fn clip(text: &str, lines: usize) -> String {
    let total = text.lines().count();
    let mut out: String = text.lines().take(lines).map(|l| format!("{l}\n")).collect();
    if total > lines {
        let _ = writeln!(out, "... ({} more lines)", total - lines);
    }
    out
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines().map(|line| format!("{pad}{line}\n")).collect()
}
