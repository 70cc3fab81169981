//! A rep's statement for a month (`INCENTIVES.md` §3): the components whose period ends in the
//! month (cumulative ones trued up against earlier statements of the year), adjustments and
//! clawbacks, contest awards, the draw, and what is payable.

use super::clawback::{Adjustment, LockedPeriod, after_window, locked_adjustments};
use super::component::{ComponentInput, ComponentPeriod, Measured, compute_component, deal_credits, measure};
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
    let found = file.plans.iter().enumerate().flat_map(|(index, plan)| {
        plan.assignments
            .iter()
            .enumerate()
            .filter(|(_, assignment)| assignment.rep_id == rep_id)
            .map(move |(a, _)| (index, a))
    });
    plans_of(file, found)
}

/// Every rep's assignments in `file`, by external id, as (plan index, assignment index) in the
/// file's order: what [`plans_of`] takes, found for all reps in one pass.
pub fn assignments_by_rep(file: &PlansFile) -> HashMap<&str, Vec<(usize, usize)>> {
    let mut found: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    for (index, plan) in file.plans.iter().enumerate() {
        for (a, assignment) in plan.assignments.iter().enumerate() {
            found.entry(assignment.rep_id.as_str()).or_default().push((index, a));
        }
    }
    found
}

/// [`rep_plans`] from one rep's assignments given as (plan index, assignment index), in the
/// file's order (indices that name nothing are passed over).
pub fn plans_of(
    file: &PlansFile,
    assignments: impl IntoIterator<Item = (usize, usize)>,
) -> (Vec<RepPlan<'_>>, Vec<DrawSpan>) {
    let year = file.year_bounds();
    let (mut plans, mut draws): (Vec<RepPlan>, Vec<DrawSpan>) = (Vec::new(), Vec::new());
    for (index, a) in assignments {
        let Some(plan) = file.plans.get(index) else { continue };
        let Some(days) = plan.assignments.get(a).and_then(|assignment| days_in_force(assignment, year)) else {
            continue;
        };
        if let Some(draw) = plan.assignments.get(a).and_then(|assignment| assignment.draw) {
            draws.push(DrawSpan { draw, in_force: days });
        }
        match plans.last_mut() {
            Some(last) if std::ptr::eq(last.plan, plan) => last.in_force.push(days),
            _ => plans.push(RepPlan { plan, in_force: vec![days] }),
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
    /// Per deal and component, the sum of the adjustments earlier statements made for changes
    /// after a lock.
    pub adjusted: HashMap<(i64, ComponentRef), i64>,
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
    /// The component periods locked statements paid: a period the year to date measures again
    /// keeps the credit of deals that fell after `clawback_days`; any other is recomputed and its
    /// differences adjusted.
    pub locked: &'a [LockedPeriod],
    /// The day each deal changed last, for the deals whose change `clawback_days` may excuse (a
    /// deal left out is charged).
    pub changed_on: &'a HashMap<i64, NaiveDate>,
    /// Earlier fiscal years whose locked component periods are adjusted too (given with `locked`
    /// in full, to the first statement computed live after a lock).
    pub earlier: &'a [EarlierYear<'a>],
    /// Adjustments decided elsewhere (accepted disputes, changes to locked inputs).
    pub adjustments: &'a [Adjustment],
    /// Contest awards decided in the month.
    pub awards: &'a [ContestAward],
}

/// A fiscal year before the statement's, as its locked component periods are adjusted on a
/// statement of a later year: with that year's plans (the rep's assignments then), the deals it
/// credits today, the days they changed, and, per deal and component, what statements since its
/// locks adjusted (`prior.adjusted`; the rest of `prior` is not read).
#[derive(Debug, Clone, Copy)]
pub struct EarlierYear<'a> {
    pub fiscal_year: i32,
    pub plans: &'a [RepPlan<'a>],
    pub own_deals: &'a [CreditedDeal],
    pub team_deals: &'a [CreditedDeal],
    pub prior: &'a PriorStatements,
    pub locked: &'a [LockedPeriod],
    pub changed_on: &'a HashMap<i64, NaiveDate>,
}

impl EarlierYear<'_> {
    /// The adjustments of the year's locked periods (none of which a later year to date measures
    /// again), each naming the year.
    fn adjustments(&self, rep_id: i64, month: Period) -> Vec<Adjustment> {
        let input = StatementInput {
            rep_id,
            month,
            plans: self.plans,
            draws: &[],
            own_deals: self.own_deals,
            team_deals: self.team_deals,
            own_quotas: &[],
            team_quotas: &[],
            prior: self.prior,
            locked: self.locked,
            changed_on: self.changed_on,
            earlier: &[],
            adjustments: &[],
            awards: &[],
        };
        let mut adjustments = locked_adjustments(&input, |_| false);
        for adjustment in &mut adjustments {
            adjustment.fiscal_year = Some(self.fiscal_year);
            adjustment.note = format!("{} (fiscal year {})", adjustment.note, self.fiscal_year);
        }
        adjustments
    }
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
    let window = component_window(component, day);
    let kept = kept_credit(input, rep_plan, component, window, deals);
    let with_kept: Vec<CreditedDeal>;
    let deals = if kept.is_empty() {
        deals
    } else {
        with_kept = deals.iter().cloned().chain(kept).collect();
        &with_kept
    };
    compute_component(&ComponentInput { component, window, in_force: &rep_plan.in_force, deals, quotas })
}

/// What one component's period containing `day` earns from, without its deal lines (`None` when
/// the rep's assignment to the plan is in force on no day of it).
pub fn component_measure<'a>(
    input: &StatementInput<'a>,
    rep_plan: &'a RepPlan<'a>,
    component: &'a Component,
    day: NaiveDate,
) -> Option<Measured<'a>> {
    let (deals, quotas) = match component.credit {
        Credit::Own => (input.own_deals, input.own_quotas),
        Credit::Team => (input.team_deals, input.team_quotas),
    };
    let window = component_window(component, day);
    let mut measured = measure(&ComponentInput { component, window, in_force: &rep_plan.in_force, deals, quotas })?;
    let kept = kept_credit(input, rep_plan, component, window, deals);
    measured.credited +=
        kept.iter().filter(|deal| measured.counts(deal)).map(|deal| deal.credit(component.metric)).sum::<Decimal>();
    Some(measured)
}

/// For a cumulative component, the credit the deals of its latest locked year to date lost more
/// than `clawback_days` after their close: not charged back, so the year to date keeps crediting
/// it (as a line of the deal that credits exactly what was lost, whatever the metric).
fn kept_credit(
    input: &StatementInput,
    rep_plan: &RepPlan,
    component: &Component,
    window: Period,
    deals: &[CreditedDeal],
) -> Vec<CreditedDeal> {
    if !component.cumulative || component.clawback_days.is_none() {
        return Vec::new();
    }
    let latest = input
        .locked
        .iter()
        .filter(|locked| locked.component.plan == rep_plan.plan.name && locked.component.key == component.key)
        .filter(|locked| locked.window.start() == window.start())
        .max_by_key(|locked| locked.window.end());
    let Some(latest) = latest else { return Vec::new() };
    let now = deal_credits(component, window, &rep_plan.in_force, deals);
    let mut kept = Vec::new();
    for line in &latest.lines {
        let changed_on = input.changed_on.get(&line.opportunity_id).copied();
        if !after_window(line.closed_on, changed_on, component.clawback_days) {
            continue;
        }
        let credited =
            now.iter().find(|deal| deal.opportunity_id == line.opportunity_id).map_or(Decimal::ZERO, |d| d.credited);
        if credited < line.credited {
            let lost = line.credited - credited;
            let product_line = component.product_line_id.clone();
            kept.push(CreditedDeal {
                rep_id: input.rep_id,
                ..CreditedDeal::crediting(line.opportunity_id, line.closed_on, lost, product_line)
            });
        }
    }
    kept
}

/// Whether the year to date of `month` measures a locked period again (a cumulative component's
/// year to date of the same year), so that its changes are trued up there, not adjusted.
fn trued_up(plans: &[RepPlan], month: Period, locked: &LockedPeriod) -> bool {
    super::clawback::paid_on(plans, &locked.component).is_some_and(|(_, component)| {
        component.cumulative && component_window(component, month.start()).start() == locked.window.start()
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
    adjustments.extend(adjustments_after_lock(input));
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

/// The adjustments for changes after a lock that the statement of `input` carries (without
/// computing its components): those of the earlier years' locked periods, then those of its own
/// year's that the year to date does not measure again.
pub fn adjustments_after_lock(input: &StatementInput) -> Vec<Adjustment> {
    let month = Period::containing(PeriodKind::Month, input.month.start());
    let mut adjustments = Vec::new();
    for year in input.earlier {
        adjustments.extend(year.adjustments(input.rep_id, month));
    }
    adjustments.extend(locked_adjustments(input, |locked| trued_up(input.plans, month, locked)));
    adjustments
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
