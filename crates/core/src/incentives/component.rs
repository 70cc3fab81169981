//! One component period (`INCENTIVES.md` §2): credited amount, quota and attainment, then tiers
//! or curve, gate, cap and the one rounding to the cent.

use super::credit::{CreditedDeal, QuotaEntry, in_pieces, pieces_in_force, quota_for};
use super::lines::{DealLine, deal_lines};
use super::plan::{Component, ComponentKind};
use super::{curve, round_half_away, tiers, to_cents};
use crate::Period;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// Why a component period pays nothing (shown to the rep).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoPay {
    /// No quota (none set, or 0) for the period: attainment is undefined.
    NoQuota,
    /// Attainment is below the component's gate.
    BelowGate,
    /// The rep's assignment to the plan is not in force on any day of the period.
    NotInForce,
}

/// What one component earns for credited amount and quota, before any deal lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Earned {
    /// Credited ÷ quota; `None` when undefined.
    #[serde(serialize_with = "super::exact::option::serialize")]
    pub attainment: Option<Decimal>,
    pub earnings_cents: i64,
    /// Set when the component pays nothing for a reason the rep should read.
    pub reason: Option<NoPay>,
    /// Whether the cap cut the earnings.
    pub capped: bool,
}

/// Earnings of `component` for `credited` (cents, or deals) against `quota`: commission or bonus,
/// then the gate, then the cap, then rounded once to the cent, half away from zero.
pub fn earn(component: &Component, credited: Decimal, quota: Option<Decimal>) -> Earned {
    earn_capped(component, credited, quota, component.cap_cents.map(Decimal::from))
}

/// [`earn`] with the cap given: a cumulative window holds several of the component's periods.
fn earn_capped(component: &Component, credited: Decimal, quota: Option<Decimal>, cap: Option<Decimal>) -> Earned {
    let nothing = |attainment, reason| Earned { attainment, earnings_cents: 0, reason: Some(reason), capped: false };
    let Some(quota) = quota.filter(|q| *q > Decimal::ZERO) else {
        return nothing(None, NoPay::NoQuota);
    };
    let attainment = credited / quota;
    if component.gate.is_some_and(|gate| attainment < gate) {
        return nothing(Some(attainment), NoPay::BelowGate);
    }
    let raw = match &component.kind {
        ComponentKind::Commission { tier_mode, tiers } => {
            let cents_per_unit = if component.metric.is_money() { Decimal::ONE } else { Decimal::ONE_HUNDRED };
            tiers::commission(*tier_mode, tiers, credited, quota, cents_per_unit)
        }
        ComponentKind::Bonus { target_cents, curve } => Decimal::from(*target_cents) * curve::payout(curve, attainment),
    };
    let capped = cap.is_some_and(|cap| raw > cap);
    let earnings = cap.filter(|_| capped).unwrap_or(raw);
    Earned { attainment: Some(attainment), earnings_cents: to_cents(round_half_away(earnings)), reason: None, capped }
}

/// Everything one component period needs. `deals` and `quotas` are the rep's own or the team's as
/// the component's `credit` says; they may hold more than the window (they are filtered here).
#[derive(Debug, Clone, Copy)]
pub struct ComponentInput<'a> {
    pub component: &'a Component,
    /// The period measured: the component's month, quarter or year, or the year to date for a
    /// cumulative component.
    pub window: Period,
    /// The days the rep's assignment to the plan is in force (any number of spans).
    pub in_force: &'a [Period],
    pub deals: &'a [CreditedDeal],
    pub quotas: &'a [QuotaEntry],
}

/// One component period computed: what was credited against which quota, what it earns, and each
/// deal's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentPeriod {
    /// Cents for money metrics, deals for `deals`.
    #[serde(serialize_with = "super::exact::serialize")]
    pub credited: Decimal,
    #[serde(serialize_with = "super::exact::option::serialize")]
    pub quota: Option<Decimal>,
    #[serde(flatten)]
    pub earned: Earned,
    pub lines: Vec<DealLine>,
}

/// Computes one component period: credits the deals closed on days in force inside the window
/// (of the component's product line), prorates the quota to those days, earns, and shares the
/// earnings out to deal lines.
pub fn compute_component(input: &ComponentInput) -> ComponentPeriod {
    let measured = measure(input);
    let Some(measured) = measured else {
        let earned = Earned { attainment: None, earnings_cents: 0, reason: Some(NoPay::NotInForce), capped: false };
        return ComponentPeriod { credited: Decimal::ZERO, quota: None, earned, lines: Vec::new() };
    };
    let counted: Vec<&CreditedDeal> =
        input.deals.iter().filter(|deal| counts(input.component, deal, &measured.pieces)).collect();
    let earned = measured.earn(Decimal::ZERO);
    let lines = deal_lines(&counted, input.component.metric, earned.earnings_cents);
    ComponentPeriod { credited: measured.credited, quota: measured.quota, earned, lines }
}

/// What a component period earns from, without its deal lines: what a what-if varies.
#[derive(Debug, Clone)]
pub struct Measured<'a> {
    component: &'a Component,
    pieces: Vec<Period>,
    /// Cents for money metrics, deals for `deals`.
    pub credited: Decimal,
    pub quota: Option<Decimal>,
    cap: Option<Decimal>,
}

impl Measured<'_> {
    /// Whether `deal` would be credited in the period.
    pub fn counts(&self, deal: &CreditedDeal) -> bool {
        counts(self.component, deal, &self.pieces)
    }

    /// The period's earnings with `extra` more credited.
    pub fn earn(&self, extra: Decimal) -> Earned {
        earn_capped(self.component, self.credited + extra, self.quota, self.cap)
    }
}

/// The credit, quota and cap of a component period; `None` when the rep's assignment is in force
/// on no day of it.
pub fn measure<'a>(input: &ComponentInput<'a>) -> Option<Measured<'a>> {
    let component = input.component;
    let pieces = pieces_in_force(input.window, input.in_force);
    if pieces.is_empty() {
        return None;
    }
    let credited: Decimal = input
        .deals
        .iter()
        .filter(|deal| counts(component, deal, &pieces))
        .map(|deal| deal.credit(component.metric))
        .sum();
    let quota = quota_for(input.quotas, component.metric, component.product_line_id.as_deref(), &pieces);
    let cap = cap_of(component, &pieces);
    Some(Measured { component, pieces, credited, quota, cap })
}

/// The most a window pays: `cap_cents` once per period of the component it touches.
fn cap_of(component: &Component, pieces: &[Period]) -> Option<Decimal> {
    component.cap_cents.map(|cap| Decimal::from(cap) * Decimal::from(periods_in_force(component, pieces)))
}

/// Each deal's credit in a component's window: the deals closed on days in force inside it (of the
/// component's product line), one entry per deal in the order first met.
pub fn deal_credits(
    component: &Component,
    window: Period,
    in_force: &[Period],
    deals: &[CreditedDeal],
) -> Vec<DealCredit> {
    let pieces = pieces_in_force(window, in_force);
    let mut found: Vec<DealCredit> = Vec::new();
    for deal in deals.iter().filter(|deal| counts(component, deal, &pieces)) {
        let credit = deal.credit(component.metric);
        match found.iter_mut().find(|entry| entry.opportunity_id == deal.opportunity_id) {
            Some(entry) => entry.credited += credit,
            None => found.push(DealCredit {
                opportunity_id: deal.opportunity_id,
                closed_on: deal.closed_on,
                credited: credit,
            }),
        }
    }
    found
}

/// One deal's credit in a component period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DealCredit {
    pub opportunity_id: i64,
    pub closed_on: NaiveDate,
    /// Cents for money metrics, deals for `deals`.
    pub credited: Decimal,
}

/// What each deal of `credits` earns in a window of `component` against `quota`: the tiers or
/// curve, gate and cap applied to their sum, shared out as deal lines (one per deal).
pub fn credit_lines(
    component: &Component,
    window: Period,
    in_force: &[Period],
    quota: Option<Decimal>,
    credits: &[DealCredit],
) -> Vec<DealLine> {
    let pieces = pieces_in_force(window, in_force);
    let pieces = if pieces.is_empty() { vec![window] } else { pieces };
    let deals: Vec<CreditedDeal> = credits
        .iter()
        .map(|credit| CreditedDeal::crediting(credit.opportunity_id, credit.closed_on, credit.credited, None))
        .collect();
    let credited: Decimal = credits.iter().map(|credit| credit.credited).sum();
    let earned = earn_capped(component, credited, quota, cap_of(component, &pieces));
    deal_lines(&deals.iter().collect::<Vec<_>>(), component.metric, earned.earnings_cents)
}

/// How many of the component's periods the pieces in force touch: 1 for a period, and for a
/// cumulative window each month or quarter of the year to date the rep was on the plan (the cap is
/// the most one period pays, so the year to date may pay it once per period).
fn periods_in_force(component: &Component, pieces: &[Period]) -> i64 {
    let kind = component.period.kind();
    let (Some(first), Some(last)) = (pieces.first(), pieces.iter().map(|piece| piece.end()).max()) else {
        return 0;
    };
    let mut count = 0;
    let mut period = Period::containing(kind, first.start());
    while period.start() < last {
        count += i64::from(pieces.iter().any(|piece| piece.overlap_days(period) > 0));
        period = period.next();
    }
    count
}

/// A deal counts when it closed on a day in force and is of the component's product line.
fn counts(component: &Component, deal: &CreditedDeal, pieces: &[Period]) -> bool {
    in_pieces(deal.closed_on, pieces)
        && component.product_line_id.as_ref().is_none_or(|line| deal.product_line.as_ref() == Some(line))
}
