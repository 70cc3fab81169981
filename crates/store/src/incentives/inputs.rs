//! What the incentive engine computes from, read in a few range queries for every rep at once
//! (never one query per rep): the won deals credited over a span of days (split by
//! `opportunity_splits`, else to the owner), the quotas whose months fall in it, and a rep's open
//! deals for the what-ifs.

use crate::db::{Db, Row, Value};
use crate::error::Result;
use crate::orgs::OrgId;
use chrono::{NaiveDate, NaiveTime};
use quotient_core::{Period, QuotaPeriod};
use std::collections::{HashMap, HashSet};

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

/// The reps' ids as bound values and their marks, or none when the reps are many.
pub(super) fn listed(reps: &HashSet<i64>) -> Option<(String, Vec<Value<'static>>)> {
    if reps.len() > LISTED_REPS {
        return None;
    }
    let mut ids: Vec<i64> = reps.iter().copied().collect();
    ids.sort_unstable();
    let marks = vec!["?"; ids.len().max(1)].join(", ");
    let mut values: Vec<Value<'static>> = ids.into_iter().map(Value::Int).collect();
    if values.is_empty() {
        values.push(Value::Int(-1));
    }
    Some((marks, values))
}

/// The columns of a credited deal, with `{names}` for its external id and name.
const CREDITED_COLUMNS: &str = "o.id, {names}, COALESCE(s.rep_id, o.owner_id), COALESCE(s.share_pct, 100),
    o.amount_cents, o.margin_cents, o.product_line_id, o.closed_at";
const NAMES: &str = "o.external_id, o.name";
/// In place of the names: none.
const NO_NAMES: &str = "'', NULL";
const WON_IN_SPAN: &str = "o.status = 'won' AND o.deleted_at IS NULL AND o.closed_at >= ? AND o.closed_at < ?";

/// The won deals closed within `span` (UTC days) credited to any of `reps`, by close time and id.
/// A few reps' deals are found by owner, and by split share for deals owned by others (the splits
/// first: `CROSS JOIN` keeps SQLite from walking the organisation's deals of the span instead);
/// many reps' by one range over the organisation's won deals.
pub fn credited_deals(db: &mut Db, org: OrgId, reps: &HashSet<i64>, span: Period) -> Result<Vec<CreditedDeal>> {
    read_credited(db, org, reps, span, NAMES)
}

/// [`credited_deals`] without their external ids and names (empty), for computations that name
/// none of them.
pub fn unnamed_credited_deals(db: &mut Db, org: OrgId, reps: &HashSet<i64>, span: Period) -> Result<Vec<CreditedDeal>> {
    read_credited(db, org, reps, span, NO_NAMES)
}

fn read_credited(db: &mut Db, org: OrgId, reps: &HashSet<i64>, span: Period, names: &str) -> Result<Vec<CreditedDeal>> {
    let Some((marks, ids)) = listed(reps) else { return organisation_deals(db, org, reps, span, names) };
    let (from, to) = (start_of(span.start()), start_of(span.end()));
    let columns = CREDITED_COLUMNS.replace("{names}", names);
    let sql = format!(
        "SELECT {columns} FROM opportunities o
         LEFT JOIN opportunity_splits s ON s.org_id = o.org_id AND s.opportunity_id = o.id AND s.deleted_at IS NULL
         WHERE o.org_id = ? AND {WON_IN_SPAN} AND o.owner_id IN ({marks})
         UNION ALL
         SELECT {columns} FROM opportunity_splits s CROSS JOIN opportunities o
         WHERE s.org_id = ? AND s.deleted_at IS NULL AND s.rep_id IN ({marks})
           AND o.org_id = s.org_id AND o.id = s.opportunity_id AND {WON_IN_SPAN} AND o.owner_id NOT IN ({marks})
         ORDER BY 9, 1, 4"
    );
    let mut params = vec![org.value(), from.clone(), to.clone()];
    params.extend(ids.iter().cloned());
    params.push(org.value());
    params.extend(ids.iter().cloned());
    params.extend([from, to]);
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

/// [`credited_deals`] for many reps: the organisation's won deals of the span in the order of
/// their index, without a join, and the splits apart (far fewer rows than the deals).
fn organisation_deals(
    db: &mut Db,
    org: OrgId,
    reps: &HashSet<i64>,
    span: Period,
    names: &str,
) -> Result<Vec<CreditedDeal>> {
    let mut shares: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    db.query_each(
        "SELECT opportunity_id, rep_id, share_pct FROM opportunity_splits WHERE org_id = ? AND deleted_at IS NULL
         ORDER BY opportunity_id, rep_id",
        &[org.value()],
        |row| {
            let (deal, rep) = (row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default());
            shares.entry(deal).or_default().push((rep, row.int(2)?.unwrap_or(100)));
            Ok(())
        },
    )?;
    let sql = format!(
        "SELECT o.id, {names}, o.owner_id, 100, o.amount_cents, o.margin_cents, o.product_line_id, o.closed_at
         FROM opportunities o WHERE o.org_id = ? AND {WON_IN_SPAN} ORDER BY o.closed_at, o.id"
    );
    let mut found = Vec::new();
    db.query_each(&sql, &[org.value(), start_of(span.start()), start_of(span.end())], |row| {
        let deal = credited_deal(row)?;
        match shares.get(&deal.opportunity) {
            Some(split) => {
                for &(rep, share_pct) in split.iter().filter(|(rep, _)| reps.contains(rep)) {
                    found.push(CreditedDeal { rep, share_pct, ..deal.clone() });
                }
            }
            None if reps.contains(&deal.rep) => found.push(deal),
            None => {}
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
    let (condition, ids) = match listed(reps) {
        Some((marks, ids)) => (format!(" AND rep_id IN ({marks})"), ids),
        None => (String::new(), Vec::new()),
    };
    // A quota period is a year at the longest: one overlapping the span starts less than a year
    // before it, which bounds the range read from below.
    let sql = format!(
        "SELECT rep_id, metric, product_line_id, period, target FROM quotas
         WHERE org_id = ? AND deleted_at IS NULL AND metric IN ('revenue', 'margin', 'deals')
           AND period_start > ? AND period_start < ? AND period_end >= ?{condition}"
    );
    let year_before = span.start() - chrono::Duration::days(367);
    let mut params = vec![org.value(), Value::Date(year_before), Value::Date(span.end()), Value::Date(span.start())];
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
    // Sorted here, not by the read, which then takes the rows as its index holds them.
    found.sort_by_key(|quota| (quota.rep, quota.period.start()));
    Ok(found)
}

/// The external id and name of each of `deals` (deleted ones too).
pub fn deal_names(db: &mut Db, org: OrgId, deals: &HashSet<i64>) -> Result<HashMap<i64, (String, Option<String>)>> {
    let mut ids: Vec<i64> = deals.iter().copied().collect();
    ids.sort_unstable();
    let mut found = HashMap::new();
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut params = vec![org.value()];
        params.extend(chunk.iter().map(|id| Value::Int(*id)));
        db.query_each(
            &format!("SELECT id, external_id, name FROM opportunities WHERE org_id = ? AND id IN ({marks})"),
            &params,
            |row| {
                let name = (row.text(1)?.unwrap_or_default().to_string(), row.text(2)?.map(str::to_string));
                found.insert(row.int(0)?.unwrap_or_default(), name);
                Ok(())
            },
        )?;
    }
    Ok(found)
}

/// The open deals a rep owns, by id.
pub fn open_deals(db: &mut Db, org: OrgId, rep: i64) -> Result<Vec<OpenDeal>> {
    // Sorted here: ordered by id, a planner may walk the organisation's rows by their key.
    let mut found = db.query_map(
        "SELECT id, external_id, name, amount_cents, margin_cents, product_line_id, expected_close_on FROM opportunities
         WHERE org_id = ? AND status = 'open' AND owner_id = ? AND deleted_at IS NULL",
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
    )?;
    found.sort_by_key(|deal| deal.opportunity);
    Ok(found)
}
