//! The rollup contributions of the base rows: each fact read from the database and handed to core's
//! contribution functions. Soft-deleted rows contribute nothing.

use crate::db::{Db, Row, Value};
use crate::error::{Result, StoreError};
use crate::orgs::OrgId;
use chrono::{DateTime, NaiveDate, Utc};
use quotient_core::Money;
use quotient_core::kpi::{
    OpportunityFacts, Tally, activity_contribution, contribution, estimate_contribution, lead_contribution,
};
use quotient_core::model::{ActivityOutcome, ActivityType, LeadSource, OpportunityStatus};

/// One rollup cell's key and what a fact adds to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub rep_id: i64,
    pub day: NaiveDate,
    /// 0 for facts without a product line.
    pub product_line_id: i64,
    pub tally: Tally,
}

/// A fact whose contribution changes when it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    Opportunity(i64),
    Activity(i64),
    Estimate(i64),
    Lead(i64),
}

impl Fact {
    /// The fact a row of `table` is, for the tables that feed the rollups.
    pub fn of_table(table: &str, id: i64) -> Option<Fact> {
        match table {
            "opportunities" => Some(Fact::Opportunity(id)),
            "activities" => Some(Fact::Activity(id)),
            "estimates" => Some(Fact::Estimate(id)),
            "leads" => Some(Fact::Lead(id)),
            _ => None,
        }
    }
}

/// Which rows to read: one fact, or everything of one rep.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rows {
    One(i64),
    OfRep(i64),
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
    }
    Ok(cells)
}

/// Every cell the facts of one rep contribute to, unsummed.
pub(crate) fn cells_of_rep(db: &mut Db, org: OrgId, rep: i64, push: &mut impl FnMut(Cell)) -> Result<()> {
    opportunity_cells(db, org, Rows::OfRep(rep), push)?;
    activity_cells(db, org, Rows::OfRep(rep), push)?;
    estimate_cells(db, org, Rows::OfRep(rep), push)?;
    lead_cells(db, org, Rows::OfRep(rep), push)
}

fn query(
    db: &mut Db,
    org: OrgId,
    select: &str,
    rep_column: &str,
    rows: Rows,
    each: impl FnMut(&Row) -> Result<()>,
) -> Result<()> {
    let (filter, key) = match rows {
        Rows::One(id) => ("id", id),
        Rows::OfRep(rep) => (rep_column, rep),
    };
    let sql = format!("{select} WHERE org_id = ? AND {filter} = ? AND deleted_at IS NULL");
    db.query_each(&sql, &[org.value(), Value::Int(key)], each)
}

fn required<T>(value: Option<T>, what: &str) -> Result<T> {
    value.ok_or_else(|| StoreError::Decode(format!("{what} is missing")))
}

fn day_of(at: DateTime<Utc>) -> NaiveDate {
    // KPI days are calendar dates in the organisation's time zone; organisations are on UTC.
    at.date_naive()
}

fn opportunity_cells(db: &mut Db, org: OrgId, rows: Rows, push: &mut impl FnMut(Cell)) -> Result<()> {
    let select = "SELECT owner_id, product_line_id, status, amount_cents, margin_cents, created_at, \
                  first_appointment_at, gateway_at, proposal_at, closed_at FROM opportunities";
    query(db, org, select, "owner_id", rows, |row| {
        let status = required(row.text(2)?, "status")?;
        let facts = OpportunityFacts {
            status: status.parse::<OpportunityStatus>().map_err(|e| StoreError::Decode(e.to_string()))?,
            amount: Money::from_cents(row.int(3)?.unwrap_or(0)),
            margin: Money::from_cents(row.int(4)?.unwrap_or(0)),
            created_on: day_of(required(row.timestamp(5)?, "created_at")?),
            first_appointment_on: row.timestamp(6)?.map(day_of),
            gateway_on: row.timestamp(7)?.map(day_of),
            proposal_on: row.timestamp(8)?.map(day_of),
            closed_on: row.timestamp(9)?.map(day_of),
        };
        let rep_id = required(row.int(0)?, "owner_id")?;
        let product_line_id = row.int(1)?.unwrap_or(0);
        for (day, tally) in contribution(&facts) {
            push(Cell { rep_id, day, product_line_id, tally });
        }
        Ok(())
    })
}

fn activity_cells(db: &mut Db, org: OrgId, rows: Rows, push: &mut impl FnMut(Cell)) -> Result<()> {
    query(db, org, "SELECT rep_id, type, outcome, occurred_at FROM activities", "rep_id", rows, |row| {
        let kind: ActivityType = parse(required(row.text(1)?, "type")?)?;
        let outcome: Option<ActivityOutcome> = row.text(2)?.map(parse).transpose()?;
        push(Cell {
            rep_id: required(row.int(0)?, "rep_id")?,
            day: day_of(required(row.timestamp(3)?, "occurred_at")?),
            product_line_id: 0,
            tally: activity_contribution(kind, outcome),
        });
        Ok(())
    })
}

fn estimate_cells(db: &mut Db, org: OrgId, rows: Rows, push: &mut impl FnMut(Cell)) -> Result<()> {
    query(db, org, "SELECT rep_id, product_line_id, issued_on FROM estimates", "rep_id", rows, |row| {
        push(Cell {
            rep_id: required(row.int(0)?, "rep_id")?,
            day: required(row.date(2)?, "issued_on")?,
            product_line_id: row.int(1)?.unwrap_or(0),
            tally: estimate_contribution(),
        });
        Ok(())
    })
}

fn lead_cells(db: &mut Db, org: OrgId, rows: Rows, push: &mut impl FnMut(Cell)) -> Result<()> {
    query(db, org, "SELECT owner_id, source, created_at, first_touch_at FROM leads", "owner_id", rows, |row| {
        // A lead nobody owns yet is nobody's to follow up.
        let Some(rep_id) = row.int(0)? else { return Ok(()) };
        let source: LeadSource = parse(required(row.text(1)?, "source")?)?;
        let created_at = required(row.timestamp(2)?, "created_at")?;
        let tally = lead_contribution(source, created_at, row.timestamp(3)?);
        if !tally.is_zero() {
            push(Cell { rep_id, day: day_of(created_at), product_line_id: 0, tally });
        }
        Ok(())
    })
}

fn parse<T: std::str::FromStr>(text: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e: T::Err| StoreError::Decode(e.to_string()))
}
