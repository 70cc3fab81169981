//! A year's plans file: read and checked (the engine's rules, then every rep and product line it
//! names resolved against the organisation, each problem with its JSON path), saved whole in place
//! of the year's plans and contests, and read back.

use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::{Code, Refusal, Result, StoreError};
use crate::kpi::Directory;
use crate::ops::incentives::{PlanPreview, PlansChecked, SavePlans};
use crate::orgs::OrgId;
use chrono::Utc;
use quotient_core::incentives::{Participants, PlansFile, read_plans_file};
use quotient_core::input::Refusals;

/// The plans file of `command`, or every problem with it: the engine's (with their JSON path), a
/// file for another year, reps and product lines the organisation does not have.
pub fn read(directory: &Directory, command: &SavePlans) -> Result<PlansFile> {
    let file = read_plans_file(&command.file).map_err(|problems| {
        StoreError::Refused(
            problems
                .into_iter()
                .map(|p| Refusal::new("file", Code::PlansFile).text("path", p.path).text("problem", p.message))
                .collect(),
        )
    })?;
    let mut refusals = Refusals::new();
    if file.fiscal_year != command.fiscal_year {
        refusals.push(
            Refusal::new("fiscal_year", Code::PlansYear)
                .count("year", i64::from(command.fiscal_year))
                .count("found", i64::from(file.fiscal_year)),
        );
    }
    let rep = |path: String, id: &str, refusals: &mut Refusals| {
        if directory.people.iter().all(|p| p.external_id != id) {
            refusals.push(Refusal::new("file", Code::PlansUnknownRep).text("path", path).text("id", id));
        }
    };
    let line = |path: String, id: &Option<String>, refusals: &mut Refusals| {
        if let Some(id) = id
            && directory.product_lines.values().all(|(external, _)| external != id)
        {
            refusals.push(Refusal::new("file", Code::PlansUnknownProductLine).text("path", path).text("id", id));
        }
    };
    for (p, plan) in file.plans.iter().enumerate() {
        for (a, assignment) in plan.assignments.iter().enumerate() {
            rep(format!("plans[{p}].assignments[{a}].rep_id"), &assignment.rep_id, &mut refusals);
        }
        for (c, component) in plan.components.iter().enumerate() {
            line(format!("plans[{p}].components[{c}].product_line_id"), &component.product_line_id, &mut refusals);
        }
    }
    for (c, contest) in file.contests.iter().enumerate() {
        if let Participants::Team(manager) = &contest.participants {
            rep(format!("contests[{c}].participants"), manager, &mut refusals);
        }
        line(format!("contests[{c}].measure.product_line_id"), &contest.measure.product_line_id, &mut refusals);
    }
    refusals.finish().map_err(StoreError::Refused)?;
    Ok(file)
}

/// What a checked file holds, with its preview.
pub fn checked(file: &PlansFile, preview: PlanPreview) -> PlansChecked {
    PlansChecked {
        fiscal_year: file.fiscal_year,
        plans: file.plans.len(),
        assignments: file.plans.iter().map(|p| p.assignments.len()).sum(),
        contests: file.contests.len(),
        preview,
    }
}

/// Replaces the year's plans, assignments and contests with `file` (whose text is `text`), audited
/// with the file before and after. Call it in a transaction, with a file [`read`] accepted.
pub fn save(
    db: &mut Db,
    org: OrgId,
    actor: Option<i64>,
    directory: &Directory,
    file: &PlansFile,
    text: &str,
) -> Result<()> {
    let year = Value::Int(i64::from(file.fiscal_year));
    let before = file_text(db, org, file.fiscal_year)?;
    for table in ["plan_assignments", "incentive_plans", "contests", "incentive_years"] {
        db.execute(&format!("DELETE FROM {table} WHERE org_id = ? AND fiscal_year = ?"), &[org.value(), year.clone()])?;
    }
    db.execute(
        "INSERT INTO incentive_years (org_id, fiscal_year, plans_json, saved_at) VALUES (?, ?, ?, ?)",
        &[org.value(), year.clone(), Value::text(text), Value::Timestamp(Utc::now())],
    )?;
    for (position, plan) in file.plans.iter().enumerate() {
        let position = Value::Int(position as i64);
        db.execute(
            "INSERT INTO incentive_plans (org_id, fiscal_year, position, name) VALUES (?, ?, ?, ?)",
            &[org.value(), year.clone(), position.clone(), Value::text(&plan.name)],
        )?;
        for assignment in &plan.assignments {
            let Some(rep) = directory.people.iter().find(|p| p.external_id == assignment.rep_id) else { continue };
            db.execute(
                "INSERT INTO plan_assignments (org_id, fiscal_year, position, rep_id, from_on, to_on) VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    org.value(),
                    year.clone(),
                    position.clone(),
                    Value::Int(rep.id),
                    Value::Date(assignment.from),
                    assignment.to.map_or(Value::Null, Value::Date),
                ],
            )?;
        }
    }
    for (position, contest) in file.contests.iter().enumerate() {
        db.execute(
            "INSERT INTO contests (org_id, fiscal_year, position, name, start_on, end_on) VALUES (?, ?, ?, ?, ?, ?)",
            &[
                org.value(),
                year.clone(),
                Value::Int(position as i64),
                Value::text(&contest.name),
                Value::Date(contest.start),
                Value::Date(contest.end),
            ],
        )?;
    }
    let json = |text: Option<&str>| text.map(|t| serde_json::from_str(t).unwrap_or(serde_json::Value::Null));
    audit::record(
        db,
        org,
        Change {
            user: actor,
            action: "save",
            entity: "incentive_plans",
            entity_id: Some(i64::from(file.fiscal_year)),
            before: json(before.as_deref()),
            after: json(Some(text)),
        },
    )?;
    // The leaderboard keeps the contests' standings until the data revision moves.
    crate::orgs::bump_revisions(db, org, &[crate::orgs::Revision::Data])
}

/// The year's plans file as saved.
pub fn file_text(db: &mut Db, org: OrgId, fiscal_year: i32) -> Result<Option<String>> {
    db.query_opt(
        "SELECT plans_json FROM incentive_years WHERE org_id = ? AND fiscal_year = ?",
        &[org.value(), Value::Int(i64::from(fiscal_year))],
        |row| Ok(row.text(0)?.unwrap_or_default().to_string()),
    )
}

/// The year's plans file as saved, read.
pub fn saved(db: &mut Db, org: OrgId, fiscal_year: i32) -> Result<Option<PlansFile>> {
    let Some(text) = file_text(db, org, fiscal_year)? else { return Ok(None) };
    read_plans_file(&text).map(Some).map_err(|problems| {
        let first = problems.first().map(ToString::to_string).unwrap_or_default();
        StoreError::Decode(format!("the saved plans file of {fiscal_year} no longer reads: {first}"))
    })
}

/// Every saved plans file of the organisation, by year.
pub fn all_years(db: &mut Db, org: OrgId) -> Result<Vec<(i32, String)>> {
    db.query_map(
        "SELECT fiscal_year, plans_json FROM incentive_years WHERE org_id = ? ORDER BY fiscal_year",
        &[org.value()],
        |row| {
            let year = row.int(0)?.unwrap_or_default();
            Ok((i32::try_from(year).unwrap_or_default(), row.text(1)?.unwrap_or_default().to_string()))
        },
    )
}

/// The name of a year's plans file beside an exported bundle.
pub fn file_name(fiscal_year: i32) -> String {
    format!("plans-{fiscal_year}.json")
}
