//! The scorecard as files: Gradescope's `results.json`, JUnit XML, and the
//! Markdown report with every failing case in full.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::case::profile_of;
use crate::grade::Verdict;
use crate::score::{item_details, points, Group, ItemScore, Scorecard};

/// Gradescope's results.json: one test per rubric item, one per group outside
/// the rubric (worth 0 points: reported, not scored).
pub fn results_json(card: &Scorecard) -> serde_json::Value {
    let mut tests: Vec<serde_json::Value> = card
        .items
        .iter()
        .map(|score| item_test(card, score))
        .collect();
    tests.extend(card.robustness.as_deref().map(robustness_test));
    tests.extend(card.groups.iter().map(group_test));
    serde_json::json!({
        "score": card.score(),
        "max_score": card.max_score(),
        "output": card.render(),
        "visibility": "visible",
        "tests": tests,
    })
}

/// Writes one of these files, saying where (stdout) or why not (stderr);
/// whether it was written.
pub fn save(path: &Path, text: &str) -> bool {
    match std::fs::write(path, text) {
        Ok(()) => {
            println!("wrote {}", path.display());
            true
        }
        Err(e) => {
            eprintln!("cannot write {}: {e}", path.display());
            false
        }
    }
}

/// [`results_json`] as the text of the file.
pub fn results_json_text(card: &Scorecard) -> String {
    serde_json::to_string_pretty(&results_json(card)).unwrap_or_default()
}

/// The most one `output` of results.json holds: Gradescope shows each on a
/// page, and the whole file stays small (the full detail is the report's).
const OUTPUT_CAP: usize = 16 * 1024;

/// `text` cut to [`OUTPUT_CAP`] bytes at a character boundary, saying so.
fn capped(text: String) -> String {
    if text.len() <= OUTPUT_CAP {
        return text;
    }
    let mut end = OUTPUT_CAP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n... ({} more bytes: the full detail is in the Markdown report)\n",
        &text[..end],
        text.len() - end
    )
}

fn item_test(card: &Scorecard, score: &ItemScore) -> serde_json::Value {
    serde_json::json!({
        "name": format!("{}: {}", score.item.key(), score.item.title()),
        "score": score.earned,
        "max_score": score.item.points(),
        "output": if score.failing.is_empty() {
            format!("no defect in {} core cases", card.core_run)
        } else {
            capped(item_details(score, true))
        },
        "visibility": "visible",
    })
}

/// The robustness sequence, as a test worth 0.
fn robustness_test(findings: &[crate::robustness::Finding]) -> serde_json::Value {
    let output: String = if findings.is_empty() {
        "answered the guide's request after every step of the sequence".to_string()
    } else {
        findings
            .iter()
            .map(|f| format!("{}\n", f.words()))
            .collect()
    };
    serde_json::json!({
        "name": format!("robustness sequence (outside the rubric): {} findings", findings.len()),
        "score": 0,
        "max_score": 0,
        "output": capped(output),
        "visibility": "visible",
    })
}

/// The Markdown report: the scorecard, then every failing case in full.
pub fn markdown(card: &Scorecard, verdicts: &[Verdict]) -> String {
    let mut out = format!("# Grading report\n\n```text\n{}```\n", card.render());
    let failing: Vec<&Verdict> = verdicts.iter().filter(|v| !v.passed()).collect();
    let _ = writeln!(out, "\n## Failing cases ({})\n", failing.len());
    for v in failing {
        let _ = writeln!(
            out,
            "### {}\n\n```text\n{}\n```\n",
            v.name,
            v.report.trim_end()
        );
    }
    out
}

fn group_test(group: &Group) -> serde_json::Value {
    let output: String = group
        .failing
        .iter()
        .map(|v| format!("{}\n", v.report))
        .collect();
    let output = capped(output);
    serde_json::json!({
        "name": format!(
            "{} (outside the rubric): {} of {} cases pass",
            group.profile,
            group.run - group.failing.len(),
            group.run
        ),
        "score": 0,
        "max_score": 0,
        "output": output,
        "visibility": "visible",
    })
}

/// JUnit XML: a `rubric` suite (one test per item, with its points) and one
/// suite per profile (one test per case; skipped cases as skipped).
pub fn junit(card: &Scorecard, verdicts: &[Verdict]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"{}\">", xml(&card.target));
    rubric_suite(card, &mut out);
    let mut profiles: BTreeMap<&str, Suite> = BTreeMap::new();
    for v in verdicts {
        profiles.entry(profile_of(&v.name)).or_default().0.push(v);
    }
    for skip in &card.skipped {
        profiles
            .entry(profile_of(&skip.0))
            .or_default()
            .1
            .push(skip);
    }
    for (profile, suite) in profiles {
        profile_suite(profile, suite, &mut out);
    }
    out += "</testsuites>\n";
    out
}

fn rubric_suite(card: &Scorecard, out: &mut String) {
    let lost = |s: &&ItemScore| s.earned < f64::from(s.item.points());
    let failed_items = card.items.iter().filter(lost).count();
    let _ = writeln!(
        out,
        "  <testsuite name=\"rubric\" tests=\"{}\" failures=\"{failed_items}\">",
        card.items.len()
    );
    let _ = writeln!(
        out,
        "    <properties><property name=\"score\" value=\"{}\"/><property name=\"max_score\" value=\"{}\"/></properties>",
        card.score(),
        card.max_score()
    );
    for score in &card.items {
        let name = format!(
            "{} ({}/{} points)",
            score.item.key(),
            points(score.earned),
            score.item.points()
        );
        let _ = write!(
            out,
            "    <testcase classname=\"rubric\" name=\"{}\"",
            xml(&name)
        );
        if lost(&score) {
            let _ = writeln!(
                out,
                "><failure message=\"{}\">{}</failure></testcase>",
                xml(score.item.title()),
                xml(&item_details(score, false))
            );
        } else {
            *out += "/>\n";
        }
    }
    *out += "  </testsuite>\n";
}

fn profile_suite(profile: &str, (run, skipped): Suite, out: &mut String) {
    let failures = run.iter().filter(|v| !v.passed()).count();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{}\">",
        xml(profile),
        run.len() + skipped.len(),
        skipped.len()
    );
    for v in run {
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\"",
            xml(profile),
            xml(&v.name)
        );
        if v.passed() {
            *out += "/>\n";
            continue;
        }
        let message: Vec<String> = v
            .findings
            .iter()
            .map(|f| {
                format!(
                    "[{}] {}",
                    f.item.map_or("outcome", |item| item.key()),
                    f.what()
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "><failure message=\"{}\">{}</failure></testcase>",
            xml(&message.join("; ")),
            xml(&v.report)
        );
    }
    for (name, why) in skipped {
        let _ = writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\"><skipped message=\"{}\"/></testcase>",
            xml(profile),
            xml(name),
            xml(why)
        );
    }
    *out += "  </testsuite>\n";
}

/// One profile's cases for JUnit: those run, and those skipped with why.
type Suite<'a> = (Vec<&'a Verdict>, Vec<&'a (String, String)>);

/// Text as XML 1.0 character data or attribute value: escaped, and the
/// control characters XML cannot hold dropped (a server's stderr may have any).
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Gradescope's results.json as the autograder and the class run write it:
/// [`results_json`] with the run's `execution_time`, every output as
/// Markdown (the scorecard's text fenced, so its columns stay), the
/// robustness test at `robustness_visibility` (`visible`, `after_due_date`,
/// ...), and the grader's own output shown to the student.
pub fn gradescope(
    card: &Scorecard,
    seconds: f64,
    robustness_visibility: &str,
) -> serde_json::Value {
    let mut value = results_json(card);
    let fence = |text: &serde_json::Value| {
        serde_json::Value::String(format!(
            "```text\n{}\n```",
            text.as_str().unwrap_or_default().trim_end()
        ))
    };
    if let Some(output) = value.get("output").map(fence) {
        value["output"] = output;
    }
    if let Some(tests) = value.get_mut("tests").and_then(|t| t.as_array_mut()) {
        for test in tests {
            if let Some(output) = test.get("output").map(fence) {
                test["output"] = output;
            }
            test["output_format"] = "md".into();
            let robustness = test["name"]
                .as_str()
                .is_some_and(|name| name.starts_with("robustness sequence"));
            if robustness {
                test["visibility"] = robustness_visibility.into();
            }
        }
    }
    value["execution_time"] = seconds.round().into();
    value["output_format"] = "md".into();
    value["stdout_visibility"] = "visible".into();
    value
}

/// results.json for a submission that could not be graded: 0 points and why.
pub fn not_graded(problem: &str, seconds: f64) -> serde_json::Value {
    serde_json::json!({
        "score": 0,
        "max_score": crate::rubric::max_score(),
        "output": format!("```text\nNOT GRADED: {}\n```", capped(problem.to_string()).trim_end()),
        "output_format": "md",
        "execution_time": seconds.round(),
        "stdout_visibility": "visible",
        "visibility": "visible",
        "tests": [],
    })
}
