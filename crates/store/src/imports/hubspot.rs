//! HubSpot's CSV exports ("Export" on a records view, display-name headers) into a bundle.
//!
//! Files are told apart by the object their name carries, as HubSpot names them
//! (`hubspot-crm-exports-all-deals-2024-06-30.csv`): deals, companies, contacts, calls, meetings,
//! emails, tasks, and the users export (Settings › Users & Teams) for owners' e-mails. Owners are
//! written by name; with the users export they become reps keyed by e-mail. Associations are the
//! `Associated … IDs` columns (the first id when there are several). A deal's stage history is its
//! `Date entered "<stage> (<pipeline>)"` columns. Ids become `hubspot:<object>:<Record ID>`.
//! Tasks are to-dos, not work done, and incoming e-mails are the customer's: both are left out
//! and counted. See docs/IMPORTS.md and tests/fixtures/hubspot/SOURCES.md.

use super::bundle_out::BundleOut;
use super::cells::{self, NumberStyle};
use super::conversion::{Conversion, Owners, export_files, first_id};
use super::milestones::{self, Placement, Stage};
use super::sheet::{Row, Sheet};
use chrono::NaiveDateTime;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub const VENDOR: &str = "HubSpot";
const PREFIX: &str = "hubspot";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Object {
    Users,
    Companies,
    Contacts,
    Deals,
    Calls,
    Meetings,
    Emails,
    Tasks,
}

/// The object a file holds, from the words in its name.
fn object_of(file: &str) -> Option<Object> {
    let name = file.to_lowercase();
    [
        ("deal", Object::Deals),
        ("compan", Object::Companies),
        ("contact", Object::Contacts),
        ("call", Object::Calls),
        ("meeting", Object::Meetings),
        ("email", Object::Emails),
        ("task", Object::Tasks),
        ("user", Object::Users),
    ]
    .into_iter()
    .find(|(word, _)| name.contains(word))
    .map(|(_, object)| object)
}

/// Whether the files look like a HubSpot export (for detecting the vendor of an upload).
pub fn recognises(headers: &[String]) -> bool {
    headers.iter().any(|h| h.eq_ignore_ascii_case("Record ID"))
}

/// Converts the export in `paths` (a folder or files). The stage mapping is read from
/// `stages_file` when it exists, else proposed.
pub fn convert(paths: &[PathBuf], stages_file: &Path) -> Conversion {
    let mut conversion = Conversion::new(VENDOR);
    let files = match export_files(paths) {
        Ok(files) => files,
        Err(problem) => {
            conversion.problems.push(problem);
            return conversion;
        }
    };
    let mut sheets: BTreeMap<Object, Vec<Sheet>> = BTreeMap::new();
    for path in &files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.eq_ignore_ascii_case("stages.toml") {
            continue;
        }
        let Some(object) = object_of(&name) else {
            conversion.problems.push(crate::bundle::Problem {
                file: name,
                line: 0,
                column: None,
                field: None,
                message: "is not a HubSpot export this import reads: its name should say deals, companies, contacts, calls, meetings, emails, tasks or users (as HubSpot names them); rename or remove it".into(),
            });
            continue;
        };
        match Sheet::read(path) {
            Ok(sheet) => sheets.entry(object).or_default().push(sheet),
            Err(problem) => conversion.problems.push(problem),
        }
    }
    let mut owners = Owners::new(PREFIX);
    for sheet in sheets.get(&Object::Users).into_iter().flatten() {
        owners.read_users(sheet, &["Name"], &["First Name"], &["Last Name"], &["Email", "Email Address"]);
    }
    let mut known = Known::default();
    for sheet in sheets.get(&Object::Companies).into_iter().flatten() {
        companies(sheet, &mut conversion, &mut owners, &mut known);
    }
    for sheet in sheets.get(&Object::Contacts).into_iter().flatten() {
        contacts(sheet, &mut conversion, &known.companies.clone(), &mut known.contacts);
    }
    let deal_sheets = sheets.get(&Object::Deals).map(Vec::as_slice).unwrap_or_default();
    let seen: Vec<(String, String)> = deal_sheets.iter().flat_map(stages_seen).collect();
    match milestones::load_or_propose(stages_file, &seen) {
        Ok((map, reviewed)) => {
            conversion.stages = map;
            conversion.stages_reviewed = reviewed;
        }
        Err(problems) => {
            conversion.problems.extend(problems);
            return conversion;
        }
    }
    for sheet in deal_sheets {
        deals(sheet, &mut conversion, &mut owners, &mut known);
    }
    for (object, activity) in [(Object::Calls, "call"), (Object::Meetings, "meeting"), (Object::Emails, "email")] {
        for sheet in sheets.get(&object).into_iter().flatten() {
            activities(sheet, activity, &mut conversion, &mut owners, &known);
        }
    }
    for sheet in sheets.get(&Object::Tasks).into_iter().flatten() {
        for _ in sheet.rows() {
            conversion.skip("tasks: a task is a to-do, not work done; log the calls and meetings it led to");
        }
    }
    owners.finish(&mut conversion);
    conversion
}

/// Ids of the records converted, for the associations that refer to them.
#[derive(Default)]
struct Known {
    companies: BTreeSet<String>,
    contacts: BTreeSet<String>,
    deals: BTreeSet<String>,
}

fn id(object: &str, record: &str) -> String {
    format!("{PREFIX}:{object}:{record}")
}

/// A required column's position, or a problem for the file.
fn required(sheet: &Sheet, names: &[&str], conversion: &mut Conversion) -> Option<usize> {
    let column = sheet.column(names);
    if column.is_none() {
        conversion.problems.push(sheet.missing(names));
    }
    column
}

/// The timestamp at `column`, or a located problem; `None` for an empty cell.
fn time_at(row: &Row<'_>, column: Option<usize>, conversion: &mut Conversion) -> Option<NaiveDateTime> {
    let text = row.get(column);
    if text.is_empty() {
        return None;
    }
    match cells::parse_time(text, &cells::export_time_formats()) {
        Ok(at) => Some(at),
        Err(message) => {
            conversion.problems.push(row.problem(column, message));
            None
        }
    }
}

fn companies(sheet: &Sheet, conversion: &mut Conversion, owners: &mut Owners, known: &mut Known) {
    let Some(record) = required(sheet, &["Record ID"], conversion) else { return };
    let name = sheet.column(&["Company name", "Name"]);
    let industry = sheet.column(&["Industry"]);
    let city = sheet.column(&["City"]);
    let country = sheet.column(&["Country/Region", "Country"]);
    let employees = sheet.column(&["Number of Employees"]);
    let revenue = sheet.column(&["Annual Revenue"]);
    let owner = sheet.column(&["Company owner"]);
    for row in sheet.rows() {
        let record_id = row.get(Some(record));
        let mut out = BundleOut::row("accounts.csv");
        let title = if row.get(name).is_empty() { record_id } else { row.get(name) };
        out.set("account_id", id("company", record_id)).set("name", title);
        out.set("industry", row.get(industry)).set("city", row.get(city)).set("country", row.get(country));
        if let Some(rep) = owners.rep(row.get(owner)) {
            out.set("owner_id", rep);
        }
        for (column, field, parse) in [
            (employees, "employees", cells::parse_count as fn(&str) -> Result<String, String>),
            (revenue, "annual_revenue", |t: &str| cells::parse_amount(t, NumberStyle::default())),
        ] {
            let text = row.get(column);
            if text.is_empty() {
                continue;
            }
            match parse(text) {
                Ok(value) => {
                    out.set(field, value);
                }
                Err(message) => conversion.problems.push(row.problem(column, message)),
            }
        }
        known.companies.insert(record_id.to_string());
        conversion.bundle.push(out);
    }
}

fn contacts(sheet: &Sheet, conversion: &mut Conversion, companies: &BTreeSet<String>, known: &mut BTreeSet<String>) {
    let Some(record) = required(sheet, &["Record ID"], conversion) else { return };
    let first = sheet.column(&["First Name"]);
    let last = sheet.column(&["Last Name"]);
    let email = sheet.column(&["Email"]);
    let phone = sheet.column(&["Phone Number"]);
    let title = sheet.column(&["Job Title"]);
    let company = sheet.column(&["Associated Company IDs", "Associated Company ID", "Company ID"]);
    for row in sheet.rows() {
        let company_id = first_id(row.get(company));
        if !companies.contains(company_id) {
            conversion.skip("contacts without a company in the export: a contact belongs to an account");
            continue;
        }
        let record_id = row.get(Some(record));
        let last_name = if row.get(last).is_empty() { row.get(email) } else { row.get(last) };
        let mut out = BundleOut::row("contacts.csv");
        out.set("contact_id", id("contact", record_id)).set("account_id", id("company", company_id));
        out.set("first_name", row.get(first)).set("last_name", last_name);
        out.set("title", row.get(title)).set("email", row.get(email)).set("phone", row.get(phone));
        known.insert(record_id.to_string());
        conversion.bundle.push(out);
    }
}

/// `Date entered "Closed Won (Sales Pipeline)"` → (`Sales Pipeline`, `Closed Won`).
fn entered_column(header: &str) -> Option<(String, String)> {
    let inner = header.trim().trim_matches('"');
    let (stage, pipeline) = inner.rsplit_once(" (")?;
    Some((pipeline.trim_end_matches(')').to_string(), stage.to_string()))
}

/// The stages a deals file shows: in its stage column and in its "Date entered" columns.
fn stages_seen(sheet: &Sheet) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> =
        sheet.columns_starting_with("Date entered ").filter_map(|(_, rest)| entered_column(rest)).collect();
    let (pipeline, stage) = (sheet.column(&["Pipeline"]), sheet.column(&["Deal Stage"]));
    for row in sheet.rows() {
        if !row.get(stage).is_empty() {
            seen.push((row.get(pipeline).to_string(), row.get(stage).to_string()));
        }
    }
    seen
}

fn deals(sheet: &Sheet, conversion: &mut Conversion, owners: &mut Owners, known: &mut Known) {
    let (Some(record), Some(stage), Some(created), Some(owner)) = (
        required(sheet, &["Record ID"], conversion),
        required(sheet, &["Deal Stage"], conversion),
        required(sheet, &["Create Date"], conversion),
        required(sheet, &["Deal owner"], conversion),
    ) else {
        return;
    };
    let name = sheet.column(&["Deal Name"]);
    let pipeline = sheet.column(&["Pipeline"]);
    let amount = sheet.column(&["Amount in company currency", "Amount"]);
    let close = sheet.column(&["Close Date"]);
    let company = sheet.column(&["Associated Company IDs", "Associated Company ID"]);
    let entered: Vec<(usize, (String, String))> =
        sheet.columns_starting_with("Date entered ").filter_map(|(c, rest)| Some((c, entered_column(rest)?))).collect();
    let mut without_amount = 0;
    for row in sheet.rows() {
        let record_id = row.get(Some(record));
        let Some(rep) = owners.rep(row.get(Some(owner))) else {
            conversion.skip("deals without a deal owner: give them an owner in HubSpot");
            continue;
        };
        let Some(created_at) = time_at(&row, Some(created), conversion) else {
            if row.get(Some(created)).is_empty() {
                conversion.problems.push(row.problem(Some(created), "is empty: every deal has a create date".into()));
            }
            continue;
        };
        let deal_pipeline = row.get(pipeline);
        let placed = conversion.stages.place(deal_pipeline, row.get(Some(stage))).cloned();
        let mut history: Vec<(Placement, NaiveDateTime)> = Vec::new();
        let mut outcome_at = None;
        for (column, (stage_pipeline, stage_name)) in &entered {
            let Some(at) = time_at(&row, Some(*column), conversion) else { continue };
            if let Some(p) = conversion.stages.place(stage_pipeline, stage_name) {
                if placed.as_ref().is_some_and(|current| current == p && p.stage >= Stage::Won) && stage_pipeline == deal_pipeline {
                    outcome_at = Some(at);
                }
                history.push((p.clone(), at));
            }
        }
        let outcome = placed.as_ref().map(|p| p.stage).filter(|s| *s >= Stage::Won);
        let closed = match outcome {
            Some(outcome) => {
                let at = outcome_at.or_else(|| time_at(&row, close, conversion));
                let Some(at) = at else {
                    conversion.problems.push(row.problem(
                        close,
                        "the deal is closed but has no close date: give it one in HubSpot or export the \"Close Date\" column".into(),
                    ));
                    continue;
                };
                Some((outcome, at.max(created_at)))
            }
            None => None,
        };
        let entered_refs: Vec<(&Placement, NaiveDateTime)> = history.iter().map(|(p, at)| (p, *at)).collect();
        let derived = milestones::derive(created_at, &entered_refs, closed);
        let opportunity = id("deal", record_id);
        let mut out = BundleOut::row("opportunities.csv");
        out.set("opportunity_id", opportunity.clone()).set("owner_id", rep).set("name", row.get(name));
        let amount_text = row.get(amount);
        if amount_text.is_empty() {
            without_amount += 1;
            out.set("amount", "0.00");
        } else {
            match cells::parse_amount(amount_text, NumberStyle::default()) {
                Ok(value) => {
                    out.set("amount", value);
                }
                Err(message) => {
                    conversion.problems.push(row.problem(amount, message));
                    continue;
                }
            }
        }
        let company_id = first_id(row.get(company));
        if known.companies.contains(company_id) {
            out.set("account_id", id("company", company_id));
        }
        out.set("created_at", cells::timestamp(created_at));
        conversion.saw_day(&cells::timestamp(created_at));
        match closed {
            Some((outcome, at)) => {
                out.set("status", outcome.key()).set("closed_at", cells::timestamp(at));
            }
            None => {
                out.set("status", "open");
                if let Some(day) = time_at(&row, close, conversion) {
                    out.set("expected_close_on", day.format("%Y-%m-%d").to_string());
                }
            }
        }
        set_milestones(&mut out, &derived);
        conversion.bundle.push(out);
        push_changes(conversion, &opportunity, &derived);
        known.deals.insert(record_id.to_string());
    }
    if without_amount > 0 {
        conversion.notes.push(format!("{without_amount} deal(s) in {} have no amount: imported with 0", sheet.file));
    }
}

/// Writes a deal's derived milestones into its opportunity row.
pub(super) fn set_milestones(out: &mut super::bundle_out::NewRow, derived: &milestones::Milestones) {
    for (field, at) in [
        ("first_appointment_at", derived.first_appointment_at),
        ("gateway_at", derived.gateway_at),
        ("proposal_at", derived.proposal_at),
    ] {
        if let Some(at) = at {
            out.set(field, cells::timestamp(at));
        }
    }
    if let Some(kind) = &derived.gateway_type {
        out.set("gateway_type", kind.clone());
    }
}

/// Adds a deal's stage changes to the bundle.
pub(super) fn push_changes(conversion: &mut Conversion, opportunity: &str, derived: &milestones::Milestones) {
    for (stage, at) in &derived.changes {
        let mut change = BundleOut::row("stage_changes.csv");
        change.set("opportunity_id", opportunity).set("stage", stage.key()).set("changed_at", cells::timestamp(*at));
        conversion.bundle.push(change);
    }
}

fn activities(sheet: &Sheet, activity: &str, conversion: &mut Conversion, owners: &mut Owners, known: &Known) {
    let (Some(record), Some(date)) =
        (required(sheet, &["Record ID"], conversion), required(sheet, &["Activity date", "Create Date"], conversion))
    else {
        return;
    };
    let assigned = sheet.column(&["Activity assigned to", "Assigned to", "Activity owner"]);
    let outcome = sheet.column(&["Call outcome", "Meeting outcome"]);
    let direction = sheet.column(&["Call direction", "Email direction"]);
    let contact = sheet.column(&["Associated Contact IDs"]);
    let company = sheet.column(&["Associated Company IDs"]);
    let deal = sheet.column(&["Associated Deal IDs"]);
    for row in sheet.rows() {
        let direction_text = row.get(direction).to_lowercase();
        if activity == "email" && direction_text.contains("incoming") {
            conversion.skip("incoming e-mails: the customer's, not a rep's activity");
            continue;
        }
        let Some(rep) = owners.rep(row.get(assigned)) else {
            conversion.skip("activities assigned to no one: an activity is a rep's");
            continue;
        };
        let Some(at) = time_at(&row, Some(date), conversion) else { continue };
        let (kind, result) = match activity {
            "call" => (
                if direction_text.contains("inbound") { "call_back" } else { "cold_call" },
                call_outcome(row.get(outcome)),
            ),
            "meeting" => ("appointment", meeting_outcome(row.get(outcome))),
            _ => ("email", None),
        };
        let mut out = BundleOut::row("activities.csv");
        out.set("activity_id", id(activity, row.get(Some(record)))).set("rep_id", rep).set("type", kind);
        out.set("occurred_at", cells::timestamp(at));
        for (column, set, field, object) in [
            (company, &known.companies, "account_id", "company"),
            (contact, &known.contacts, "contact_id", "contact"),
            (deal, &known.deals, "opportunity_id", "deal"),
        ] {
            let linked = first_id(row.get(column));
            if set.contains(linked) {
                out.set(field, id(object, linked));
            }
        }
        if let Some(result) = result {
            out.set("outcome", result);
        }
        conversion.bundle.push(out);
    }
}

fn call_outcome(text: &str) -> Option<&'static str> {
    match text.to_lowercase().as_str() {
        "connected" => Some("connected"),
        "no answer" | "busy" | "left voicemail" | "left live message" | "wrong number" => Some("no_answer"),
        _ => None,
    }
}

fn meeting_outcome(text: &str) -> Option<&'static str> {
    match text.to_lowercase().as_str() {
        "completed" => Some("completed"),
        "canceled" | "cancelled" | "no show" => Some("cancelled"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stage_and_pipeline_from_date_entered_headers() {
        assert_eq!(
            entered_column("\"Closed Won (Sales Pipeline)\""),
            Some(("Sales Pipeline".to_string(), "Closed Won".to_string()))
        );
        assert_eq!(
            entered_column("\"Demo (EMEA) (Partners)\""),
            Some(("Partners".to_string(), "Demo (EMEA)".to_string()))
        );
        assert_eq!(object_of("hubspot-crm-exports-all-deals-2024-06-30.csv"), Some(Object::Deals));
        assert_eq!(object_of("hubspot-users.csv"), Some(Object::Users));
        assert_eq!(object_of("notes.csv"), None);
    }
}
