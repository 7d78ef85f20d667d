//! The scorecard: the guide's rubric with the points a server earned, the
//! failing cases under each item, and the groups outside the rubric, as
//! printed after a run ([`crate::export`] writes it as files).
//!
//! The partial-credit rule (spec/README.md, "Scoring"): a defect class (one
//! kind of wrong answer, however many cases show it) counts once; an item
//! loses all its points when a defect shows on one of the assignment's own
//! examples or something from outside the root came back, and otherwise half
//! its points per distinct defect class, never below zero.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::case::{profile_of, Rule, CORE};
use crate::compare::{Defect, Finding};
use crate::grade::Verdict;
use crate::robustness;
use crate::rubric::{self, Item, RUBRIC};

/// How many lines of one diff the printed scorecard shows (files get all):
/// the region around the first difference is what a reader needs.
const DIFF_LINES: usize = 14;
/// How many cases one defect lists by name in the printed scorecard.
const CASES_LISTED: usize = 3;
/// How many defects of a group outside the rubric the card names.
const GROUP_DEFECTS: usize = 4;

#[derive(Debug, Clone)]
pub struct ItemScore {
    pub item: Item,
    /// Points earned: a whole or a half number.
    pub earned: f64,
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
    /// The path rule that explains most of the server's answers.
    pub rule: Option<Rule>,
    /// What the grader found before the cases (how the server starts).
    pub notes: Vec<String>,
    /// The robustness sequence's findings, when it ran.
    pub robustness: Option<Vec<robustness::Finding>>,
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
        let mut core: Vec<Verdict> = verdicts
            .iter()
            .filter(|v| profile_of(&v.name) == CORE)
            .cloned()
            .collect();
        let rule = path_rule(&mut core);
        let core: Vec<&Verdict> = core.iter().collect();
        Scorecard {
            target: target.to_string(),
            rule,
            items: RUBRIC.iter().map(|&item| item_score(item, &core)).collect(),
            groups: groups(verdicts),
            skipped,
            broken,
            core_run: core.len(),
            core_total,
            notes: Vec::new(),
            robustness: None,
        }
    }

    pub fn score(&self) -> f64 {
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
        self.render_robustness(&mut out);
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
        for note in &self.notes {
            *out += &indent(&format!("NOTE: {note}"), 0);
        }
        *out += "rule: each kind of defect counts once; it costs half of its item, or all of it on one of \
                 the assignment's own examples, when a file from outside the root came back, or when \
                 none of the item's cases got a reply\n";
        if let Some(rule) = self.rule {
            let _ = writeln!(out, "path rule seen: {}", rule.describe());
        }
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
                "  {:>4}/{:<3} {:<15} {}",
                points(score.earned),
                score.item.points(),
                score.item.key(),
                score.item.title()
            );
            *out += &indent(&item_details(score, true), 6);
        }
        let _ = writeln!(
            out,
            "  -------\n  {:>4}/{}  total",
            points(self.score()),
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
            let mut by_defect: BTreeMap<&str, Vec<&Verdict>> = BTreeMap::new();
            for v in &group.failing {
                if let Some(f) = v.findings.first() {
                    by_defect.entry(f.what()).or_default().push(v);
                }
            }
            let mut by_count: Vec<_> = by_defect.into_iter().collect();
            by_count.sort_by_key(|(_, cases)| std::cmp::Reverse(cases.len()));
            for (what, cases) in by_count.iter().take(GROUP_DEFECTS) {
                let _ = writeln!(
                    out,
                    "    {:>3} x {what}, e.g. {}",
                    cases.len(),
                    cases[0].name
                );
            }
            if by_count.len() > GROUP_DEFECTS {
                let _ = writeln!(
                    out,
                    "    ... and {} other defects",
                    by_count.len() - GROUP_DEFECTS
                );
            }
        }
    }

    /// What the robustness sequence found, outside the 100 points.
    fn render_robustness(&self, out: &mut String) {
        let Some(findings) = &self.robustness else {
            return;
        };
        *out += "\nRobustness (outside the 100 points):\n";
        if findings.is_empty() {
            *out += "  answered the guide's request after every step of the sequence\n";
        }
        for finding in findings {
            let _ = writeln!(out, "  {}", finding.words());
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

/// Points as people write them: `15`, `7.5`.
pub fn points(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// The rule that explains most answers (stripping on a tie: the assignment's
/// own), and a sandbox defect on each answer that follows the other one.
fn path_rule(core: &mut [Verdict]) -> Option<Rule> {
    let count = |rule| core.iter().filter(|v| v.rule == Some(rule)).count();
    let (stripped, sandboxed) = (count(Rule::Stripped), count(Rule::Sandboxed));
    let rule = match (stripped, sandboxed) {
        (0, 0) => return None,
        (s, b) if b > s => Rule::Sandboxed,
        _ => Rule::Stripped,
    };
    for verdict in core.iter_mut() {
        if let Some(other) = verdict.rule.filter(|&r| r != rule) {
            verdict.findings.push(Finding::new(
                Defect::OtherPathRule,
                Some(Item::Sandbox),
                format!(
                    "this answer shows {}, most answers {}",
                    other.describe(),
                    rule.describe()
                ),
            ));
        }
    }
    Some(rule)
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
    let mut classes: Vec<Defect> = failing
        .iter()
        .flat_map(|(_, findings)| findings.iter().map(|f| f.defect))
        .collect();
    classes.sort();
    classes.dedup();
    // An item none of whose own cases got a reply has shown nothing that
    // works (a server that never starts, or never answers, earns 0, not
    // half of each item).
    let own = core.iter().filter(|v| v.item == Some(item));
    let silent = |v: &&&Verdict| v.findings.iter().any(|f| f.defect.no_reply());
    let no_reply = own.clone().count() > 0 && own.clone().all(|v| silent(&v));
    let whole = no_reply
        || failing.iter().any(|(verdict, findings)| {
            verdict.example || findings.iter().any(|f| f.defect == Defect::Canary)
        });
    let full = f64::from(item.points());
    let earned = match (core.is_empty(), whole) {
        (true, _) | (false, true) => 0.0,
        (false, false) => (full - classes.len() as f64 * full / 2.0).max(0.0),
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
