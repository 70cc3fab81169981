//! A rep's statement for a month (`INCENTIVES.md` §3): the components whose period ends in the
//! month (cumulative ones trued up against earlier statements of the year), adjustments and
//! clawbacks, contest awards, the draw, and what is payable.

use super::clawback::{Adjustment, PaidDeal, clawback};
use super::component::{ComponentInput, ComponentPeriod, compute_component};
use super::contest::ContestAward;
use super::credit::{CreditedDeal, QuotaEntry, days_in_force};
use super::draw::{DrawLine, settle_draw};
use super::plan::{Component, Credit, Draw, Plan, PlanPeriod, PlansFile};
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
    let kind = match component.period {
        PlanPeriod::Month => PeriodKind::Month,
        PlanPeriod::Quarter => PeriodKind::Quarter,
        PlanPeriod::Year => PeriodKind::Year,
    };
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
    compute_component(&ComponentInput {
        component,
        window: component_window(component, day),
        in_force: &rep_plan.in_force,
        deals,
        quotas,
    })
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
            let due_cents = computed.earned.earnings_cents - paid_before_cents;
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
    adjustments.extend(input.paid_deals.iter().filter_map(|paid| clawback(paid, clawback_days(input.plans, paid))));
    let earnings_cents = components.iter().map(|line| line.due_cents).sum::<i64>()
        + adjustments.iter().map(|adjustment| adjustment.amount_cents).sum::<i64>()
        + input.awards.iter().map(|award| award.amount_cents).sum::<i64>();
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

/// The `clawback_days` of the component a paid deal was paid on (none when the plan or component
/// is no longer the rep's: the deal is then charged back in full).
fn clawback_days(plans: &[RepPlan], paid: &PaidDeal) -> Option<u32> {
    plans
        .iter()
        .filter(|rep_plan| rep_plan.plan.name == paid.plan)
        .flat_map(|rep_plan| &rep_plan.plan.components)
        .find(|component| component.key == paid.component_key)
        .and_then(|component| component.clawback_days)
}

/// The month's draw: each draw prorated by the days its assignment is in force in the month
/// (rounded half away from zero), of the kind of the latest assignment; with no draw but advances
/// left to recover, a recovery line.
fn month_draw(draws: &[DrawSpan], month: Period, earnings_cents: i64, balance_cents: i64) -> Option<DrawLine> {
    let mut amount = 0;
    let mut latest: Option<&DrawSpan> = None;
    for span in draws.iter().filter(|span| span.in_force.overlap_days(month) > 0) {
        let share = Decimal::from(span.in_force.overlap_days(month)) / Decimal::from(month.days());
        amount += to_cents(round_half_away(Decimal::from(span.draw.amount_cents) * share));
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
