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

use super::cells;
use super::conversion::{self, Conversion, Objects, Owners, Parts, UserColumns, VendorExport, stages_in};
use super::currency::Rates;
use super::deals::{self, Deal, MoneyColumns};
use super::milestones;
use super::records::{self, Activity, Column, Fields, Spec};
use super::sheet::{Row, Sheet};
use super::stages::{Resolved, Resolver, StageMapping, VendorStage};
use super::text::parse_bool;
use super::{Converted, CrmImportError};
use crate::error::Result;
use crate::orgs::PipelineKeys;
use quotient_core::model::StageOutcome;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

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
    sheets: Objects<Object>,
    rates: Rates,
}

/// Reads the export in `paths` (a folder, or CSV and XLSX files) and the rates file, if any.
pub fn read(paths: &[PathBuf], rates_file: Option<&Path>) -> std::result::Result<PipedriveExport, CrmImportError> {
    let not_ours = "is not a Pipedrive export this import reads: its headers should start with \"Deal - \", \"Organization - \", \"Person - \" or \"Activity - \" as Pipedrive writes them, or it should be the users file (Name, Email); remove it";
    let object = |sheet: &Sheet| object_of(&sheet.file, sheet.headers());
    let (sheets, rates) = conversion::read_export(paths, rates_file, object, not_ours)?;
    Ok(PipedriveExport { sheets, rates })
}

impl VendorExport for PipedriveExport {
    fn label(&self) -> &'static str {
        "Pipedrive"
    }

    /// The deals' stages: open stages all (won and lost are a deal's status in Pipedrive).
    fn stages_found(&self) -> std::result::Result<Vec<VendorStage>, CrmImportError> {
        Ok(stages_in(self.sheets.of(Object::Deals), &["Deal - Stage"], true))
    }

    fn convert(
        &self,
        mapping: &StageMapping,
        pipeline: &PipelineKeys,
    ) -> std::result::Result<Converted, CrmImportError> {
        let outcomes = Outcomes::of(pipeline);
        let mut start = self.sheets.start(SOURCE, mapping, pipeline, &self.rates, &PARTS)?;
        let (conversion, owners) = (&mut start.conversion, &mut start.owners);
        let mut known = Known::default();
        organizations(self.sheets.of(Object::Organizations), conversion, owners, &mut known)?;
        persons(self.sheets.of(Object::Persons), conversion, &mut known)?;
        let context = DealContext { resolver: &start.resolver, outcomes: &outcomes, rates: &start.rates };
        for sheet in self.sheets.of(Object::Deals) {
            deals(sheet, conversion, &context, owners, &mut known)?;
        }
        for sheet in self.sheets.of(Object::Activities) {
            activities(sheet, conversion, owners, &known)?;
        }
        conversion.complete = self.sheets.complete(&[
            ("accounts.csv", &[Object::Organizations]),
            ("contacts.csv", &[Object::Persons]),
            ("opportunities.csv", &[Object::Deals]),
            ("activities.csv", &[Object::Activities]),
        ]);
        start.finish()
    }
}

/// Where the users and deals are: the users file's columns, and the deal's currency column.
const PARTS: Parts<Object> = Parts {
    users: Object::Users,
    user_columns: UserColumns {
        name: &["Name", "User - Name"],
        first: &[],
        last: &[],
        email: &["Email", "User - Email"],
    },
    deals: Object::Deals,
    currency: &["Deal - Currency"],
};

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

#[rustfmt::skip]
const ORGANIZATION: &Spec = &[
    Column("account_id", &["Organization - ID"]), Column("name", &["Organization - Name"]),
    Column("owner_id", &["Organization - Owner"]), Column("employees", &["Organization - Number of employees"]),
    Column("industry", &["Organization - Industry"]),
];

#[rustfmt::skip]
const PERSON: &Spec = &[
    Column("contact_id", &["Person - ID"]), Column("account_id", &["Person - Organization"]),
    Column("first_name", &["Person - First name"]), Column("last_name", &["Person - Last name"]),
    Column("full_name", &["Person - Name"]), Column("email", &["Person - Email - Work", "Person - Email"]),
    Column("phone", &["Person - Phone - Work", "Person - Phone"]),
];

fn organizations(sheets: &[Sheet], conversion: &mut Conversion, owners: &mut Owners, known: &mut Known) -> Result<()> {
    for sheet in sheets {
        let remember = |record: &str, name: &str| {
            known.organizations.insert(name.to_lowercase(), record.to_string());
        };
        records::accounts(conversion, sheet, ORGANIZATION, owners, |record| id("organization", record), remember)?;
    }
    Ok(())
}

fn persons(sheets: &[Sheet], conversion: &mut Conversion, known: &mut Known) -> Result<()> {
    let organizations = &known.organizations;
    let account_of = |f: &Fields, row: &Row<'_>| {
        organizations.get(&row.get(f.of("account_id")).to_lowercase()).map(|account| id("organization", account))
    };
    let mut persons = HashMap::new();
    for sheet in sheets {
        let remember = |f: &Fields, row: &Row<'_>, record: &str| {
            persons.insert(row.get(f.of("full_name")).to_lowercase(), record.to_string());
        };
        records::contacts(conversion, sheet, PERSON, account_of, |record| id("person", record), remember)?;
    }
    known.persons.extend(persons);
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
    money: MoneyColumns,
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
    let Some([record, owner, created, status]) = conversion.required_columns(
        sheet,
        [&["Deal - ID"], &["Deal - Owner"], &["Deal - Deal created", "Deal - Add time"], &["Deal - Status"]],
    ) else {
        return Ok(());
    };
    let c = DealColumns {
        record,
        owner,
        created,
        status,
        title: sheet.column(&["Deal - Title"]),
        money: MoneyColumns {
            amount: sheet.column(&["Deal - Value"]),
            company_amount: None,
            currency: sheet.column(PARTS.currency),
        },
        organization: sheet.column(&["Deal - Organization"]),
        stage: sheet.column(&["Deal - Stage"]),
        stage_changed: sheet.column(&["Deal - Last stage change"]),
        expected: sheet.column(&["Deal - Expected close date"]),
        won: sheet.column(&["Deal - Won time"]),
        lost: sheet.column(&["Deal - Lost time"]),
        lost_reason: sheet.column(&["Deal - Lost reason"]),
    };
    let [amount_source, original_source, currency_source] = c.money.sources();
    let from = conversion.vendor_file(
        sheet,
        &[
            ("opportunity_id", Some(c.record)),
            ("owner_id", Some(c.owner)),
            ("name", c.title),
            amount_source,
            original_source,
            currency_source,
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
    let expected = conversion.time_at(row, c.expected);
    let on = deals::rate_day(closed, expected, created_at);
    let Some(money) = deals::money(conversion, row, &c.money, context.rates, on) else {
        return Ok(false);
    };
    let deal = Deal {
        id: id("deal", record_id),
        owner: rep,
        name: row.get(c.title),
        account: known.organizations.get(&row.get(c.organization).to_lowercase()).map(|a| id("organization", a)),
        money,
        created_at,
        closed,
        stage: current,
        expected,
        lost_reason: row.get(c.lost_reason),
        milestones: milestones::derive(context.resolver, created_at, &history, closed),
    };
    deals::write(conversion, deal, from, row.line)?;
    let title = row.get(c.title).to_lowercase();
    let unique = !known.deals.contains_key(&title);
    known.deals.insert(title, unique.then(|| record_id.to_string()));
    Ok(true)
}

#[rustfmt::skip]
const ACTIVITY: &Spec = &[
    Column("activity_id", &["Activity - ID"]), Column("rep_id", &["Activity - Assigned to user", "Activity - Owner"]),
    Column("type", &["Activity - Type"]),
    Column("occurred_at", &["Activity - Marked as done time", "Activity - Due date"]),
    Column("due_date", &["Activity - Due date"]), Column("due_time", &["Activity - Due time"]),
    Column("done", &["Activity - Done"]), Column("done_at", &["Activity - Marked as done time"]),
    Column("account_id", &["Activity - Organization"]), Column("contact_id", &["Activity - Contact person"]),
    Column("opportunity_id", &["Activity - Deal"]),
];

fn activities(sheet: &Sheet, conversion: &mut Conversion, owners: &mut Owners, known: &Known) -> Result<()> {
    let Some(f) = conversion.fields(sheet, ACTIVITY) else { return Ok(()) };
    let (Some(kind), Some(due)) =
        (conversion.required(sheet, &["Activity - Type"]), conversion.required(sheet, &["Activity - Due date"]))
    else {
        return Ok(());
    };
    conversion.each_row(sheet, |conversion, row| {
        let is_done = match row.get(f.of("done")).to_lowercase().as_str() {
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
                return Ok(false);
            }
            _ => {
                conversion
                    .skip(sheet, "an activity type Quotient does not count (not a call, meeting, e-mail or lunch)");
                return Ok(false);
            }
        };
        if !is_done {
            conversion.skip(sheet, "not done yet: only work done counts");
            return Ok(false);
        }
        let Some(rep) = owners.rep(row.get(f.of("rep_id"))) else {
            conversion.skip(sheet, "assigned to no one: an activity is a rep's");
            return Ok(false);
        };
        let at = match conversion.time_at(row, f.of("done_at")) {
            Some(at) => at,
            None => {
                let due_text = format!("{} {}", row.get(Some(due)), row.get(f.of("due_time")));
                match cells::parse_time(due_text.trim(), &cells::export_time_formats()) {
                    Ok(at) => at,
                    Err(message) => {
                        conversion.problems.push(row.problem(Some(due), message));
                        return Ok(false);
                    }
                }
            }
        };
        let by_name = |field: &str| row.get(f.of(field)).to_lowercase();
        let converted = Activity {
            id: id("activity", f.record(row)),
            rep,
            kind: activity,
            at,
            account: known.organizations.get(&by_name("account_id")).map(|a| id("organization", a)),
            contact: known.persons.get(&by_name("contact_id")).map(|p| id("person", p)),
            opportunity: known.deals.get(&by_name("opportunity_id")).cloned().flatten().map(|d| id("deal", &d)),
            outcome: (activity == "appointment").then_some("completed"),
        };
        records::write_activity(conversion, converted, f.from, row.line)?;
        Ok(true)
    })
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
