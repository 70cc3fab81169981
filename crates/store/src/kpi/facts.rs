//! The rollup contributions of the base rows: each fact read from the database and handed to core's
//! contribution functions. Soft-deleted rows contribute nothing.

use crate::db::{Db, Row, Value};
use crate::error::{Result, StoreError};
use crate::orgs::OrgId;
use chrono::{DateTime, NaiveDate, Utc};
use quotient_core::Money;
use quotient_core::kpi::{
    OpportunityFacts, Tally, activity_contribution, contact_contribution, contribution, estimate_contribution,
    lead_contribution, line_demo_contribution, open_contribution,
};
use quotient_core::model::{ActivityOutcome, ActivityType, LeadSource, OpportunityStatus};
use quotient_core::settings::Method;

/// One rollup cell's key and what a fact adds to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub rep_id: i64,
    pub day: NaiveDate,
    /// 0 for facts without a product line.
    pub product_line_id: i64,
    pub tally: Tally,
    pub kind: CellKind,
}

/// What a cell's day means, and so at which grains it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CellKind {
    /// A fact of a day: kept at the day, the week, the month, the quarter, the year and the
    /// organisation's month.
    Dated,
    /// A standing fact (a contact of the rep's accounts, an open opportunity): kept at the 'state'
    /// grain, its `day` is `STATE_DAY`.
    Standing,
    /// An open opportunity, filed by the day of its last activity (`STATE_DAY` when it has none).
    OpenByLastActivity,
    /// An open opportunity, filed by its expected close day.
    OpenByExpectedClose,
    /// A demo held on an opportunity, in the cell of the opportunity's product line: kept at grains
    /// of its own, so that the product line cells of activities stay empty.
    LineDemo,
}

/// The day the standing facts are filed under.
pub const STATE_DAY: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");

/// A fact whose contribution changes when it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fact {
    Opportunity(i64),
    Activity(i64),
    Estimate(i64),
    Lead(i64),
    Contact(i64),
    /// An account: its owner's standing facts are its contacts.
    Account(i64),
}

impl Fact {
    /// The fact a row of `table` is, for the tables that feed the rollups.
    pub fn of_table(table: &str, id: i64) -> Option<Fact> {
        match table {
            "opportunities" => Some(Fact::Opportunity(id)),
            "activities" => Some(Fact::Activity(id)),
            "estimates" => Some(Fact::Estimate(id)),
            "leads" => Some(Fact::Lead(id)),
            "contacts" => Some(Fact::Contact(id)),
            "accounts" => Some(Fact::Account(id)),
            _ => None,
        }
    }
}

/// Which rows to read: one fact, everything of one rep, or (of the opportunities only) the open
/// ones at a stage.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rows<'a> {
    One(i64),
    OfRep(i64),
    OpenAtStage(&'a str),
}

/// `fact` and the facts whose contribution depends on it, as they stand now: an appointment
/// decides whether its opportunity's first appointment was at the top, and so does the authority
/// of the contact it was with; an opportunity's product line decides its demos' line.
pub fn with_dependents(db: &mut Db, org: OrgId, fact: Fact) -> Result<Vec<Fact>> {
    let mut facts = vec![fact];
    match fact {
        Fact::Activity(id) => {
            let opportunity = db.query_opt(
                "SELECT opportunity_id FROM activities WHERE org_id = ? AND id = ?",
                &[org.value(), Value::Int(id)],
                |row| row.int(0),
            )?;
            facts.extend(opportunity.flatten().map(Fact::Opportunity));
        }
        Fact::Contact(id) => {
            let opportunities = db.query_map(
                "SELECT DISTINCT opportunity_id FROM activities
                 WHERE org_id = ? AND contact_id = ? AND type = 'appointment' AND opportunity_id IS NOT NULL",
                &[org.value(), Value::Int(id)],
                |row| Ok(row.int(0)?.unwrap_or_default()),
            )?;
            facts.extend(opportunities.into_iter().map(Fact::Opportunity));
        }
        Fact::Opportunity(id) => {
            let demos = db.query_map(
                "SELECT id FROM activities WHERE org_id = ? AND opportunity_id = ? AND type = 'demo' AND deleted_at IS NULL",
                &[org.value(), Value::Int(id)],
                |row| Ok(row.int(0)?.unwrap_or_default()),
            )?;
            facts.extend(demos.into_iter().map(Fact::Activity));
        }
        Fact::Estimate(_) | Fact::Lead(_) | Fact::Account(_) => {}
    }
    Ok(facts)
}

/// The cells one fact contributes to now (nothing if it is deleted or does not exist).
pub fn cells_of(db: &mut Db, org: OrgId, fact: Fact) -> Result<Vec<Cell>> {
    let mut cells = Vec::new();
    let mut push = |cell: Cell| cells.push(cell);
    match fact {
        Fact::Opportunity(id) => opportunity_cells(db, org, Rows::One(id), &mut push)?,
        Fact::Activity(id) => activity_cells(db, org, Rows::One(id), &mut push)?,
        Fact::Estimate(id) => estimate_cells(db, org, Rows::One(id), &mut push)?,
        Fact::Lead(id) => lead_cells(db, org, Rows::One(id), &mut push)?,
        Fact::Contact(id) => contact_cells(db, org, ContactRows::One(id), &mut push)?,
        Fact::Account(id) => contact_cells(db, org, ContactRows::OfAccount(id), &mut push)?,
    }
    Ok(cells)
}

/// The cells the open opportunities at `stage` contribute to now: what a change of the stage's
/// probability moves (their weighted amounts).
pub fn cells_of_open_at_stage(db: &mut Db, org: OrgId, stage: &str) -> Result<Vec<Cell>> {
    let mut cells = Vec::new();
    opportunity_cells(db, org, Rows::OpenAtStage(stage), &mut |cell| cells.push(cell))?;
    Ok(cells)
}

/// Every cell the facts of one rep contribute to, unsummed.
pub(crate) fn cells_of_rep(db: &mut Db, org: OrgId, rep: i64, push: &mut impl FnMut(Cell)) -> Result<()> {
    opportunity_cells(db, org, Rows::OfRep(rep), push)?;
    activity_cells(db, org, Rows::OfRep(rep), push)?;
    estimate_cells(db, org, Rows::OfRep(rep), push)?;
    lead_cells(db, org, Rows::OfRep(rep), push)?;
    contact_cells(db, org, ContactRows::OfOwner(rep), push)
}

fn query(
    db: &mut Db,
    org: OrgId,
    select: &str,
    rep_column: &str,
    rows: Rows<'_>,
    each: impl FnMut(&Row) -> Result<()>,
) -> Result<()> {
    let (filter, key) = match rows {
        Rows::One(id) => ("id", Value::Int(id)),
        Rows::OfRep(rep) => (rep_column, Value::Int(rep)),
        Rows::OpenAtStage(stage) => ("status = 'open' AND stage", Value::text(stage)),
    };
    let sql = format!("{select} WHERE org_id = ? AND {filter} = ? AND deleted_at IS NULL");
    db.query_each(&sql, &[org.value(), key], each)
}

/// A whole-number setting of the row's organisation (`table` is the row's alias), or `default`:
/// a subquery on the settings' key, so a write's delta reads it without a round trip of its own.
/// The stored text was checked as a whole number in its range when it was saved.
fn setting_of(table: &str, key: &str, default: i64) -> String {
    format!(
        "COALESCE((SELECT CAST(s.value AS INTEGER) FROM org_settings s \
         WHERE s.org_id = {table}.org_id AND s.key = '{key}'), {default})"
    )
}

fn required<T>(value: Option<T>, what: &str) -> Result<T> {
    value.ok_or_else(|| StoreError::Decode(format!("{what} is missing")))
}

fn day_of(at: DateTime<Utc>) -> NaiveDate {
    // KPI days are calendar dates in the organisation's time zone; organisations are on UTC.
    at.date_naive()
}

fn opportunity_cells(db: &mut Db, org: OrgId, rows: Rows<'_>, push: &mut impl FnMut(Cell)) -> Result<()> {
    // The first appointment's contact is the contact of the opportunity's earliest appointment.
    // The authority cut-off is the organisation's setting, read in the same statement.
    let select = format!(
        "SELECT owner_id, product_line_id, status, amount_cents, margin_cents, created_at, \
         first_appointment_at, gateway_at, proposal_at, closed_at, \
         expected_close_on, last_activity_at, \
         (SELECT c.authority_level FROM activities a \
          JOIN contacts c ON c.org_id = a.org_id AND c.id = a.contact_id AND c.deleted_at IS NULL \
          WHERE a.org_id = o.org_id AND a.opportunity_id = o.id AND a.type = 'appointment' \
            AND a.deleted_at IS NULL \
          ORDER BY a.occurred_at, a.id LIMIT 1), \
         {}, \
         COALESCE((SELECT s.probability_bp FROM stages s WHERE s.org_id = o.org_id AND s.key = o.stage), 0) \
         FROM opportunities o",
        setting_of("o", "method.top_level_authority", Method::default().top_level_authority)
    );
    query(db, org, &select, "owner_id", rows, |row| {
        let status = required(row.text(2)?, "status")?;
        let top_level = row.int(13)?.unwrap_or(Method::default().top_level_authority);
        let facts = OpportunityFacts {
            status: status.parse::<OpportunityStatus>().map_err(|e| StoreError::Decode(e.to_string()))?,
            amount: Money::from_cents(row.int(3)?.unwrap_or(0)),
            margin: Money::from_cents(row.int(4)?.unwrap_or(0)),
            created_on: day_of(required(row.timestamp(5)?, "created_at")?),
            first_appointment_on: row.timestamp(6)?.map(day_of),
            gateway_on: row.timestamp(7)?.map(day_of),
            proposal_on: row.timestamp(8)?.map(day_of),
            closed_on: row.timestamp(9)?.map(day_of),
            first_appointment_top_level: row.int(12)?.is_some_and(|level| level >= top_level),
            expected_close_on: row.date(10)?,
            last_activity_on: row.timestamp(11)?.map(day_of),
            probability_bp: u32::try_from(row.int(14)?.unwrap_or(0)).unwrap_or(0),
        };
        let rep_id = required(row.int(0)?, "owner_id")?;
        let product_line_id = row.int(1)?.unwrap_or(0);
        for (day, tally) in contribution(&facts) {
            push(Cell { rep_id, day, product_line_id, tally, kind: CellKind::Dated });
        }
        if let Some(open) = open_contribution(&facts) {
            let tally = open.tally;
            push(Cell { rep_id, day: STATE_DAY, product_line_id, tally, kind: CellKind::Standing });
            let (day, tally) = (open.last_activity_on.unwrap_or(STATE_DAY), open.by_last_activity());
            push(Cell { rep_id, day, product_line_id, tally, kind: CellKind::OpenByLastActivity });
            if let Some(day) = open.expected_close_on {
                let tally = open.by_expected_close();
                push(Cell { rep_id, day, product_line_id, tally, kind: CellKind::OpenByExpectedClose });
            }
        }
        Ok(())
    })
}

fn activity_cells(db: &mut Db, org: OrgId, rows: Rows<'_>, push: &mut impl FnMut(Cell)) -> Result<()> {
    // A demo's product line is its opportunity's (none if it has none or is deleted), looked up
    // for the demos alone.
    let select = "SELECT rep_id, type, outcome, occurred_at, \
         CASE WHEN type = 'demo' AND opportunity_id IS NOT NULL THEN \
           (SELECT o.product_line_id FROM opportunities o \
            WHERE o.org_id = a.org_id AND o.id = a.opportunity_id AND o.deleted_at IS NULL) END \
         FROM activities a";
    query(db, org, select, "rep_id", rows, |row| {
        let kind: ActivityType = parse(required(row.text(1)?, "type")?)?;
        let outcome: Option<ActivityOutcome> = row.text(2)?.map(parse).transpose()?;
        let (rep_id, day) = (required(row.int(0)?, "rep_id")?, day_of(required(row.timestamp(3)?, "occurred_at")?));
        let tally = activity_contribution(kind, outcome);
        push(Cell { rep_id, day, product_line_id: 0, tally, kind: CellKind::Dated });
        if let Some(product_line_id) = row.int(4)? {
            let tally = line_demo_contribution();
            push(Cell { rep_id, day, product_line_id, tally, kind: CellKind::LineDemo });
        }
        Ok(())
    })
}

fn estimate_cells(db: &mut Db, org: OrgId, rows: Rows<'_>, push: &mut impl FnMut(Cell)) -> Result<()> {
    query(db, org, "SELECT rep_id, product_line_id, issued_on FROM estimates", "rep_id", rows, |row| {
        push(Cell {
            rep_id: required(row.int(0)?, "rep_id")?,
            day: required(row.date(2)?, "issued_on")?,
            product_line_id: row.int(1)?.unwrap_or(0),
            tally: estimate_contribution(),
            kind: CellKind::Dated,
        });
        Ok(())
    })
}

fn lead_cells(db: &mut Db, org: OrgId, rows: Rows<'_>, push: &mut impl FnMut(Cell)) -> Result<()> {
    // The follow-up window is the organisation's setting, read in the same statement.
    let select = format!(
        "SELECT owner_id, source, created_at, first_touch_at, {} FROM leads l",
        setting_of("l", "method.lead_follow_up_hours", Method::default().lead_follow_up_hours)
    );
    query(db, org, &select, "owner_id", rows, |row| {
        // A lead nobody owns yet is nobody's to follow up.
        let Some(rep_id) = row.int(0)? else { return Ok(()) };
        let source: LeadSource = parse(required(row.text(1)?, "source")?)?;
        let created_at = required(row.timestamp(2)?, "created_at")?;
        let hours = row.int(4)?.unwrap_or(Method::default().lead_follow_up_hours);
        let tally = lead_contribution(source, created_at, row.timestamp(3)?, hours);
        if !tally.is_zero() {
            push(Cell { rep_id, day: day_of(created_at), product_line_id: 0, tally, kind: CellKind::Dated });
        }
        Ok(())
    })
}

/// Which contacts to read.
#[derive(Debug, Clone, Copy)]
enum ContactRows {
    One(i64),
    OfAccount(i64),
    OfOwner(i64),
}

/// A contact counts for the owner of its account; it is complete when name, address, phone and
/// email are all filled.
fn contact_cells(db: &mut Db, org: OrgId, rows: ContactRows, push: &mut impl FnMut(Cell)) -> Result<()> {
    // SQLite keeps a CROSS JOIN's order: from the one contact, or from the accounts (left to
    // itself it starts an owner's contacts from every contact of the organisation).
    let (join, filter, key) = match rows {
        ContactRows::One(id) => ("contacts c CROSS JOIN accounts a", "c.id", id),
        ContactRows::OfAccount(id) => ("accounts a CROSS JOIN contacts c", "a.id", id),
        ContactRows::OfOwner(rep) => ("accounts a CROSS JOIN contacts c", "a.owner_id", rep),
    };
    let sql = format!(
        "SELECT a.owner_id, c.first_name, c.last_name, c.address, c.phone, c.email
         FROM {join}
         WHERE c.org_id = a.org_id AND c.account_id = a.id AND a.org_id = ? AND {filter} = ?
           AND c.deleted_at IS NULL AND a.deleted_at IS NULL AND a.owner_id IS NOT NULL"
    );
    db.query_each(&sql, &[org.value(), Value::Int(key)], |row| {
        let mut complete = true;
        for index in 1..=5 {
            complete &= row.text(index)?.is_some_and(|text| !text.trim().is_empty());
        }
        push(Cell {
            rep_id: required(row.int(0)?, "owner_id")?,
            day: STATE_DAY,
            product_line_id: 0,
            tally: contact_contribution(complete),
            kind: CellKind::Standing,
        });
        Ok(())
    })
}

fn parse<T: std::str::FromStr>(text: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e: T::Err| StoreError::Decode(e.to_string()))
}
