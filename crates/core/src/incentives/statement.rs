//! A rep's statement for a month (`INCENTIVES.md` §3): the components whose period ends in the
//! month (cumulative ones trued up against earlier statements of the year), adjustments and
//! clawbacks, contest awards, the draw, and what is payable.

use super::clawback::{Adjustment, PaidDeal, after_window, clawback};
use super::component::{ComponentInput, ComponentPeriod, compute_component};
use super::contest::ContestAward;
use super::credit::{CreditedDeal, QuotaEntry, days_in_force};
use super::draw::{DrawLine, settle_draw};
use super::plan::{Component, Credit, Draw, Plan, PlansFile};
use super::{round_half_away, to_cents};
use crate::Period;
use crate::period::PeriodKind;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

/// A plan the rep is on in the fiscal year, with the days it is in force.
#[derive(Debug, Clone, PartialEq)]
pub struct RepPlan<'a> {
    pub plan: &'a Plan,
    pub in_force: Vec<Period>,
}

/// A draw with the days its assignment is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawSpan {
    pub draw: Draw,
    pub in_force: Period,
}

/// The plans and draws of the rep with external id `rep_id` in `file`'s year.
pub fn rep_plans<'a>(file: &'a PlansFile, rep_id: &str) -> (Vec<RepPlan<'a>>, Vec<DrawSpan>) {
    let year = file.year_bounds();
    let (mut plans, mut draws) = (Vec::new(), Vec::new());
    for plan in &file.plans {
        let mut in_force = Vec::new();
        for assignment in plan.assignments.iter().filter(|assignment| assignment.rep_id == rep_id) {
            if let Some(days) = days_in_force(assignment, year) {
                in_force.push(days);
                if let Some(draw) = assignment.draw {
                    draws.push(DrawSpan { draw, in_force: days });
                }
            }
        }
        if !in_force.is_empty() {
            plans.push(RepPlan { plan, in_force });
        }
    }
    (plans, draws)
}

/// A component of a plan, by plan name and component key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ComponentRef {
    pub plan: String,
    pub key: String,
}

/// What the rep's earlier statements of the same year hold (the store reads them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriorStatements {
    /// Per component, the sum of what earlier statements of the year paid for it.
    pub paid: HashMap<ComponentRef, i64>,
    /// Recoverable advances of the year not yet recovered.
    pub draw_balance_cents: i64,
}

/// Everything one rep's statement for one month is computed from. Deal and quota lists may hold
/// more than the month (the year so far is needed for cumulative components); they are filtered.
#[derive(Debug, Clone, Copy)]
pub struct StatementInput<'a> {
    pub rep_id: i64,
    /// Any day of the month, or the month's period.
    pub month: Period,
    pub plans: &'a [RepPlan<'a>],
    pub draws: &'a [DrawSpan],
    /// Deals credited to the rep in the fiscal year (for `own` components).
    pub own_deals: &'a [CreditedDeal],
    /// Deals credited to the rep's subtree in the fiscal year (for `team` components).
    pub team_deals: &'a [CreditedDeal],
    /// The rep's quotas, and the team quotas (the manager's own where set, else the roll-up).
    pub own_quotas: &'a [QuotaEntry],
    pub team_quotas: &'a [QuotaEntry],
    pub prior: &'a PriorStatements,
    /// Deal lines paid on locked statements whose deal changed since (clawback candidates).
    pub paid_deals: &'a [PaidDeal],
    /// Adjustments decided elsewhere (accepted disputes, changes to locked inputs).
    pub adjustments: &'a [Adjustment],
    /// Contest awards decided in the month.
    pub awards: &'a [ContestAward],
}

/// One component on a statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentLine {
    pub plan: String,
    pub key: String,
    /// The window measured: the component's period, or the year to date when cumulative.
    pub period: String,
    pub cumulative: bool,
    #[serde(flatten)]
    pub computed: ComponentPeriod,
    /// Cumulative: what earlier statements of the year paid for the component.
    pub paid_before_cents: i64,
    /// What this statement pays for the component.
    pub due_cents: i64,
}

/// A rep's statement for a month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    pub rep_id: i64,
    /// `YYYY-MM`.
    pub month: String,
    pub components: Vec<ComponentLine>,
    pub adjustments: Vec<Adjustment>,
    pub awards: Vec<ContestAward>,
    /// Components due + adjustments + awards.
    pub earnings_cents: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draw: Option<DrawLine>,
    /// Earnings with the draw settled.
    pub payable_cents: i64,
}

/// The window a component measures for the period containing `day`: its month, quarter or year,
/// or from the year's first day to that period's end when cumulative.
pub fn component_window(component: &Component, day: NaiveDate) -> Period {
    let kind = component.period.kind();
    let period = Period::containing(kind, day);
    if component.cumulative {
        let year_start = Period::containing(PeriodKind::Year, day).start();
        Period::range(year_start, period.end()).unwrap_or(period)
    } else {
        period
    }
}

/// Computes one component's period containing `day` for the rep of `input`.
pub fn component_period(
    input: &StatementInput,
    rep_plan: &RepPlan,
    component: &Component,
    day: NaiveDate,
) -> ComponentPeriod {
    let (deals, quotas) = match component.credit {
        Credit::Own => (input.own_deals, input.own_quotas),
        Credit::Team => (input.team_deals, input.team_quotas),
    };
    let kept = kept_credit(input, &rep_plan.plan.name, component);
    let with_kept: Vec<CreditedDeal>;
    let deals = if kept.is_empty() {
        deals
    } else {
        with_kept = deals.iter().cloned().chain(kept).collect();
        &with_kept
    };
    compute_component(&ComponentInput {
        component,
        window: component_window(component, day),
        in_force: &rep_plan.in_force,
        deals,
        quotas,
    })
}

/// For a cumulative component, the credit its paid deals lost more than `clawback_days` after
/// their close: not charged back, so the year to date keeps crediting it (as a line of the deal
/// that credits exactly what was lost, whatever the metric).
fn kept_credit(input: &StatementInput, plan: &str, component: &Component) -> Vec<CreditedDeal> {
    if !component.cumulative {
        return Vec::new();
    }
    input
        .paid_deals
        .iter()
        .filter(|paid| paid.plan == plan && paid.component_key == component.key)
        .filter(|paid| after_window(paid, component.clawback_days) && paid.credit_lost() > Decimal::ZERO)
        .map(|paid| CreditedDeal {
            opportunity_id: paid.opportunity_id,
            rep_id: input.rep_id,
            closed_on: paid.closed_on,
            amount_cents: 1,
            margin_cents: 1,
            product_line: component.product_line_id.clone(),
            share: paid.credit_lost(),
        })
        .collect()
}

/// Computes the statement of `input.rep_id` for `input.month`. The same input always gives the
/// same statement, to the cent.
pub fn compute_statement(input: &StatementInput) -> Statement {
    let month = Period::containing(PeriodKind::Month, input.month.start());
    let mut components = Vec::new();
    for rep_plan in input.plans {
        for component in &rep_plan.plan.components {
            let window = component_window(component, month.start());
            if window.end() != month.end() {
                continue;
            }
            let reference = ComponentRef { plan: rep_plan.plan.name.clone(), key: component.key.clone() };
            let paid_before_cents =
                if component.cumulative { input.prior.paid.get(&reference).copied().unwrap_or(0) } else { 0 };
            let in_force = rep_plan.in_force.iter().any(|span| span.overlap_days(window) > 0);
            if !in_force && paid_before_cents == 0 {
                continue;
            }
            let computed = component_period(input, rep_plan, component, month.start());
            let due_cents = computed.earned.earnings_cents.saturating_sub(paid_before_cents);
            components.push(ComponentLine {
                plan: reference.plan,
                key: reference.key,
                period: window.to_string(),
                cumulative: component.cumulative,
                computed,
                paid_before_cents,
                due_cents,
            });
        }
    }
    let mut adjustments = input.adjustments.to_vec();
    adjustments.extend(input.paid_deals.iter().filter_map(|paid| match paid_on(input.plans, paid) {
        // The year-to-date true-up takes back what a deal of this year no longer earns (inside
        // the window; after it, the year to date keeps the credit: see `kept_credit`).
        Some(component)
            if component.cumulative && component_window(component, month.start()).contains(paid.closed_on) =>
        {
            None
        }
        component => clawback(paid, component.and_then(|component| component.clawback_days)),
    }));
    let earnings_cents = saturating_sum(components.iter().map(|line| line.due_cents))
        .saturating_add(saturating_sum(adjustments.iter().map(|adjustment| adjustment.amount_cents)))
        .saturating_add(saturating_sum(input.awards.iter().map(|award| award.amount_cents)));
    let draw = month_draw(input.draws, month, earnings_cents, input.prior.draw_balance_cents);
    let payable_cents = draw.map_or(earnings_cents, |draw| draw.payable(earnings_cents));
    Statement {
        rep_id: input.rep_id,
        month: format!("{:04}-{:02}", month.start().year(), month.start().month()),
        components,
        adjustments,
        awards: input.awards.to_vec(),
        earnings_cents,
        draw,
        payable_cents,
    }
}

/// The component a paid deal was paid on; `None` when the plan or component is no longer the
/// rep's (the deal is then charged back in full, without a window).
fn paid_on<'a>(plans: &[RepPlan<'a>], paid: &PaidDeal) -> Option<&'a Component> {
    plans
        .iter()
        .filter(|rep_plan| rep_plan.plan.name == paid.plan)
        .flat_map(|rep_plan| &rep_plan.plan.components)
        .find(|component| component.key == paid.component_key)
}

/// Amounts of a statement add up saturating, as each amount saturates (see [`to_cents`]).
fn saturating_sum(amounts: impl Iterator<Item = i64>) -> i64 {
    amounts.fold(0, i64::saturating_add)
}

/// The month's draw: each draw prorated by the days its assignment is in force in the month
/// (rounded half away from zero), of the kind of the latest assignment; with no draw but advances
/// left to recover, a recovery line.
fn month_draw(draws: &[DrawSpan], month: Period, earnings_cents: i64, balance_cents: i64) -> Option<DrawLine> {
    let mut amount: i64 = 0;
    let mut latest: Option<&DrawSpan> = None;
    for span in draws.iter().filter(|span| span.in_force.overlap_days(month) > 0) {
        let share = Decimal::from(span.in_force.overlap_days(month)) / Decimal::from(month.days());
        amount = amount.saturating_add(to_cents(round_half_away(Decimal::from(span.draw.amount_cents) * share)));
        if latest.is_none_or(|latest| span.in_force.start() > latest.in_force.start()) {
            latest = Some(span);
        }
    }
    match latest {
        Some(span) => Some(settle_draw(span.draw.kind, amount, earnings_cents, balance_cents)),
        None if balance_cents > 0 => {
            Some(settle_draw(super::plan::DrawKind::Recoverable, 0, earnings_cents, balance_cents))
        }
        None => None,
    }
}
