//! Reading and checking a plans file (`INCENTIVES.md` §7): every problem with its JSON path and
//! what to do, all at once; a file with a problem is not used at all.

use super::plan::{Award, ComponentKind, ContestKpi, CurvePoint, Plan, PlansFile, Prize, Tier};
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashSet;

/// The largest amount a plans file may name, in cents (a hundred billion).
pub const MAX_CENTS: i64 = 10_000_000_000_000;
/// The largest rate, attainment or payout factor a plans file may name.
pub const MAX_DECIMAL: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// The longest clawback window, in days (ten years).
pub const MAX_CLAWBACK_DAYS: u32 = 3_653;

/// One thing wrong with a plans file: where (`plans[0].components[1].tiers[2].from`) and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() { f.write_str(&self.message) } else { write!(f, "{}: {}", self.path, self.message) }
    }
}

/// Reads a plans file: its JSON shape first (a shape error stops there, with its path, line and
/// column), then every rule of [`check`]. Returns the file, or all the problems found.
pub fn read_plans_file(text: &str) -> Result<PlansFile, Vec<Problem>> {
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    let file: PlansFile = serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = format!("{} (line {}, column {})", what_to_do(&inner), inner.line(), inner.column());
        vec![Problem { path: if path == "." { String::new() } else { path }, message }]
    })?;
    let problems = check(&file);
    if problems.is_empty() { Ok(file) } else { Err(problems) }
}

/// serde_json appends " at line L column C" to its messages; the problem says it its own way.
fn without_position(message: &str) -> &str {
    message.rfind(" at line ").map_or(message, |at| &message[..at])
}

/// chrono's messages for a date that does not parse.
const DATE_MISTAKES: [&str; 5] = [
    "input is out of range",
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "input is not enough",
];

/// serde's message for a shape mistake, in the file's words, with what to do about it.
fn what_to_do(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let message = without_position(&error.to_string()).to_string();
    if matches!(error.classify(), Category::Syntax | Category::Eof) {
        return format!("{message}: this is not valid JSON; fix the text there");
    }
    let mut message = [
        ("u32", "a whole number from 0"),
        ("u64", "a whole number from 0"),
        ("i64", "a whole number"),
        ("i32", "a whole number"),
    ]
    .iter()
    .fold(message, |text, (integer, words)| text.replace(&format!("expected {integer}"), &format!("expected {words}")))
    .replace("a formatted date string", "a date as \"YYYY-MM-DD\"");
    if let Some(at) = message.find("expected struct ") {
        message.replace_range(at.., "expected an object: write it as an object { \"field\": value, … }");
    }
    if message.starts_with("missing field") {
        message.push_str(": add it");
    } else if DATE_MISTAKES.iter().any(|mistake| message.starts_with(mistake)) {
        message.push_str(": give a date that exists, as \"YYYY-MM-DD\"");
    }
    message
}

/// Every rule a plans file must keep that its JSON shape cannot say, each broken rule a problem.
pub fn check(file: &PlansFile) -> Vec<Problem> {
    let mut problems = Problems(Vec::new());
    if !(1900..=2199).contains(&file.fiscal_year) {
        problems
            .add("fiscal_year", format!("{} is not a fiscal year: give a year from 1900 to 2199", file.fiscal_year));
        return problems.0;
    }
    let year = file.year_bounds();
    let mut plan_names = HashSet::new();
    for (index, plan) in file.plans.iter().enumerate() {
        let at = format!("plans[{index}]");
        problems.name(&format!("{at}.name"), &plan.name, &mut plan_names, "plan");
        check_plan(plan, &at, year, &mut problems);
    }
    check_overlaps(file, year, &mut problems);
    let mut contest_names = HashSet::new();
    for (index, contest) in file.contests.iter().enumerate() {
        let at = format!("contests[{index}]");
        problems.name(&format!("{at}.name"), &contest.name, &mut contest_names, "contest");
        problems.date_in_year(&format!("{at}.start"), contest.start, year);
        problems.date_in_year(&format!("{at}.end"), contest.end, year);
        if contest.end < contest.start {
            problems.add(
                &format!("{at}.end"),
                format!("{} is before the start {}: end on or after it", contest.end, contest.start),
            );
        }
        if contest.measure.product_line_id.is_some()
            && !matches!(contest.measure.kpi, ContestKpi::DealsWon | ContestKpi::Revenue)
        {
            problems.add(
                &format!("{at}.measure.product_line_id"),
                "only deals_won and revenue count per product line: remove it or change the kpi".into(),
            );
        }
        problems.optional_id(&format!("{at}.measure.product_line_id"), contest.measure.product_line_id.as_deref());
        match &contest.award {
            Award::PerUnit { per_unit_cents, threshold } => {
                problems.cents(&format!("{at}.award.per_unit_cents"), *per_unit_cents, 1);
                if let Some(threshold) = threshold {
                    problems.decimal(&format!("{at}.award.threshold"), *threshold);
                }
            }
            Award::Ranking { prizes } => {
                if prizes.is_empty() {
                    problems.add(&format!("{at}.award.prizes"), "no prizes: give at least the first place's".into());
                }
                for (place, prize) in prizes.iter().enumerate() {
                    let path = format!("{at}.award.prizes[{place}]");
                    match prize {
                        Prize::Cents(cents) => problems.cents(&path, *cents, 0),
                        Prize::Text(text) if text.trim().is_empty() => problems
                            .add(&path, "an empty prize: name it (\"a day off\") or give an amount in cents".into()),
                        Prize::Text(_) => {}
                    }
                }
            }
        }
    }
    problems.0
}

fn check_plan(plan: &Plan, at: &str, year: (NaiveDate, NaiveDate), problems: &mut Problems) {
    if plan.components.is_empty() {
        problems.add(&format!("{at}.components"), "no components: give at least one".into());
    }
    for (index, assignment) in plan.assignments.iter().enumerate() {
        let at = format!("{at}.assignments[{index}]");
        problems.optional_id(&format!("{at}.rep_id"), Some(&assignment.rep_id));
        problems.date_in_year(&format!("{at}.from"), assignment.from, year);
        if let Some(to) = assignment.to {
            problems.date_in_year(&format!("{at}.to"), to, year);
            if to < assignment.from {
                problems
                    .add(&format!("{at}.to"), format!("{to} is before from {}: end on or after it", assignment.from));
            }
        }
        if let Some(draw) = assignment.draw {
            problems.cents(&format!("{at}.draw.amount_cents"), draw.amount_cents, 1);
        }
    }
    let mut keys = HashSet::new();
    for (index, component) in plan.components.iter().enumerate() {
        let at = format!("{at}.components[{index}]");
        problems.name(&format!("{at}.key"), &component.key, &mut keys, "component key");
        problems.optional_id(&format!("{at}.product_line_id"), component.product_line_id.as_deref());
        match &component.kind {
            ComponentKind::Commission { tiers, .. } => check_tiers(tiers, &at, problems),
            ComponentKind::Bonus { target_cents, curve } => {
                problems.cents(&format!("{at}.target_cents"), *target_cents, 1);
                check_curve(curve, &at, problems);
            }
        }
        if let Some(gate) = component.gate {
            problems.decimal(&format!("{at}.gate"), gate);
        }
        if let Some(cap) = component.cap_cents {
            problems.cents(&format!("{at}.cap_cents"), cap, 0);
        }
        if component.clawback_days.is_some_and(|days| days > MAX_CLAWBACK_DAYS) {
            problems.add(
                &format!("{at}.clawback_days"),
                format!("more than {MAX_CLAWBACK_DAYS} days: give a shorter window"),
            );
        }
    }
}

fn check_tiers(tiers: &[Tier], at: &str, problems: &mut Problems) {
    if let Some(first) = tiers.first().filter(|first| !first.from.is_zero()) {
        problems.add(&format!("{at}.tiers[0].from"), format!("the first tier starts at {}: start it at 0", first.from));
    }
    let steps: Vec<(Decimal, Decimal)> = tiers.iter().map(|tier| (tier.from, tier.rate)).collect();
    let names = StepNames {
        list: "tiers",
        step: "from",
        value: "rate",
        what: "tier",
        example: "{ \"from\": 0, \"rate\": \"0.05\" }",
    };
    check_steps(&steps, at, &names, problems);
}

fn check_curve(curve: &[CurvePoint], at: &str, problems: &mut Problems) {
    let steps: Vec<(Decimal, Decimal)> = curve.iter().map(|point| (point.attainment, point.payout)).collect();
    let names = StepNames {
        list: "curve",
        step: "attainment",
        value: "payout",
        what: "point",
        example: "{ \"attainment\": \"1\", \"payout\": \"1\" }",
    };
    check_steps(&steps, at, &names, problems);
}

/// How a list of steps (tiers, curve points) is named in the file and in messages.
struct StepNames {
    list: &'static str,
    step: &'static str,
    value: &'static str,
    what: &'static str,
    example: &'static str,
}

/// Tiers and curve points alike: at least one, steps strictly ascending, every number in range.
fn check_steps(steps: &[(Decimal, Decimal)], at: &str, names: &StepNames, problems: &mut Problems) {
    let StepNames { list, step, value, what, example } = names;
    if steps.is_empty() {
        problems.add(&format!("{at}.{list}"), format!("no {list}: give at least one, e.g. {example}"));
    }
    for (index, &(position, amount)) in steps.iter().enumerate() {
        let path = format!("{at}.{list}[{index}]");
        if let Some(&(previous, _)) = index.checked_sub(1).and_then(|before| steps.get(before))
            && position <= previous
        {
            problems.add(
                &format!("{path}.{step}"),
                format!("{position} is not above the {what} before ({previous}): list them in ascending order"),
            );
        }
        problems.decimal(&format!("{path}.{step}"), position);
        problems.decimal(&format!("{path}.{value}"), amount);
    }
}

/// One rep's assignments, over all plans of the file, must not share a day.
fn check_overlaps(file: &PlansFile, year: (NaiveDate, NaiveDate), problems: &mut Problems) {
    let last_day = year.1 - Duration::days(1);
    let mut spans: Vec<(&str, NaiveDate, NaiveDate, String)> = Vec::new();
    for (plan_index, plan) in file.plans.iter().enumerate() {
        for (index, assignment) in plan.assignments.iter().enumerate() {
            let to = assignment.to.unwrap_or(last_day);
            spans.push((&assignment.rep_id, assignment.from, to, format!("plans[{plan_index}].assignments[{index}]")));
        }
    }
    spans.sort_by(|a, b| (a.0, a.1, &a.3).cmp(&(b.0, b.1, &b.3)));
    for pair in spans.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        if before.0 == after.0 && after.1 <= before.2 {
            problems.add(
                &format!("{}.from", after.3),
                format!(
                    "rep {} is already on a plan that day ({} from {} to {}): start after {}",
                    after.0, before.3, before.1, before.2, before.2
                ),
            );
        }
    }
}

struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, path: &str, message: String) {
        self.0.push(Problem { path: path.to_string(), message });
    }

    /// A name that must be given and unique among `seen`.
    fn name(&mut self, path: &str, name: &str, seen: &mut HashSet<String>, what: &str) {
        if name.trim().is_empty() {
            self.add(path, format!("an empty {what}: give one"));
        } else if !seen.insert(name.to_string()) {
            self.add(path, format!("the {what} '{name}' is used twice: give each its own"));
        }
    }

    fn optional_id(&mut self, path: &str, id: Option<&str>) {
        if id.is_some_and(|id| id.trim().is_empty()) {
            self.add(path, "an empty id: give the bundle's id (e.g. R1, PL3) or leave the field out".into());
        }
    }

    fn date_in_year(&mut self, path: &str, date: NaiveDate, year: (NaiveDate, NaiveDate)) {
        if date < year.0 || date >= year.1 {
            self.add(path, format!("{date} is outside the fiscal year {}: give a date within it", year.0.format("%Y")));
        }
    }

    fn cents(&mut self, path: &str, cents: i64, min: i64) {
        if !(min..=MAX_CENTS).contains(&cents) {
            self.add(path, format!("{cents} cents is out of range: give {min} to {MAX_CENTS}"));
        }
    }

    fn decimal(&mut self, path: &str, value: Decimal) {
        if value < Decimal::ZERO || value > MAX_DECIMAL {
            self.add(path, format!("{value} is out of range: give 0 to {MAX_DECIMAL}"));
        }
    }
}
