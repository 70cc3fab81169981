//! What the incentive engine computes from, read in a few range queries for every rep at once
//! (never one query per rep): the won deals credited over a span of days (split by
//! `opportunity_splits`, else to the owner), the quotas whose months fall in it, and a rep's open
//! deals for the what-ifs.

use crate::db::{Db, Row, Value};
use crate::error::Result;
use crate::orgs::OrgId;
use chrono::{NaiveDate, NaiveTime};
use quotient_core::{Period, QuotaPeriod};
use std::collections::HashSet;

/// A won deal's credit to one rep: the whole deal to its owner, or a rep's share of a split one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditedDeal {
    pub opportunity: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub rep: i64,
    /// Whole percent of the deal credited to `rep` (100 unless split).
    pub share_pct: i64,
    pub amount_cents: i64,
    pub margin_cents: Option<i64>,
    pub product_line: Option<i64>,
    /// The UTC day it was won.
    pub closed_on: NaiveDate,
}

/// A quota of a money or deal metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRow {
    pub rep: i64,
    pub metric: String,
    pub product_line: Option<i64>,
    pub period: Period,
    /// Cents for revenue and margin, a count of deals otherwise.
    pub target: i64,
}

/// An open deal of a rep, which a what-if closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDeal {
    pub opportunity: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub amount_cents: i64,
    pub margin_cents: Option<i64>,
    pub product_line: Option<i64>,
    pub expected_close_on: Option<NaiveDate>,
}

/// Beyond this many reps, a read takes the organisation's rows of the span and keeps those of the
/// reps asked in memory: one scan beats a list of bound ids longer than the planner handles well.
const LISTED_REPS: usize = 200;

fn start_of(day: NaiveDate) -> Value<'static> {
    Value::Timestamp(day.and_time(NaiveTime::MIN).and_utc())
}

/// The ids condition on `column` for `reps`, or none when the reps are many.
fn rep_condition(column: &str, reps: &HashSet<i64>) -> (String, Vec<Value<'static>>) {
    if reps.len() > LISTED_REPS {
        return (String::new(), vec![]);
    }
    let mut ids: Vec<i64> = reps.iter().copied().collect();
    ids.sort_unstable();
    let marks = vec!["?"; ids.len().max(1)].join(", ");
    let mut values: Vec<Value<'static>> = ids.into_iter().map(Value::Int).collect();
    if values.is_empty() {
        values.push(Value::Int(-1));
    }
    (format!(" AND {column} IN ({marks})"), values)
}

/// The won deals closed within `span` (UTC days) credited to any of `reps`, by close time and id.
pub fn credited_deals(db: &mut Db, org: OrgId, reps: &HashSet<i64>, span: Period) -> Result<Vec<CreditedDeal>> {
    let (condition, ids) = rep_condition("COALESCE(s.rep_id, o.owner_id)", reps);
    let sql = format!(
        "SELECT o.id, o.external_id, o.name, COALESCE(s.rep_id, o.owner_id), COALESCE(s.share_pct, 100),
                o.amount_cents, o.margin_cents, o.product_line_id, o.closed_at
         FROM opportunities o
         LEFT JOIN opportunity_splits s ON s.org_id = o.org_id AND s.opportunity_id = o.id AND s.deleted_at IS NULL
         WHERE o.org_id = ? AND o.status = 'won' AND o.deleted_at IS NULL AND o.closed_at >= ? AND o.closed_at < ?{condition}
         ORDER BY o.closed_at, o.id, 4"
    );
    let mut params = vec![org.value(), start_of(span.start()), start_of(span.end())];
    params.extend(ids);
    let mut found = Vec::new();
    db.query_each(&sql, &params, |row| {
        let deal = credited_deal(row)?;
        if reps.contains(&deal.rep) {
            found.push(deal);
        }
        Ok(())
    })?;
    Ok(found)
}

fn credited_deal(row: &Row) -> Result<CreditedDeal> {
    Ok(CreditedDeal {
        opportunity: row.int(0)?.unwrap_or_default(),
        external_id: row.text(1)?.unwrap_or_default().to_string(),
        name: row.text(2)?.map(str::to_string),
        rep: row.int(3)?.unwrap_or_default(),
        share_pct: row.int(4)?.unwrap_or(100),
        amount_cents: row.int(5)?.unwrap_or_default(),
        margin_cents: row.int(6)?,
        product_line: row.int(7)?,
        closed_on: row.timestamp(8)?.unwrap_or_default().date_naive(),
    })
}

/// The revenue, margin and deal quotas of `reps` whose period overlaps `span`.
pub fn quotas(db: &mut Db, org: OrgId, reps: &HashSet<i64>, span: Period) -> Result<Vec<QuotaRow>> {
    let (condition, ids) = rep_condition("rep_id", reps);
    let sql = format!(
        "SELECT rep_id, metric, product_line_id, period, target FROM quotas
         WHERE org_id = ? AND deleted_at IS NULL AND metric IN ('revenue', 'margin', 'deals')
           AND period_start < ? AND period_end >= ?{condition}
         ORDER BY rep_id, period_start"
    );
    let mut params = vec![org.value(), Value::Date(span.end()), Value::Date(span.start())];
    params.extend(ids);
    let mut found = Vec::new();
    db.query_each(&sql, &params, |row| {
        let rep = row.int(0)?.unwrap_or_default();
        let period = row.text(3)?.and_then(|text| text.parse::<QuotaPeriod>().ok()).map(Period::from);
        if let (true, Some(period)) = (reps.contains(&rep), period) {
            found.push(QuotaRow {
                rep,
                metric: row.text(1)?.unwrap_or_default().to_string(),
                product_line: row.int(2)?,
                period,
                target: row.int(4)?.unwrap_or_default(),
            });
        }
        Ok(())
    })?;
    Ok(found)
}

/// The open deals a rep owns, by id.
pub fn open_deals(db: &mut Db, org: OrgId, rep: i64) -> Result<Vec<OpenDeal>> {
    db.query_map(
        "SELECT id, external_id, name, amount_cents, margin_cents, product_line_id, expected_close_on FROM opportunities
         WHERE org_id = ? AND owner_id = ? AND status = 'open' AND deleted_at IS NULL ORDER BY id",
        &[org.value(), Value::Int(rep)],
        |row| {
            Ok(OpenDeal {
                opportunity: row.int(0)?.unwrap_or_default(),
                external_id: row.text(1)?.unwrap_or_default().to_string(),
                name: row.text(2)?.map(str::to_string),
                amount_cents: row.int(3)?.unwrap_or_default(),
                margin_cents: row.int(4)?,
                product_line: row.int(5)?,
                expected_close_on: row.date(6)?,
            })
        },
    )
}
