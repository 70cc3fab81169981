//! What-if (`INCENTIVES.md` §8): what closing an open deal would add, and what the next tier is
//! worth — from the same engine as the statements.

use super::component::{Measured, earn};
use super::credit::{CreditedDeal, in_pieces};
use super::plan::{Component, ComponentKind};
use super::statement::{ComponentRef, StatementInput, component_measure, component_window};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

/// What closing one deal would add to the rep's earnings, in all and per component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhatIf {
    pub added_cents: i64,
    pub components: Vec<(ComponentRef, i64)>,
}

/// Adds `deal`, credited, to every component period that would count it: the period of each
/// component containing `deal.closed_on` on a plan in force that day (for a cumulative component,
/// the year to that period's end). The deal counts for `own` and for `team` components (a rep's
/// subtree includes the rep). Components it does not change are left out.
pub fn what_if_close(input: &StatementInput, deal: &CreditedDeal) -> WhatIf {
    what_ifs_close(input, std::slice::from_ref(deal)).pop().unwrap_or(WhatIf { added_cents: 0, components: Vec::new() })
}

/// [`what_if_close`] for each of `deals`, in order. Only earnings are compared, never deal lines,
/// and what a component period credits without the deals is measured once per period, so each
/// what-if costs one earning per component it touches.
pub fn what_ifs_close<'a>(input: &StatementInput<'a>, deals: &[CreditedDeal]) -> Vec<WhatIf> {
    let mut measured: HashMap<(usize, usize, NaiveDate), Option<(Measured<'a>, i64)>> = HashMap::new();
    deals
        .iter()
        .map(|deal| {
            let mut components = Vec::new();
            let in_force = input.plans.iter().enumerate().filter(|(_, p)| in_pieces(deal.closed_on, &p.in_force));
            for (p, rep_plan) in in_force {
                for (c, component) in rep_plan.plan.components.iter().enumerate() {
                    let window = component_window(component, deal.closed_on).start();
                    let entry = measured.entry((p, c, window)).or_insert_with(|| {
                        component_measure(input, rep_plan, component, deal.closed_on).map(|measured| {
                            let before = measured.earn(Decimal::ZERO).earnings_cents;
                            (measured, before)
                        })
                    });
                    let Some((measured, before)) = entry else { continue };
                    if !measured.counts(deal) {
                        continue;
                    }
                    let after = measured.earn(deal.credit(component.metric)).earnings_cents;
                    if after != *before {
                        let reference = ComponentRef { plan: rep_plan.plan.name.clone(), key: component.key.clone() };
                        components.push((reference, after - *before));
                    }
                }
            }
            WhatIf { added_cents: components.iter().map(|(_, cents)| cents).sum(), components }
        })
        .collect()
}

/// The next attainment at which a component pays more: its gate, the next tier or the next curve
/// point above the current attainment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NextStep {
    #[serde(serialize_with = "super::exact::serialize")]
    pub attainment: Decimal,
    /// What is still to be credited to reach it (cents rounded up, or deals).
    #[serde(serialize_with = "super::exact::serialize")]
    pub credited_needed: Decimal,
    /// The period's earnings once reached, and what that adds to the earnings now.
    pub earnings_cents: i64,
    pub worth_cents: i64,
}

/// The next step of `component` from `credited` against `quota`; `None` without a quota or when
/// no step lies above the current attainment.
pub fn next_step(component: &Component, credited: Decimal, quota: Option<Decimal>) -> Option<NextStep> {
    let quota = quota.filter(|q| *q > Decimal::ZERO)?;
    let attainment = credited / quota;
    let steps: Vec<Decimal> = match &component.kind {
        ComponentKind::Commission { tiers, .. } => tiers.iter().map(|tier| tier.from).collect(),
        ComponentKind::Bonus { curve, .. } => curve.iter().map(|point| point.attainment).collect(),
    };
    // A step below the gate pays nothing more: the gate comes first.
    let gate = component.gate.unwrap_or(Decimal::ZERO);
    let step = steps.into_iter().chain(component.gate).filter(|step| *step > attainment && *step >= gate).min()?;
    let mut target = step * quota;
    if component.metric.is_money() {
        target = target.ceil();
    }
    let now = earn(component, credited, Some(quota)).earnings_cents;
    let then = earn(component, target, Some(quota)).earnings_cents;
    Some(NextStep {
        attainment: step,
        credited_needed: target - credited,
        earnings_cents: then,
        worth_cents: then - now,
    })
}
