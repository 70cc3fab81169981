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

use super::bundle_out::NewRow;
use super::cells::{self, NumberStyle};
use super::conversion::{self, Conversion, Owners, VendorExport, export_files, first_id, named_stage, note_stage};
use super::milestones;
use super::sheet::Sheet;
use super::stages::{Resolved, Resolver, StageMapping, VendorStage};
use super::{Converted, CrmImportError};
use crate::bundle::Problem;
use crate::error::Result;
use crate::orgs::PipelineKeys;
use chrono::NaiveDateTime;
use quotient_core::model::StageOutcome;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The source's name, before every external id.
pub const SOURCE: &str = "hubspot";

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

/// Whether a file's header is HubSpot's (for telling the vendor of an upload).
pub fn recognises(headers: &[String]) -> bool {
    headers.iter().any(|h| h.eq_ignore_ascii_case("Record ID"))
}

/// A HubSpot export read into memory.
pub struct HubSpotExport {
    sheets: BTreeMap<Object, Vec<Sheet>>,
}

/// Reads the export in `paths` (a folder, or files); a file it cannot tell the object of, or
/// cannot read, is a problem.
pub fn read(paths: &[PathBuf]) -> std::result::Result<HubSpotExport, CrmImportError> {
    let mut sheets: BTreeMap<Object, Vec<Sheet>> = BTreeMap::new();
    let mut problems = Vec::new();
    for path in export_files(paths)? {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(object) = object_of(&name) else {
            problems.push(Problem {
                file: name,
                line: 0,
                column: None,
                field: None,
                message: "is not a HubSpot export this import reads: its name should say deals, companies, contacts, calls, meetings, emails, tasks or users, as HubSpot names them; rename or remove it".into(),
            });
            continue;
        };
        match Sheet::read(&path) {
            Ok(sheet) => sheets.entry(object).or_default().push(sheet),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() { Ok(HubSpotExport { sheets }) } else { Err(conversion::invalid(problems)) }
}

impl HubSpotExport {
    fn of(&self, object: Object) -> &[Sheet] {
        self.sheets.get(&object).map(Vec::as_slice).unwrap_or_default()
    }
}

impl VendorExport for HubSpotExport {
    fn label(&self) -> &'static str {
        "HubSpot"
    }

    /// The stages of the "Date entered" columns, in their order, then those of the stage column.
    fn stages_found(&self) -> Vec<VendorStage> {
        let mut found = Vec::new();
        for sheet in self.of(Object::Deals) {
            for (order, (_, rest)) in sheet.columns_starting_with("Date entered ").enumerate() {
                if let Some((_, stage)) = entered_column(rest) {
                    note_stage(&mut found, named_stage(&stage, Some(order as i64)));
                }
            }
            let column = sheet.column(&["Deal Stage"]);
            for row in sheet.rows() {
                if !row.get(column).is_empty() {
                    note_stage(&mut found, named_stage(row.get(column), None));
                }
            }
        }
        found
    }

    fn convert(
        &self,
        mapping: &StageMapping,
        pipeline: &PipelineKeys,
    ) -> std::result::Result<Converted, CrmImportError> {
        let mut conversion = Conversion::new(SOURCE, mapping)?;
        let resolver = Resolver::new(mapping, pipeline);
        let mut owners = Owners::new(SOURCE);
        let users = self.of(Object::Users).first();
        for sheet in self.of(Object::Users) {
            owners.read_users(sheet, &["Name"], &["First Name"], &["Last Name"], &["Email", "Email Address"]);
        }
        let mut known = Known::default();
        for sheet in self.of(Object::Companies) {
            companies(sheet, &mut conversion, &mut owners, &mut known)?;
        }
        for sheet in self.of(Object::Contacts) {
            contacts(sheet, &mut conversion, &mut known)?;
        }
        for sheet in self.of(Object::Deals) {
            deals(sheet, &mut conversion, &resolver, &mut owners, &mut known)?;
        }
        for (object, activity) in [(Object::Calls, "call"), (Object::Meetings, "meeting"), (Object::Emails, "email")] {
            for sheet in self.of(object) {
                activities(sheet, activity, &mut conversion, &mut owners, &known)?;
            }
        }
        for sheet in self.of(Object::Tasks) {
            for _ in sheet.rows() {
                conversion.skip(sheet, "a task is a to-do, not work done: log the calls and meetings it led to");
            }
            conversion.counted(sheet, 0);
        }
        owners.finish(&mut conversion, users)?;
        conversion.finish()
    }
}

/// Ids of the records converted, for the associations that refer to them.
#[derive(Default)]
struct Known {
    companies: BTreeSet<String>,
    contacts: BTreeSet<String>,
    deals: BTreeSet<String>,
}

fn id(object: &str, record: &str) -> String {
    super::external_id(SOURCE, &format!("{object}:{record}"))
}

fn companies(sheet: &Sheet, conversion: &mut Conversion, owners: &mut Owners, known: &mut Known) -> Result<()> {
    let Some(record) = conversion.required(sheet, &["Record ID"]) else { return Ok(()) };
    let name = sheet.column(&["Company name", "Name"]);
    let industry = sheet.column(&["Industry"]);
    let city = sheet.column(&["City"]);
    let country = sheet.column(&["Country/Region", "Country"]);
    let employees = sheet.column(&["Number of Employees"]);
    let revenue = sheet.column(&["Annual Revenue"]);
    let owner = sheet.column(&["Company owner"]);
    let from = conversion.vendor_file(
        sheet,
        &[
            ("account_id", Some(record)),
            ("name", name),
            ("industry", industry),
            ("city", city),
            ("country", country),
            ("employees", employees),
            ("annual_revenue", revenue),
            ("owner_id", owner),
        ],
    );
    let mut converted = 0;
    for row in sheet.rows() {
        let record_id = row.get(Some(record));
        let mut out = NewRow::of("accounts.csv");
        let title = if row.get(name).is_empty() { record_id } else { row.get(name) };
        out.set("account_id", id("company", record_id)).set("name", title);
        out.set("industry", row.get(industry)).set("city", row.get(city)).set("country", row.get(country));
        if let Some(rep) = owners.rep(row.get(owner)) {
            out.set("owner_id", rep);
        }
        for (column, field, parse) in [
            (employees, "employees", cells::parse_count as fn(&str) -> std::result::Result<String, String>),
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
        conversion.emit(out, from, row.line)?;
        converted += 1;
    }
    conversion.counted(sheet, converted);
    Ok(())
}

fn contacts(sheet: &Sheet, conversion: &mut Conversion, known: &mut Known) -> Result<()> {
    let Some(record) = conversion.required(sheet, &["Record ID"]) else { return Ok(()) };
    let first = sheet.column(&["First Name"]);
    let last = sheet.column(&["Last Name"]);
    let email = sheet.column(&["Email"]);
    let phone = sheet.column(&["Phone Number"]);
    let title = sheet.column(&["Job Title"]);
    let company = sheet.column(&["Associated Company IDs", "Associated Company ID", "Company ID"]);
    let from = conversion.vendor_file(
        sheet,
        &[
            ("contact_id", Some(record)),
            ("account_id", company),
            ("first_name", first),
            ("last_name", last),
            ("title", title),
            ("email", email),
            ("phone", phone),
        ],
    );
    let mut converted = 0;
    for row in sheet.rows() {
        let company_id = first_id(row.get(company));
        if !known.companies.contains(company_id) {
            conversion.skip(sheet, "no company in the export: a contact belongs to an account");
            continue;
        }
        let record_id = row.get(Some(record));
        let last_name = if row.get(last).is_empty() { row.get(email) } else { row.get(last) };
        let mut out = NewRow::of("contacts.csv");
        out.set("contact_id", id("contact", record_id)).set("account_id", id("company", company_id));
        out.set("first_name", row.get(first)).set("last_name", last_name);
        out.set("title", row.get(title)).set("email", row.get(email)).set("phone", row.get(phone));
        known.contacts.insert(record_id.to_string());
        conversion.emit(out, from, row.line)?;
        converted += 1;
    }
    conversion.counted(sheet, converted);
    Ok(())
}

/// `"Closed Won (Sales Pipeline)"` (a "Date entered" header's rest) → (`Sales Pipeline`, `Closed Won`).
fn entered_column(header: &str) -> Option<(String, String)> {
    let inner = header.trim().trim_matches('"');
    let (stage, pipeline) = inner.rsplit_once(" (")?;
    Some((pipeline.trim_end_matches(')').to_string(), stage.to_string()))
}

fn deals(
    sheet: &Sheet,
    conversion: &mut Conversion,
    resolver: &Resolver,
    owners: &mut Owners,
    known: &mut Known,
) -> Result<()> {
    let (Some(record), Some(stage), Some(created), Some(owner)) = (
        conversion.required(sheet, &["Record ID"]),
        conversion.required(sheet, &["Deal Stage"]),
        conversion.required(sheet, &["Create Date"]),
        conversion.required(sheet, &["Deal owner"]),
    ) else {
        return Ok(());
    };
    let name = sheet.column(&["Deal Name"]);
    let pipeline = sheet.column(&["Pipeline"]);
    let amount = sheet.column(&["Amount in company currency", "Amount"]);
    let close = sheet.column(&["Close Date"]);
    let company = sheet.column(&["Associated Company IDs", "Associated Company ID"]);
    let entered: Vec<(usize, (String, String))> =
        sheet.columns_starting_with("Date entered ").filter_map(|(c, rest)| Some((c, entered_column(rest)?))).collect();
    let from = conversion.vendor_file(
        sheet,
        &[
            ("opportunity_id", Some(record)),
            ("owner_id", Some(owner)),
            ("name", name),
            ("amount", amount),
            ("account_id", company),
            ("created_at", Some(created)),
            ("expected_close_on", close),
            ("closed_at", close),
            ("status", Some(stage)),
            ("stage", Some(stage)),
        ],
    );
    let mut converted = 0;
    for row in sheet.rows() {
        let record_id = row.get(Some(record));
        let Some(rep) = owners.rep(row.get(Some(owner))) else {
            conversion.skip(sheet, "no deal owner: give the deal an owner in HubSpot");
            continue;
        };
        let Some(created_at) = conversion.time_at(&row, Some(created)) else {
            if row.get(Some(created)).is_empty() {
                conversion.problems.push(row.problem(Some(created), "is empty: every deal has a create date".into()));
            }
            continue;
        };
        let deal_pipeline = row.get(pipeline);
        let current = resolver.get(row.get(Some(stage)));
        let mut history: Vec<(&Resolved, NaiveDateTime)> = Vec::new();
        let mut outcome_at = None;
        for (column, (stage_pipeline, stage_name)) in &entered {
            let Some(at) = conversion.time_at(&row, Some(*column)) else { continue };
            let Some(resolved) = resolver.get(stage_name) else { continue };
            let is_current = current.is_some_and(|c| c.stage == resolved.stage) && stage_pipeline == deal_pipeline;
            if is_current && resolved.outcome != StageOutcome::Open {
                outcome_at = Some(at);
            }
            history.push((resolved, at));
        }
        let closed = match current.filter(|c| c.outcome != StageOutcome::Open) {
            Some(outcome) => {
                let Some(at) = outcome_at.or_else(|| conversion.time_at(&row, close)) else {
                    conversion.problems.push(row.problem(
                        close,
                        "the deal is closed but has no close date: give it one in HubSpot, or export the \"Close Date\" column".into(),
                    ));
                    continue;
                };
                Some((outcome, at.max(created_at)))
            }
            None => None,
        };
        let derived = milestones::derive(resolver, created_at, &history, closed);
        let opportunity = id("deal", record_id);
        let mut out = NewRow::of("opportunities.csv");
        out.set("opportunity_id", opportunity.clone()).set("owner_id", rep).set("name", row.get(name));
        let amount_text = row.get(amount);
        let cents_text = if amount_text.is_empty() {
            conversion.skips.skip(&sheet.file, "no amount: imported with 0 (the deal itself is kept)");
            "0.00".to_string()
        } else {
            match cells::parse_amount(amount_text, NumberStyle::default()) {
                Ok(value) => value,
                Err(message) => {
                    conversion.problems.push(row.problem(amount, message));
                    continue;
                }
            }
        };
        out.set("amount", cents_text.clone());
        let company_id = first_id(row.get(company));
        if known.companies.contains(company_id) {
            out.set("account_id", id("company", company_id));
        }
        out.set("created_at", cells::timestamp(created_at));
        conversion.saw_day(created_at.date());
        match closed {
            Some((outcome, at)) => {
                let status = if outcome.outcome == StageOutcome::Won { "won" } else { "lost" };
                out.set("status", status).set("closed_at", cells::timestamp(at)).set("stage", outcome.stage.clone());
                conversion.saw_day(at.date());
                if status == "won" {
                    conversion.kpis.won += 1;
                    conversion.kpis.revenue_cents += cents_of(&cents_text);
                } else {
                    conversion.kpis.lost += 1;
                }
            }
            None => {
                out.set("status", "open");
                conversion.kpis.open += 1;
                if let Some(current) = current {
                    out.set("stage", current.stage.clone());
                }
                if let Some(day) = conversion.time_at(&row, close) {
                    out.set("expected_close_on", day.format("%Y-%m-%d").to_string());
                }
            }
        }
        set_milestones(&mut out, &derived);
        conversion.emit(out, from, row.line)?;
        push_changes(conversion, &opportunity, &derived, from, row.line)?;
        known.deals.insert(record_id.to_string());
        converted += 1;
    }
    conversion.counted(sheet, converted);
    Ok(())
}

/// `1234.50` → 123450.
pub(super) fn cents_of(amount: &str) -> i64 {
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, "0"));
    whole.parse::<i64>().unwrap_or(0) * 100 + fraction.parse::<i64>().unwrap_or(0)
}

/// Writes a deal's derived milestones into its opportunity row.
pub(super) fn set_milestones(out: &mut NewRow, derived: &milestones::Milestones) {
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

/// Writes a deal's stage changes, converted from the deal's row.
pub(super) fn push_changes(
    conversion: &mut Conversion,
    opportunity: &str,
    derived: &milestones::Milestones,
    from: super::VendorFile,
    line: u64,
) -> Result<()> {
    for (stage, at) in &derived.changes {
        let mut change = NewRow::of("stage_changes.csv");
        change.set("opportunity_id", opportunity).set("stage", stage.clone()).set("changed_at", cells::timestamp(*at));
        conversion.emit(change, from, line)?;
    }
    Ok(())
}

fn activities(
    sheet: &Sheet,
    activity: &str,
    conversion: &mut Conversion,
    owners: &mut Owners,
    known: &Known,
) -> Result<()> {
    let (Some(record), Some(date)) =
        (conversion.required(sheet, &["Record ID"]), conversion.required(sheet, &["Activity date", "Create Date"]))
    else {
        return Ok(());
    };
    let assigned = sheet.column(&["Activity assigned to", "Assigned to", "Activity owner"]);
    let outcome = sheet.column(&["Call outcome", "Meeting outcome"]);
    let direction = sheet.column(&["Call direction", "Email direction"]);
    let contact = sheet.column(&["Associated Contact IDs"]);
    let company = sheet.column(&["Associated Company IDs"]);
    let deal = sheet.column(&["Associated Deal IDs"]);
    let from = conversion.vendor_file(
        sheet,
        &[
            ("activity_id", Some(record)),
            ("rep_id", assigned),
            ("occurred_at", Some(date)),
            ("outcome", outcome),
            ("account_id", company),
            ("contact_id", contact),
            ("opportunity_id", deal),
        ],
    );
    let mut converted = 0;
    for row in sheet.rows() {
        let direction_text = row.get(direction).to_lowercase();
        if activity == "email" && direction_text.contains("incoming") {
            conversion.skip(sheet, "an incoming e-mail is the customer's, not a rep's activity");
            continue;
        }
        let Some(rep) = owners.rep(row.get(assigned)) else {
            conversion.skip(sheet, "assigned to no one: an activity is a rep's");
            continue;
        };
        let Some(at) = conversion.time_at(&row, Some(date)) else { continue };
        let (kind, result) = match activity {
            "call" => (
                if direction_text.contains("inbound") { "call_back" } else { "cold_call" },
                call_outcome(row.get(outcome)),
            ),
            "meeting" => ("appointment", meeting_outcome(row.get(outcome))),
            _ => ("email", None),
        };
        let mut out = NewRow::of("activities.csv");
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
        conversion.emit(out, from, row.line)?;
        converted += 1;
    }
    conversion.counted(sheet, converted);
    Ok(())
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
