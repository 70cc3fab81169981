//! Changes after a lock (`INCENTIVES.md` §3–§4): every component period a locked statement paid is
//! recomputed with the deals' credit today, and each deal's difference — a clawback when it falls,
//! `deal_changed` when it rises — lands as an adjustment on the next statement computed live, less
//! what earlier adjustments already moved for that deal and component.

use super::component::{DealCredit, credit_lines, deal_credits};
use super::lines::DealLine;
use super::plan::{Component, Credit};
use super::statement::{ComponentRef, RepPlan, StatementInput};
use crate::Period;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// Why an adjustment line is on a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentCause {
    /// A deal paid on a locked statement is no longer won, or its credit fell.
    Clawback,
    /// A change that raises what a locked statement should have paid (a deal raised, reassigned
    /// to the rep, won in a locked month).
    DealChanged,
    /// A dispute the manager accepted.
    Dispute,
    /// Entered by hand.
    Manual,
}

/// One adjustment on a statement: an amount (negative: charged back), the deal it names if any,
/// the component it trues up if any, and the cause in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adjustment {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opportunity_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<ComponentRef>,
    /// The fiscal year of the component it trues up, when earlier than the statement's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fiscal_year: Option<i32>,
    pub cause: AdjustmentCause,
    pub amount_cents: i64,
    pub note: String,
}

/// A deal line of a locked statement, as it was paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockedLine {
    pub opportunity_id: i64,
    pub closed_on: NaiveDate,
    /// Cents for money metrics, deals for `deals`.
    #[serde(serialize_with = "super::exact::serialize")]
    pub credited: Decimal,
    pub earnings_cents: i64,
}

/// A component period a locked statement paid: the window it measured, the quota it measured it
/// against, and its deal lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedPeriod {
    pub component: ComponentRef,
    pub window: Period,
    pub quota: Option<Decimal>,
    pub lines: Vec<LockedLine>,
}

impl LockedPeriod {
    /// The credit of each deal as locked, one entry per deal.
    fn credits(&self) -> Vec<DealCredit> {
        let mut found: Vec<DealCredit> = Vec::new();
        for line in &self.lines {
            match found.iter_mut().find(|entry| entry.opportunity_id == line.opportunity_id) {
                Some(entry) => entry.credited += line.credited,
                None => found.push(DealCredit {
                    opportunity_id: line.opportunity_id,
                    closed_on: line.closed_on,
                    credited: line.credited,
                }),
            }
        }
        found
    }
}

/// Whether a deal closed on `closed_on` and changed on `changed_on` changed more than
/// `clawback_days` after its close (never without a window).
pub fn after_window(closed_on: NaiveDate, changed_on: Option<NaiveDate>, clawback_days: Option<u32>) -> bool {
    match (clawback_days, changed_on) {
        (Some(days), Some(changed_on)) => (changed_on - closed_on).num_days() > i64::from(days),
        _ => false,
    }
}

/// The plan in force and the component a locked period was paid on; `None` when the rep is no
/// longer on that plan or it no longer has the component.
pub(crate) fn paid_on<'p, 'a>(
    plans: &'p [RepPlan<'a>],
    reference: &ComponentRef,
) -> Option<(&'p RepPlan<'a>, &'a Component)> {
    plans.iter().filter(|rep_plan| rep_plan.plan.name == reference.plan).find_map(|rep_plan| {
        let plan: &'a super::plan::Plan = rep_plan.plan;
        plan.components.iter().find(|component| component.key == reference.key).map(|component| (rep_plan, component))
    })
}

/// Today's credit of each deal in a locked period, where a deal whose credit fell more than
/// `clawback_days` after its close keeps the credit it was locked with (its fall is not charged,
/// and it moves no other deal's share).
pub(crate) fn credits_now(
    input: &StatementInput,
    rep_plan: &RepPlan,
    component: &Component,
    window: Period,
    locked: &[DealCredit],
) -> Vec<DealCredit> {
    let deals = match component.credit {
        Credit::Own => input.own_deals,
        Credit::Team => input.team_deals,
    };
    let mut now = deal_credits(component, window, &rep_plan.in_force, deals);
    for then in locked {
        let changed_on = input.changed_on.get(&then.opportunity_id).copied();
        if !after_window(then.closed_on, changed_on, component.clawback_days) {
            continue;
        }
        match now.iter_mut().find(|entry| entry.opportunity_id == then.opportunity_id) {
            Some(entry) if entry.credited < then.credited => *entry = *then,
            Some(_) => {}
            None => now.push(*then),
        }
    }
    now
}

/// The adjustments of the locked periods of `input` that the year to date does not measure again:
/// per deal and component, (its line in each period recomputed with today's credit − its line
/// recomputed with the credit it was locked with) − what earlier statements already adjusted for
/// it. Both recomputations take the component's rules as they are and the quota as locked, so a
/// change to a plan or a quota after the lock moves nothing; a deal's line under unchanged rules
/// and credit is its locked line, so the total paid converges to what today's data says. A
/// negative difference of a deal that changed more than `clawback_days` after its close is not
/// charged; a period whose plan or component is no longer the rep's is charged back whole.
pub(crate) fn locked_adjustments(input: &StatementInput, trued_up: impl Fn(&LockedPeriod) -> bool) -> Vec<Adjustment> {
    let mut owed: Vec<Owed> = Vec::new();
    for period in input.locked.iter().filter(|period| !trued_up(period)) {
        let reference = &period.component;
        let then = period.credits();
        match paid_on(input.plans, reference) {
            Some((rep_plan, component)) => {
                let now = credits_now(input, rep_plan, component, period.window, &then);
                // Unchanged credits, in the same order, recompute to the same lines: nothing owed,
                // unless an earlier adjustment of one of its deals is to be taken back.
                // Most reps have no earlier adjustment: no key is built for them.
                let adjusted = |credit: &DealCredit| {
                    !input.prior.adjusted.is_empty()
                        && input.prior.adjusted.contains_key(&(credit.opportunity_id, reference.clone()))
                };
                if now == then && !then.iter().any(adjusted) {
                    continue;
                }
                let lines = |credits: &[DealCredit]| {
                    credit_lines(component, period.window, &rep_plan.in_force, period.quota, credits)
                };
                Owed::add(&mut owed, reference, &then, &lines(&then), -1);
                Owed::add(&mut owed, reference, &now, &lines(&now), 1);
            }
            None => {
                let paid: Vec<DealLine> = period
                    .lines
                    .iter()
                    .map(|line| DealLine {
                        opportunity_id: line.opportunity_id,
                        rep_id: input.rep_id,
                        closed_on: line.closed_on,
                        credited: line.credited,
                        earnings_cents: line.earnings_cents,
                    })
                    .collect();
                Owed::add(&mut owed, reference, &then, &paid, -1);
            }
        }
    }
    let mut adjustments = Vec::new();
    for owed in owed {
        let before = input.prior.adjusted.get(&(owed.opportunity_id, owed.component.clone())).copied().unwrap_or(0);
        let amount_cents = owed.cents.saturating_sub(before);
        let window = paid_on(input.plans, &owed.component).and_then(|(_, component)| component.clawback_days);
        let changed_on = input.changed_on.get(&owed.opportunity_id).copied();
        if amount_cents == 0 || (amount_cents < 0 && after_window(owed.closed_on, changed_on, window)) {
            continue;
        }
        let cause = if amount_cents < 0 { AdjustmentCause::Clawback } else { AdjustmentCause::DealChanged };
        let note = format!("{} {}: {}", owed.component.plan, owed.component.key, owed.what_changed());
        adjustments.push(Adjustment {
            opportunity_id: Some(owed.opportunity_id),
            component: Some(owed.component),
            fiscal_year: None,
            cause,
            amount_cents,
            note,
        });
    }
    adjustments
}

/// What a deal's lines on a component's locked periods are owed: the lines recomputed now less the
/// lines recomputed as locked, with the deal's credit then and now.
struct Owed {
    component: ComponentRef,
    opportunity_id: i64,
    /// The close the deal was first met with (as locked, when it was).
    closed_on: NaiveDate,
    cents: i64,
    credited_then: Decimal,
    credited_now: Decimal,
}

impl Owed {
    /// Adds `sign` × each line, and the credits (then when `sign` is negative, else now).
    fn add(owed: &mut Vec<Owed>, reference: &ComponentRef, credits: &[DealCredit], lines: &[DealLine], sign: i64) {
        for credit in credits {
            let entry = Owed::entry(owed, reference, credit.opportunity_id, credit.closed_on);
            if sign < 0 {
                entry.credited_then += credit.credited;
            } else {
                entry.credited_now += credit.credited;
            }
        }
        for line in lines {
            let entry = Owed::entry(owed, reference, line.opportunity_id, line.closed_on);
            entry.cents = entry.cents.saturating_add(sign.saturating_mul(line.earnings_cents));
        }
    }

    fn entry<'o>(
        owed: &'o mut Vec<Owed>,
        reference: &ComponentRef,
        opportunity_id: i64,
        closed_on: NaiveDate,
    ) -> &'o mut Owed {
        let index = match owed.iter().position(|o| o.opportunity_id == opportunity_id && &o.component == reference) {
            Some(index) => index,
            None => {
                owed.push(Owed {
                    component: reference.clone(),
                    opportunity_id,
                    closed_on,
                    cents: 0,
                    credited_then: Decimal::ZERO,
                    credited_now: Decimal::ZERO,
                });
                owed.len() - 1
            }
        };
        &mut owed[index]
    }

    fn what_changed(&self) -> &'static str {
        if self.credited_now.is_zero() {
            "deal no longer credited"
        } else if self.credited_then.is_zero() {
            "deal credited after the lock"
        } else if self.credited_now < self.credited_then {
            "credited amount fell"
        } else if self.credited_now > self.credited_then {
            "credited amount rose"
        } else {
            "the period's earnings changed with another deal"
        }
    }
}
