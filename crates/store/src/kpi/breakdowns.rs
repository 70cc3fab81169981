//! Breakdowns for marketing and product feedback (`docs/KPIS.md`: breakdowns): a subject's funnel
//! and outcome in a period by gateway type and by lead source, and what was lost per lost reason.
//! Each is one grouped read of the opportunities: the groups are few, and none of it is a sum the
//! rollups keep per segment.

use super::people::{Directory, Subject};
use super::queries::{Filter, midnight};
use crate::db::{Db, Row, Value};
use crate::error::Result;
use crate::orgs::OrgId;
use quotient_core::kpi::ratio;
use quotient_core::{Money, Period};
use serde::Serialize;

/// One segment (a gateway type, a lead source): its first-appointment cohort A(P) and how far it
/// went, and the opportunities won and lost in P.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// The gateway type's key or the lead source (`company`, `self`); empty for opportunities
    /// without one (no gateway type set, no lead).
    pub key: String,
    /// The gateway type's name (the key for a lead source; the adapters translate it).
    pub name: String,
    pub first_appointments: i64,
    pub reached_gateway: i64,
    pub reached_proposal: i64,
    pub won: i64,
    pub lost: i64,
    #[serde(rename = "revenue_cents")]
    pub revenue: Money,
    /// Of A(P), the share that reached the gateway, and the proposal.
    pub first_appointment_to_next_step: Option<f64>,
    pub first_appointment_to_proposal: Option<f64>,
    /// won ÷ (won + lost).
    pub win_rate: Option<f64>,
    /// revenue ÷ won, in cents.
    pub average_revenue_per_sale_cents: Option<f64>,
}

/// What was lost in P for one reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LostReason {
    /// The reason as recorded; empty when none was given.
    pub reason: String,
    pub lost: i64,
    #[serde(rename = "amount_cents")]
    pub amount: Money,
}

/// The three breakdowns of a subject and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdowns {
    pub subject: String,
    pub period: String,
    pub period_start: chrono::NaiveDate,
    pub period_end: chrono::NaiveDate,
    pub by_gateway_type: Vec<Segment>,
    pub by_lead_source: Vec<Segment>,
    pub by_lost_reason: Vec<LostReason>,
}

/// The breakdowns of `subject`'s opportunities (a product line's subject: that line's only).
pub fn breakdowns(
    db: &mut Db,
    org: OrgId,
    directory: &Directory,
    subject: &Subject,
    period: Period,
) -> Result<Breakdowns> {
    let scope = directory.resolve(subject)?;
    let everyone = matches!(subject, Subject::Organisation | Subject::ProductLine(_));
    let filter = Filter { reps: (!everyone).then_some(scope.reps.as_slice()), product_line: scope.product_line };
    Ok(Breakdowns {
        subject: scope.name,
        period: period.to_string(),
        period_start: period.start(),
        period_end: period.end(),
        by_gateway_type: segments(
            db,
            org,
            period,
            filter,
            "COALESCE(o.gateway_type, ''), COALESCE(MAX(g.name), COALESCE(o.gateway_type, ''))",
            "LEFT JOIN gateway_types g ON g.org_id = o.org_id AND g.key = o.gateway_type",
            "COALESCE(o.gateway_type, '')",
        )?,
        by_lead_source: segments(
            db,
            org,
            period,
            filter,
            "COALESCE(l.source, ''), COALESCE(l.source, '')",
            "LEFT JOIN leads l ON l.org_id = o.org_id AND l.id = o.lead_id AND l.deleted_at IS NULL",
            "COALESCE(l.source, '')",
        )?,
        by_lost_reason: lost_reasons(db, org, period, filter)?,
    })
}

/// The segments of one grouping: `key_and_name` selects the group's key and name, `join` reaches
/// what it groups by, `group` is the key's expression.
fn segments(
    db: &mut Db,
    org: OrgId,
    period: Period,
    filter: Filter<'_>,
    key_and_name: &str,
    join: &str,
    group: &str,
) -> Result<Vec<Segment>> {
    let (from, to) = (Value::Timestamp(midnight(period.start())), Value::Timestamp(midnight(period.end())));
    let in_period = |column: &str| format!("o.{column} >= ? AND o.{column} < ?");
    let cohort = in_period("first_appointment_at");
    let closed = in_period("closed_at");
    let count = |condition: &str| format!("SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)");
    let sql_head = format!(
        "SELECT {key_and_name}, {}, {}, {}, {}, CAST(SUM(CASE WHEN o.status = 'won' AND {closed} THEN o.amount_cents ELSE 0 END) AS BIGINT), {}
         FROM opportunities o {join}
         WHERE o.org_id = ? AND o.deleted_at IS NULL AND (({cohort}) OR ({closed}))",
        count(&cohort),
        count(&format!("{cohort} AND (o.gateway_at IS NOT NULL OR o.proposal_at IS NOT NULL)")),
        count(&format!("{cohort} AND o.proposal_at IS NOT NULL")),
        count(&format!("o.status = 'won' AND {closed}")),
        count(&format!("o.status = 'lost' AND {closed}")),
    );
    // The placeholders in the order they appear: five counts and the revenue, then the WHERE.
    let mut params = Vec::new();
    for _ in 0..6 {
        params.extend([from.clone(), to.clone()]);
    }
    params.push(org.value());
    params.extend([from.clone(), to.clone(), from, to]);
    let filter = filter.sql("o.owner_id", Some("o.product_line_id"), &mut params);
    let sql = format!("{sql_head}{filter} GROUP BY {group} ORDER BY {group}");
    db.query_map(&sql, &params, segment)
}

fn segment(row: &Row<'_>) -> Result<Segment> {
    let int = |i: usize| row.int(i).map(|v| v.unwrap_or(0));
    let (first_appointments, reached_gateway, reached_proposal, won) = (int(2)?, int(3)?, int(4)?, int(5)?);
    let (revenue, lost) = (int(6)?, int(7)?);
    Ok(Segment {
        key: row.text(0)?.unwrap_or_default().to_string(),
        name: row.text(1)?.unwrap_or_default().to_string(),
        first_appointments,
        reached_gateway,
        reached_proposal,
        won,
        lost,
        revenue: Money::from_cents(revenue),
        first_appointment_to_next_step: ratio(reached_gateway, first_appointments),
        first_appointment_to_proposal: ratio(reached_proposal, first_appointments),
        win_rate: ratio(won, won + lost),
        average_revenue_per_sale_cents: ratio(revenue, won),
    })
}

/// Opportunities lost in P and their amount, per lost reason, the largest amount first.
fn lost_reasons(db: &mut Db, org: OrgId, period: Period, filter: Filter<'_>) -> Result<Vec<LostReason>> {
    let mut params =
        vec![org.value(), Value::Timestamp(midnight(period.start())), Value::Timestamp(midnight(period.end()))];
    let filter = filter.sql("o.owner_id", Some("o.product_line_id"), &mut params);
    let sql = format!(
        "SELECT COALESCE(o.lost_reason, ''), COUNT(*), CAST(SUM(o.amount_cents) AS BIGINT) FROM opportunities o
         WHERE o.org_id = ? AND o.status = 'lost' AND o.closed_at >= ? AND o.closed_at < ?
           AND o.deleted_at IS NULL{filter}
         GROUP BY COALESCE(o.lost_reason, '')"
    );
    let mut rows = db.query_map(&sql, &params, |row| {
        Ok(LostReason {
            reason: row.text(0)?.unwrap_or_default().to_string(),
            lost: row.int(1)?.unwrap_or(0),
            amount: Money::from_cents(row.int(2)?.unwrap_or(0)),
        })
    })?;
    rows.sort_by(|a, b| b.amount.cents().cmp(&a.amount.cents()).then_with(|| a.reason.cmp(&b.reason)));
    Ok(rows)
}
