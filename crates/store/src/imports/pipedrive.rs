//! Pipedrive's exports ("Export filter results" of each list view) into a bundle.
//!
//! A file's object is told by its headers, which Pipedrive writes as `<Object> - <Field>`:
//! `Deal - …`, `Organization - …`, `Person - …`, `Activity - …`; a file of users (`Name`, `Email`)
//! gives the owners' e-mails. Linked records are written by name (a deal's organization, an
//! activity's deal), so names are matched; each file's `… - ID` column is required, for ids that a
//! newer export updates. A deal's status (open, won, lost) is its own; its stage is dated by
//! "Last stage change" — the export has no stage history, so earlier milestones are those its
//! current stage counts as reached, dated then. Amounts in another currency than the
//! organisation's are converted with a rates file and keep their original amount. Tasks and
//! deadlines are to-dos, and activities not done yet are not work done: both are left out and
//! counted. See docs/IMPORTS.md and tests/fixtures/pipedrive/SOURCES.md.

use super::bundle_out::NewRow;
use super::cells::{self, NumberStyle};
use super::conversion::{self, Conversion, Owners, VendorExport, named_stage, note_stage};
use super::currency::Rates;
use super::hubspot::{cents_of, push_changes, set_milestones};
use super::milestones;
use super::sheet::{Row, Sheet};
use super::stages::{Resolved, Resolver, StageMapping, VendorStage};
use super::text::parse_bool;
use super::{Converted, CrmImportError};
use crate::bundle::Problem;
use crate::error::Result;
use crate::orgs::PipelineKeys;
use quotient_core::model::StageOutcome;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// The source's name, before every external id.
pub const SOURCE: &str = "pipedrive";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Object {
    Users,
    Organizations,
    Persons,
    Deals,
    Activities,
}

/// The object a file holds, from its headers' `<Object> - ` prefix (or a users file's name).
fn object_of(file: &str, headers: &[String]) -> Option<Object> {
    let prefixed = |prefix: &str| headers.iter().any(|h| h.starts_with(prefix));
    [
        ("Deal - ", Object::Deals),
        ("Organization - ", Object::Organizations),
        ("Person - ", Object::Persons),
        ("Activity - ", Object::Activities),
    ]
    .into_iter()
    .find(|(prefix, _)| prefixed(prefix))
    .map(|(_, object)| object)
    .or_else(|| file.to_lowercase().contains("user").then_some(Object::Users))
}

/// Whether a file's header is Pipedrive's (for telling the vendor of an upload).
pub fn recognises(headers: &[String]) -> bool {
    object_of("", headers).is_some()
}

/// A Pipedrive export read into memory, with the rates for deals in other currencies.
pub struct PipedriveExport {
    sheets: BTreeMap<Object, Vec<Sheet>>,
    rates: Rates,
}

/// Reads the export in `paths` (a folder, or files) and the rates file, if any.
pub fn read(
    paths: &[PathBuf],
    rates_file: Option<&std::path::Path>,
) -> std::result::Result<PipedriveExport, CrmImportError> {
    let mut sheets: BTreeMap<Object, Vec<Sheet>> = BTreeMap::new();
    let (read, mut problems) = conversion::read_sheets(paths)?;
    for sheet in read {
        match object_of(&sheet.file, sheet.headers()) {
            Some(object) => sheets.entry(object).or_default().push(sheet),
            None => problems.push(Problem {
                file: sheet.file.clone(),
                line: 1,
                column: None,
                field: None,
                message: "is not a Pipedrive export this import reads: its headers should start with \"Deal - \", \"Organization - \", \"Person - \" or \"Activity - \" as Pipedrive writes them, or it should be the users file (Name, Email); remove it".into(),
            }),
        }
    }
    let mut rates = Rates::default();
    if let Some(path) = rates_file {
        problems.extend(rates.read(path)?);
    }
    if problems.is_empty() { Ok(PipedriveExport { sheets, rates }) } else { Err(conversion::invalid(problems)) }
}

impl PipedriveExport {
    fn of(&self, object: Object) -> &[Sheet] {
        self.sheets.get(&object).map(Vec::as_slice).unwrap_or_default()
    }
}

impl VendorExport for PipedriveExport {
    fn label(&self) -> &'static str {
        "Pipedrive"
    }

    /// The deals' stages: open stages all (won and lost are a deal's status in Pipedrive).
    fn stages_found(&self) -> Vec<VendorStage> {
        let mut found = Vec::new();
        for sheet in self.of(Object::Deals) {
            let column = sheet.column(&["Deal - Stage"]);
            for row in sheet.rows() {
                if !row.get(column).is_empty() {
                    let stage =
                        VendorStage { closed: Some(false), won: Some(false), ..named_stage(row.get(column), None) };
                    note_stage(&mut found, stage);
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
            owners.read_users(sheet, &["Name", "User - Name"], &[], &[], &["Email", "User - Email"]);
        }
        let mut known = Known::default();
        for sheet in self.of(Object::Organizations) {
            organizations(sheet, &mut conversion, &mut owners, &mut known)?;
        }
        for sheet in self.of(Object::Persons) {
            persons(sheet, &mut conversion, &mut known)?;
        }
        let mut rates = self.rates.clone();
        if rates.corporate.is_none() && rates.is_empty() {
            rates.corporate = most_common_currency(self.of(Object::Deals));
        }
        conversion.currency = rates.corporate.clone();
        let outcomes = Outcomes::of(pipeline);
        for sheet in self.of(Object::Deals) {
            let context = DealContext { resolver: &resolver, outcomes: &outcomes, rates: &rates };
            deals(sheet, &mut conversion, &context, &mut owners, &mut known)?;
        }
        for sheet in self.of(Object::Activities) {
            activities(sheet, &mut conversion, &mut owners, &known)?;
        }
        owners.finish(&mut conversion, users)?;
        conversion.finish()
    }
}

/// The currency most deals are in: the organisation's, when no rates file says which it is.
fn most_common_currency(sheets: &[Sheet]) -> Option<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for sheet in sheets {
        let column = sheet.column(&["Deal - Currency"]);
        for row in sheet.rows().filter(|row| !row.get(column).is_empty()) {
            *counts.entry(row.get(column).to_uppercase()).or_default() += 1;
        }
    }
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(currency, _)| currency)
}

/// Pipedrive ids and the names other files link records by.
#[derive(Default)]
struct Known {
    /// Organization name → id.
    organizations: HashMap<String, String>,
    /// Person name → id.
    persons: HashMap<String, String>,
    /// Deal title → id; `None` when two deals share a title (a link by it cannot be told).
    deals: HashMap<String, Option<String>>,
}

fn id(object: &str, record: &str) -> String {
    super::external_id(SOURCE, &format!("{object}:{record}"))
}

fn organizations(sheet: &Sheet, conversion: &mut Conversion, owners: &mut Owners, known: &mut Known) -> Result<()> {
    let Some(record) = conversion.required(sheet, &["Organization - ID"]) else { return Ok(()) };
    let name = sheet.column(&["Organization - Name"]);
    let owner = sheet.column(&["Organization - Owner"]);
    let employees = sheet.column(&["Organization - Number of employees"]);
    let industry = sheet.column(&["Organization - Industry"]);
    let from = conversion.vendor_file(
        sheet,
        &[
            ("account_id", Some(record)),
            ("name", name),
            ("owner_id", owner),
            ("employees", employees),
            ("industry", industry),
        ],
    );
    let mut converted = 0;
    for row in sheet.rows() {
        let record_id = row.get(Some(record));
        let title = if row.get(name).is_empty() { record_id } else { row.get(name) };
        let mut out = NewRow::of("accounts.csv");
        out.set("account_id", id("organization", record_id)).set("name", title).set("industry", row.get(industry));
        if let Some(rep) = owners.rep(row.get(owner)) {
            out.set("owner_id", rep);
        }
        if !row.get(employees).is_empty() {
            match cells::parse_count(row.get(employees)) {
                Ok(count) => {
                    out.set("employees", count);
                }
                Err(message) => conversion.problems.push(row.problem(employees, message)),
            }
        }
        known.organizations.insert(title.to_lowercase(), record_id.to_string());
        conversion.emit(out, from, row.line)?;
        converted += 1;
    }
    conversion.counted(sheet, converted);
    Ok(())
}

fn persons(sheet: &Sheet, conversion: &mut Conversion, known: &mut Known) -> Result<()> {
    let Some(record) = conversion.required(sheet, &["Person - ID"]) else { return Ok(()) };
    let name = sheet.column(&["Person - Name"]);
    let first = sheet.column(&["Person - First name"]);
    let last = sheet.column(&["Person - Last name"]);
    let organization = sheet.column(&["Person - Organization"]);
    let email = sheet.column(&["Person - Email - Work", "Person - Email"]);
    let phone = sheet.column(&["Person - Phone - Work", "Person - Phone"]);
    let from = conversion.vendor_file(
        sheet,
        &[
            ("contact_id", Some(record)),
            ("account_id", organization),
            ("first_name", first),
            ("last_name", last.or(name)),
            ("email", email),
            ("phone", phone),
        ],
    );
    let mut converted = 0;
    for row in sheet.rows() {
        let Some(account) = known.organizations.get(&row.get(organization).to_lowercase()).cloned() else {
            conversion.skip(sheet, "no organization in the export: a contact belongs to an account");
            continue;
        };
        let record_id = row.get(Some(record));
        let last_name =
            [row.get(last), row.get(name), record_id].into_iter().find(|t| !t.is_empty()).unwrap_or_default();
        let mut out = NewRow::of("contacts.csv");
        out.set("contact_id", id("person", record_id)).set("account_id", id("organization", &account));
        out.set("first_name", row.get(first)).set("last_name", last_name);
        out.set("email", row.get(email)).set("phone", row.get(phone));
        known.persons.insert(row.get(name).to_lowercase(), record_id.to_string());
        conversion.emit(out, from, row.line)?;
        converted += 1;
    }
    conversion.counted(sheet, converted);
    Ok(())
}

/// The organisation's won and lost stages, for deals Pipedrive marks won or lost.
struct Outcomes {
    won: Option<Resolved>,
    lost: Option<Resolved>,
}

impl Outcomes {
    fn of(pipeline: &PipelineKeys) -> Outcomes {
        let find = |outcome: StageOutcome| {
            pipeline.stages.iter().position(|s| s.outcome == outcome).map(|position| Resolved {
                stage: pipeline.stages[position].key.clone(),
                outcome,
                position,
                gateway_type: None,
            })
        };
        Outcomes { won: find(StageOutcome::Won), lost: find(StageOutcome::Lost) }
    }
}

struct DealContext<'a> {
    resolver: &'a Resolver,
    outcomes: &'a Outcomes,
    rates: &'a Rates,
}

struct DealColumns {
    record: usize,
    owner: usize,
    created: usize,
    status: usize,
    title: Option<usize>,
    value: Option<usize>,
    currency: Option<usize>,
    organization: Option<usize>,
    stage: Option<usize>,
    stage_changed: Option<usize>,
    expected: Option<usize>,
    won: Option<usize>,
    lost: Option<usize>,
    lost_reason: Option<usize>,
}

fn deals(
    sheet: &Sheet,
    conversion: &mut Conversion,
    context: &DealContext<'_>,
    owners: &mut Owners,
    known: &mut Known,
) -> Result<()> {
    let (Some(record), Some(owner), Some(created), Some(status)) = (
        conversion.required(sheet, &["Deal - ID"]),
        conversion.required(sheet, &["Deal - Owner"]),
        conversion.required(sheet, &["Deal - Deal created", "Deal - Add time"]),
        conversion.required(sheet, &["Deal - Status"]),
    ) else {
        return Ok(());
    };
    let c = DealColumns {
        record,
        owner,
        created,
        status,
        title: sheet.column(&["Deal - Title"]),
        value: sheet.column(&["Deal - Value"]),
        currency: sheet.column(&["Deal - Currency"]),
        organization: sheet.column(&["Deal - Organization"]),
        stage: sheet.column(&["Deal - Stage"]),
        stage_changed: sheet.column(&["Deal - Last stage change"]),
        expected: sheet.column(&["Deal - Expected close date"]),
        won: sheet.column(&["Deal - Won time"]),
        lost: sheet.column(&["Deal - Lost time"]),
        lost_reason: sheet.column(&["Deal - Lost reason"]),
    };
    let from = conversion.vendor_file(
        sheet,
        &[
            ("opportunity_id", Some(c.record)),
            ("owner_id", Some(c.owner)),
            ("name", c.title),
            ("amount", c.value),
            ("original_amount", c.value),
            ("original_currency", c.currency),
            ("account_id", c.organization),
            ("created_at", Some(c.created)),
            ("expected_close_on", c.expected),
            ("closed_at", c.won.or(c.lost)),
            ("status", Some(c.status)),
            ("stage", c.stage),
            ("lost_reason", c.lost_reason),
        ],
    );
    let mut converted = 0;
    for row in sheet.rows() {
        if deal(&row, &c, conversion, context, owners, known, from)? {
            converted += 1;
        }
    }
    conversion.counted(sheet, converted);
    Ok(())
}

/// Converts one deal; `false` when it was left out or has a problem.
fn deal(
    row: &Row<'_>,
    c: &DealColumns,
    conversion: &mut Conversion,
    context: &DealContext<'_>,
    owners: &mut Owners,
    known: &mut Known,
    from: super::VendorFile,
) -> Result<bool> {
    let record_id = row.get(Some(c.record));
    let Some(rep) = owners.rep(row.get(Some(c.owner))) else {
        conversion.skip(row.sheet, "no owner: give the deal an owner in Pipedrive");
        return Ok(false);
    };
    let Some(created_at) = conversion.time_at(row, Some(c.created)) else {
        if row.get(Some(c.created)).is_empty() {
            conversion.problems.push(row.problem(Some(c.created), "is empty: every deal has a creation time".into()));
        }
        return Ok(false);
    };
    let (outcome, closed_column) = match row.get(Some(c.status)).to_lowercase().as_str() {
        "open" => (None, None),
        "won" => (context.outcomes.won.as_ref(), c.won),
        "lost" => (context.outcomes.lost.as_ref(), c.lost),
        "deleted" => {
            conversion.skip(row.sheet, "a deleted deal");
            return Ok(false);
        }
        other => {
            conversion
                .problems
                .push(row.problem(Some(c.status), format!("'{other}' is not a deal status: write Open, Won or Lost")));
            return Ok(false);
        }
    };
    let closed = match (outcome, closed_column) {
        (Some(outcome), column) => {
            let Some(at) = conversion.time_at(row, column) else {
                let message =
                    "the deal is closed but has no won or lost time: export the \"Won time\" and \"Lost time\" columns";
                conversion.problems.push(row.problem(column, message.into()));
                return Ok(false);
            };
            Some((outcome, at.max(created_at)))
        }
        (None, _) => None,
    };
    let current = context.resolver.get(row.get(c.stage));
    let entered_at = conversion.time_at(row, c.stage_changed).unwrap_or(created_at);
    let history: Vec<(&Resolved, chrono::NaiveDateTime)> =
        current.map(|stage| (stage, entered_at)).into_iter().collect();
    let derived = milestones::derive(context.resolver, created_at, &history, closed);
    let Some((amount, original)) = amount_of(row, c, conversion, context.rates, created_at.date()) else {
        return Ok(false);
    };
    let opportunity = id("deal", record_id);
    let mut out = NewRow::of("opportunities.csv");
    out.set("opportunity_id", opportunity.clone()).set("owner_id", rep).set("name", row.get(c.title));
    out.set("amount", amount.clone()).set("created_at", cells::timestamp(created_at));
    if let Some((original_amount, currency)) = original {
        out.set("original_amount", original_amount).set("original_currency", currency);
    }
    if let Some(account) = known.organizations.get(&row.get(c.organization).to_lowercase()) {
        out.set("account_id", id("organization", account));
    }
    conversion.saw_day(created_at.date());
    match closed {
        Some((outcome, at)) => {
            out.set("status", if outcome.outcome == StageOutcome::Won { "won" } else { "lost" });
            out.set("closed_at", cells::timestamp(at)).set("stage", outcome.stage.clone());
            out.set("lost_reason", row.get(c.lost_reason));
            conversion.saw_day(at.date());
            if outcome.outcome == StageOutcome::Won {
                conversion.kpis.won += 1;
                conversion.kpis.revenue_cents += cents_of(&amount);
            } else {
                conversion.kpis.lost += 1;
            }
        }
        None => {
            out.set("status", "open");
            conversion.kpis.open += 1;
            if let Some(stage) = current {
                out.set("stage", stage.stage.clone());
            }
            if let Some(day) = conversion.time_at(row, c.expected) {
                out.set("expected_close_on", day.format("%Y-%m-%d").to_string());
            }
        }
    }
    set_milestones(&mut out, &derived);
    conversion.emit(out, from, row.line)?;
    push_changes(conversion, &opportunity, &derived, from, row.line)?;
    let title = row.get(c.title).to_lowercase();
    let unique = !known.deals.contains_key(&title);
    known.deals.insert(title, unique.then(|| record_id.to_string()));
    Ok(true)
}

/// The deal's value in the organisation's currency, and its original amount and currency when it
/// was in another; `None` after a located problem.
fn amount_of(
    row: &Row<'_>,
    c: &DealColumns,
    conversion: &mut Conversion,
    rates: &Rates,
    on: chrono::NaiveDate,
) -> Option<(String, Option<(String, String)>)> {
    let text = row.get(c.value);
    let amount =
        if text.is_empty() { Ok("0.00".to_string()) } else { cells::parse_amount(text, NumberStyle::default()) };
    let amount = match amount {
        Ok(amount) => amount,
        Err(message) => {
            conversion.problems.push(row.problem(c.value, message));
            return None;
        }
    };
    let currency = row.get(c.currency).to_uppercase();
    if currency.is_empty() || rates.corporate.as_deref() == Some(currency.as_str()) {
        return Some((amount, None));
    }
    match rates.convert(cents_of(&amount), &currency, on) {
        Ok(cents) => Some((format!("{}.{:02}", cents / 100, cents % 100), Some((amount, currency)))),
        Err(message) => {
            conversion.problems.push(row.problem(c.currency, message));
            None
        }
    }
}

fn activities(sheet: &Sheet, conversion: &mut Conversion, owners: &mut Owners, known: &Known) -> Result<()> {
    let (Some(record), Some(kind), Some(due)) = (
        conversion.required(sheet, &["Activity - ID"]),
        conversion.required(sheet, &["Activity - Type"]),
        conversion.required(sheet, &["Activity - Due date"]),
    ) else {
        return Ok(());
    };
    let assigned = sheet.column(&["Activity - Assigned to user", "Activity - Owner"]);
    let due_time = sheet.column(&["Activity - Due time"]);
    let done = sheet.column(&["Activity - Done"]);
    let done_at = sheet.column(&["Activity - Marked as done time"]);
    let deal = sheet.column(&["Activity - Deal"]);
    let organization = sheet.column(&["Activity - Organization"]);
    let person = sheet.column(&["Activity - Contact person"]);
    let from = conversion.vendor_file(
        sheet,
        &[
            ("activity_id", Some(record)),
            ("rep_id", assigned),
            ("type", Some(kind)),
            ("occurred_at", done_at.or(Some(due))),
            ("account_id", organization),
            ("contact_id", person),
            ("opportunity_id", deal),
        ],
    );
    let mut converted = 0;
    for row in sheet.rows() {
        let is_done = match row.get(done).to_lowercase().as_str() {
            "done" => true,
            "to do" | "" => false,
            other => parse_bool(other).unwrap_or(false),
        };
        let activity = match row.get(Some(kind)).to_lowercase().as_str() {
            "call" => "cold_call",
            "meeting" => "appointment",
            "email" => "email",
            "lunch" => "meeting",
            "task" | "deadline" => {
                conversion.skip(sheet, "a task or deadline is a to-do, not work done");
                continue;
            }
            _ => {
                conversion
                    .skip(sheet, "an activity type Quotient does not count (not a call, meeting, e-mail or lunch)");
                continue;
            }
        };
        if !is_done {
            conversion.skip(sheet, "not done yet: only work done counts");
            continue;
        }
        let Some(rep) = owners.rep(row.get(assigned)) else {
            conversion.skip(sheet, "assigned to no one: an activity is a rep's");
            continue;
        };
        let at = match conversion.time_at(&row, done_at) {
            Some(at) => at,
            None => {
                let due_text = format!("{} {}", row.get(Some(due)), row.get(due_time));
                match cells::parse_time(due_text.trim(), &cells::export_time_formats()) {
                    Ok(at) => at,
                    Err(message) => {
                        conversion.problems.push(row.problem(Some(due), message));
                        continue;
                    }
                }
            }
        };
        let mut out = NewRow::of("activities.csv");
        out.set("activity_id", id("activity", row.get(Some(record)))).set("rep_id", rep).set("type", activity);
        out.set("occurred_at", cells::timestamp(at));
        if let Some(account) = known.organizations.get(&row.get(organization).to_lowercase()) {
            out.set("account_id", id("organization", account));
        }
        if let Some(contact) = known.persons.get(&row.get(person).to_lowercase()) {
            out.set("contact_id", id("person", contact));
        }
        if let Some(Some(opportunity)) = known.deals.get(&row.get(deal).to_lowercase()) {
            out.set("opportunity_id", id("deal", opportunity));
        }
        if activity == "appointment" {
            out.set("outcome", "completed");
        }
        conversion.emit(out, from, row.line)?;
        converted += 1;
    }
    conversion.counted(sheet, converted);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_objects_by_their_header_prefix() {
        let headers = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(object_of("x.csv", &headers(&["Deal - ID", "Deal - Title"])), Some(Object::Deals));
        assert_eq!(object_of("x.csv", &headers(&["Person - ID"])), Some(Object::Persons));
        assert_eq!(object_of("users.csv", &headers(&["Name", "Email"])), Some(Object::Users));
        assert_eq!(object_of("x.csv", &headers(&["Name", "Email"])), None);
    }
}
