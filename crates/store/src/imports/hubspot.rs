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

use super::conversion::{
    self, Conversion, Objects, Owners, Parts, UserColumns, VendorExport, first_id, named_stage, note_stage, stages_in,
};
use super::currency::Rates;
use super::deals::{self, Deal, MoneyColumns};
use super::milestones;
use super::records::{self, Activity, Column, Fields, Spec};
use super::sheet::{Row, Sheet};
use super::stages::{Resolved, Resolver, StageMapping, VendorStage};
use super::{Converted, CrmImportError};
use crate::error::Result;
use crate::orgs::PipelineKeys;
use chrono::NaiveDateTime;
use quotient_core::model::StageOutcome;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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

/// A HubSpot export read into memory, with the rates for deals in other currencies.
pub struct HubSpotExport {
    sheets: Objects<Object>,
    rates: Rates,
}

/// Where the users and deals are: the users export's columns, and the deal's currency column (its
/// label, and its internal name as some exports head it).
const PARTS: Parts<Object> = Parts {
    users: Object::Users,
    user_columns: UserColumns {
        name: &["Name"],
        first: &["First Name"],
        last: &["Last Name"],
        email: &["Email", "Email Address"],
    },
    deals: Object::Deals,
    currency: &["Currency", "Deal currency code"],
};

/// Reads the export in `paths` (a folder, or CSV and XLSX files) and the rates file, if any; a
/// file it cannot tell the object of, or cannot read, is a problem.
pub fn read(paths: &[PathBuf], rates_file: Option<&Path>) -> std::result::Result<HubSpotExport, CrmImportError> {
    let not_ours = "is not a HubSpot export this import reads: its name should say deals, companies, contacts, calls, meetings, emails, tasks or users, as HubSpot names them; rename or remove it";
    let (sheets, rates) = conversion::read_export(paths, rates_file, |sheet| object_of(&sheet.file), not_ours)?;
    Ok(HubSpotExport { sheets, rates })
}

impl VendorExport for HubSpotExport {
    fn label(&self) -> &'static str {
        "HubSpot"
    }

    /// The stages of the "Date entered" columns, in their order, then those of the stage column.
    fn stages_found(&self) -> std::result::Result<Vec<VendorStage>, CrmImportError> {
        let mut found = Vec::new();
        let deals = self.sheets.of(Object::Deals);
        for sheet in deals {
            for (order, (_, rest)) in sheet.columns_starting_with("Date entered ").enumerate() {
                if let Some((_, stage)) = entered_column(rest) {
                    note_stage(&mut found, named_stage(&stage, Some(order as i64)));
                }
            }
        }
        for stage in stages_in(deals, &["Deal Stage"], false) {
            note_stage(&mut found, stage);
        }
        Ok(found)
    }

    fn convert(
        &self,
        mapping: &StageMapping,
        pipeline: &PipelineKeys,
    ) -> std::result::Result<Converted, CrmImportError> {
        let mut start = self.sheets.start(SOURCE, mapping, pipeline, &self.rates, &PARTS)?;
        let (conversion, owners) = (&mut start.conversion, &mut start.owners);
        let mut known = Known::default();
        companies(self.sheets.of(Object::Companies), conversion, owners, &mut known)?;
        contacts(self.sheets.of(Object::Contacts), conversion, &mut known)?;
        let context = DealContext { resolver: &start.resolver, rates: &start.rates };
        deals(self.sheets.of(Object::Deals), conversion, &context, owners, &mut known)?;
        for (object, activity) in [(Object::Calls, "call"), (Object::Meetings, "meeting"), (Object::Emails, "email")] {
            for sheet in self.sheets.of(object) {
                activities(sheet, activity, conversion, owners, &known)?;
            }
        }
        for sheet in self.sheets.of(Object::Tasks) {
            for _ in sheet.rows() {
                conversion.skip(sheet, "a task is a to-do, not work done: log the calls and meetings it led to");
            }
            conversion.counted(sheet, 0);
        }
        conversion.complete = self.sheets.complete(&[
            ("accounts.csv", &[Object::Companies]),
            ("contacts.csv", &[Object::Contacts]),
            ("opportunities.csv", &[Object::Deals]),
            ("activities.csv", &[Object::Calls, Object::Meetings, Object::Emails]),
        ]);
        start.finish()
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

const COMPANY: &Spec = &[
    Column("account_id", &["Record ID"]),
    Column("name", &["Company name", "Name"]),
    Column("industry", &["Industry"]),
    Column("city", &["City"]),
    Column("country", &["Country/Region", "Country"]),
    Column("employees", &["Number of Employees"]),
    Column("annual_revenue", &["Annual Revenue"]),
    Column("owner_id", &["Company owner"]),
];

const CONTACT: &Spec = &[
    Column("contact_id", &["Record ID"]),
    Column("account_id", &["Associated Company IDs", "Associated Company ID", "Company ID"]),
    Column("first_name", &["First Name"]),
    Column("last_name", &["Last Name"]),
    Column("title", &["Job Title"]),
    Column("email", &["Email"]),
    Column("phone", &["Phone Number"]),
];

fn companies(sheets: &[Sheet], conversion: &mut Conversion, owners: &mut Owners, known: &mut Known) -> Result<()> {
    for sheet in sheets {
        let remember = |record: &str, _: &str| {
            known.companies.insert(record.to_string());
        };
        records::accounts(conversion, sheet, COMPANY, owners, |record| id("company", record), remember)?;
    }
    Ok(())
}

fn contacts(sheets: &[Sheet], conversion: &mut Conversion, known: &mut Known) -> Result<()> {
    let companies = &known.companies;
    let account_of = |f: &Fields, row: &Row<'_>| {
        let company = first_id(row.get(f.of("account_id")));
        companies.contains(company).then(|| id("company", company))
    };
    let mut contacts = BTreeSet::new();
    for sheet in sheets {
        let remember = |_: &Fields, _: &Row<'_>, record: &str| {
            contacts.insert(record.to_string());
        };
        records::contacts(conversion, sheet, CONTACT, account_of, |record| id("contact", record), remember)?;
    }
    known.contacts.extend(contacts);
    Ok(())
}

/// `"Closed Won (Sales Pipeline)"` (a "Date entered" header's rest) → (`Sales Pipeline`, `Closed Won`).
fn entered_column(header: &str) -> Option<(String, String)> {
    let inner = header.trim().trim_matches('"');
    let (stage, pipeline) = inner.rsplit_once(" (")?;
    Some((pipeline.trim_end_matches(')').to_string(), stage.to_string()))
}

/// The deals' context: stages and rates.
struct DealContext<'a> {
    resolver: &'a Resolver,
    rates: &'a Rates,
}

fn deals(
    sheets: &[Sheet],
    conversion: &mut Conversion,
    context: &DealContext<'_>,
    owners: &mut Owners,
    known: &mut Known,
) -> Result<()> {
    for sheet in sheets {
        let names: [&[&str]; 4] = [&["Record ID"], &["Deal Stage"], &["Create Date"], &["Deal owner"]];
        let Some([record, stage, created, owner]) = conversion.required_columns(sheet, names) else { continue };
        let name = sheet.column(&["Deal Name"]);
        let pipeline = sheet.column(&["Pipeline"]);
        let money = MoneyColumns {
            amount: sheet.column(&["Amount"]),
            company_amount: sheet.column(&["Amount in company currency"]),
            currency: sheet.column(PARTS.currency),
        };
        let close = sheet.column(&["Close Date"]);
        let company = sheet.column(&["Associated Company IDs", "Associated Company ID"]);
        let entered: Vec<(usize, (String, String))> = sheet
            .columns_starting_with("Date entered ")
            .filter_map(|(c, rest)| Some((c, entered_column(rest)?)))
            .collect();
        let [amount_source, original_source, currency_source] = money.sources();
        let from = conversion.vendor_file(
            sheet,
            &[
                ("opportunity_id", Some(record)),
                ("owner_id", Some(owner)),
                ("name", name),
                amount_source,
                original_source,
                currency_source,
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
                    conversion
                        .problems
                        .push(row.problem(Some(created), "is empty: every deal has a create date".into()));
                }
                continue;
            };
            let deal_pipeline = row.get(pipeline);
            let current = context.resolver.get(row.get(Some(stage)));
            let mut history: Vec<(&Resolved, NaiveDateTime)> = Vec::new();
            let mut outcome_at = None;
            for (column, (stage_pipeline, stage_name)) in &entered {
                let Some(at) = conversion.time_at(&row, Some(*column)) else { continue };
                let Some(resolved) = context.resolver.get(stage_name) else { continue };
                let is_current = current.is_some_and(|c| c.stage == resolved.stage) && stage_pipeline == deal_pipeline;
                if is_current && resolved.outcome != StageOutcome::Open {
                    outcome_at = Some(at);
                }
                history.push((resolved, at));
            }
            let close_at = conversion.time_at(&row, close);
            let closed = match current.filter(|c| c.outcome != StageOutcome::Open) {
                Some(outcome) => {
                    let Some(at) = outcome_at.or(close_at) else {
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
            let on = deals::rate_day(closed, close_at, created_at);
            let Some(money) = deals::money(conversion, &row, &money, context.rates, on) else { continue };
            let company_id = first_id(row.get(company));
            let deal = Deal {
                id: id("deal", record_id),
                owner: rep,
                name: row.get(name),
                account: known.companies.contains(company_id).then(|| id("company", company_id)),
                money,
                created_at,
                closed,
                stage: current,
                expected: close_at,
                lost_reason: "",
                milestones: milestones::derive(context.resolver, created_at, &history, closed),
            };
            deals::write(conversion, deal, from, row.line)?;
            known.deals.insert(record_id.to_string());
            converted += 1;
        }
        conversion.counted(sheet, converted);
    }
    Ok(())
}

const ACTIVITY: &Spec = &[
    Column("activity_id", &["Record ID"]),
    Column("rep_id", &["Activity assigned to", "Assigned to", "Activity owner"]),
    Column("occurred_at", &["Activity date", "Create Date"]),
    Column("outcome", &["Call outcome", "Meeting outcome"]),
    Column("direction", &["Call direction", "Email direction"]),
    Column("account_id", &["Associated Company IDs"]),
    Column("contact_id", &["Associated Contact IDs"]),
    Column("opportunity_id", &["Associated Deal IDs"]),
];

fn activities(
    sheet: &Sheet,
    activity: &str,
    conversion: &mut Conversion,
    owners: &mut Owners,
    known: &Known,
) -> Result<()> {
    let Some(f) = conversion.fields(sheet, ACTIVITY) else { return Ok(()) };
    let Some(date) = conversion.required(sheet, &["Activity date", "Create Date"]) else { return Ok(()) };
    conversion.each_row(sheet, |conversion, row| {
        let direction = row.get(f.of("direction")).to_lowercase();
        if activity == "email" && direction.contains("incoming") {
            conversion.skip(sheet, "an incoming e-mail is the customer's, not a rep's activity");
            return Ok(false);
        }
        let Some(rep) = owners.rep(row.get(f.of("rep_id"))) else {
            conversion.skip(sheet, "assigned to no one: an activity is a rep's");
            return Ok(false);
        };
        let Some(at) = conversion.time_at(row, Some(date)) else { return Ok(false) };
        let outcome = row.get(f.of("outcome"));
        let (kind, outcome) = match activity {
            "call" => (if direction.contains("inbound") { "call_back" } else { "cold_call" }, call_outcome(outcome)),
            "meeting" => ("appointment", meeting_outcome(outcome)),
            _ => ("email", None),
        };
        let linked = |field: &str, set: &BTreeSet<String>, object: &str| {
            let linked = first_id(row.get(f.of(field)));
            set.contains(linked).then(|| id(object, linked))
        };
        let converted = Activity {
            id: id(activity, f.record(row)),
            rep,
            kind,
            at,
            account: linked("account_id", &known.companies, "company"),
            contact: linked("contact_id", &known.contacts, "contact"),
            opportunity: linked("opportunity_id", &known.deals, "deal"),
            outcome,
        };
        records::write_activity(conversion, converted, f.from, row.line)?;
        Ok(true)
    })
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
