//! What the store feeds the engine: credited deals, quotas and the days a plan is in force
//! (`INCENTIVES.md` §1, "Credited amount" and "Quota and attainment").

use super::plan::{Assignment, Metric};
use crate::Period;
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

/// A won opportunity credited to one rep: the whole deal (`share` 1) or a split's part
/// (`share_pct` ÷ 100 of `opportunity_splits.csv`). Amounts are the whole deal's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditedDeal {
    pub opportunity_id: i64,
    /// The rep credited (the store's id).
    pub rep_id: i64,
    /// The UTC day of `closed_at`.
    pub closed_on: NaiveDate,
    pub amount_cents: i64,
    /// 0 where the deal has no margin.
    pub margin_cents: i64,
    /// The product line's external id, as plans name it.
    pub product_line: Option<String>,
    #[serde(serialize_with = "super::exact::serialize")]
    pub share: Decimal,
}

impl CreditedDeal {
    /// A deal that credits exactly `credited` toward any metric (cents for money, deals for
    /// `deals`): a credit carried over from a locked statement rather than read from a deal.
    pub fn crediting(
        opportunity_id: i64,
        closed_on: NaiveDate,
        credited: Decimal,
        product_line: Option<String>,
    ) -> Self {
        CreditedDeal {
            opportunity_id,
            rep_id: 0,
            closed_on,
            amount_cents: 1,
            margin_cents: 1,
            product_line,
            share: credited,
        }
    }

    /// What the deal credits toward `metric`: cents for money, a fraction of a deal for `deals`.
    pub fn credit(&self, metric: Metric) -> Decimal {
        match metric {
            Metric::Revenue => Decimal::from(self.amount_cents) * self.share,
            Metric::Margin => Decimal::from(self.margin_cents) * self.share,
            Metric::Deals => self.share,
        }
    }
}

/// One quota row of a rep (or, for `team` credit, of the manager or the roll-up): `target` cents
/// or deals over `period`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaEntry {
    pub metric: Metric,
    /// The product line's external id; `None` for the quota of all lines.
    pub product_line: Option<String>,
    pub period: Period,
    pub target: i64,
}

/// The days `assignment` is in force within the fiscal year `[year_start, year_end)`: from its
/// first day up to and including `to` (or to the year's end). `None` when that leaves no day.
pub fn days_in_force(assignment: &Assignment, year: (NaiveDate, NaiveDate)) -> Option<Period> {
    let start = assignment.from.max(year.0);
    let end = assignment.to.and_then(|to| to.checked_add_signed(Duration::days(1))).unwrap_or(year.1).min(year.1);
    Period::range(start, end)
}

/// The parts of `window` inside the spans in force, in order.
pub fn pieces_in_force(window: Period, in_force: &[Period]) -> Vec<Period> {
    let mut pieces: Vec<Period> = in_force
        .iter()
        .filter_map(|span| Period::range(span.start().max(window.start()), span.end().min(window.end())))
        .collect();
    pieces.sort_by_key(|piece| piece.start());
    pieces
}

/// Whether `day` falls in one of `pieces`.
pub fn in_pieces(day: NaiveDate, pieces: &[Period]) -> bool {
    pieces.iter().any(|piece| piece.contains(day))
}

/// The quota for `pieces` of `metric` (and product line): every matching quota row prorated by
/// the days it shares with the pieces, as `KPIS.md` prorates (a monthly quota counts fully in its
/// quarter, a yearly one by days). Money is rounded to the cent after prorating; deals stay exact.
/// `None` when no row overlaps (no quota).
pub fn quota_for(
    quotas: &[QuotaEntry],
    metric: Metric,
    product_line: Option<&str>,
    pieces: &[Period],
) -> Option<Decimal> {
    let mut total = Decimal::ZERO;
    let mut any = false;
    for quota in quotas.iter().filter(|q| q.metric == metric && q.product_line.as_deref() == product_line) {
        for &piece in pieces {
            let (numerator, denominator) = crate::period::prorated(quota.target, quota.period, piece);
            if numerator == 0 || denominator == 0 {
                continue;
            }
            any = true;
            total += decimal_of(numerator) / decimal_of(denominator);
        }
    }
    any.then(|| if metric.is_money() { super::round_half_away(total) } else { total })
}

fn decimal_of(value: i128) -> Decimal {
    Decimal::try_from_i128_with_scale(value, 0).unwrap_or(Decimal::MAX)
}
