//! What the locked statements hand the engine: the component periods they paid (read back from the
//! kept statements), what later statements already adjusted per deal and component, and which
//! deals' change days `clawback_days` may need.

use super::sheet::{AdjustmentSheet, ComponentSheet, StatementSheet};
use quotient_core::Period;
use quotient_core::incentives::{ComponentRef, Decimal, LockedLine, LockedPeriod};

/// The component periods of a rep's locked statements met so far in the year.
#[derive(Default)]
pub(super) struct LockedSoFar {
    /// Those of cumulative components first (`trued` of them), then the others.
    periods: Vec<LockedPeriod>,
    trued: usize,
    /// Whether a statement was locked since the last one computed live.
    pending: bool,
}

impl LockedSoFar {
    pub(super) fn add(&mut self, sheet: &StatementSheet) {
        for component in &sheet.components {
            let Some(period) = locked_period(component) else { continue };
            if component.cumulative {
                self.periods.insert(self.trued, period);
                self.trued += 1;
            } else {
                self.periods.push(period);
            }
        }
        self.pending = true;
    }

    /// The periods a statement computed live is given, and whether it is given every one (then
    /// also those of earlier years): every one when a statement was locked since the last one
    /// computed live (which adjusted all there was), else only those the year to date measures
    /// again (the others would adjust nothing more).
    pub(super) fn take_for_live(&mut self) -> (&[LockedPeriod], bool) {
        let all = std::mem::take(&mut self.pending);
        (if all { &self.periods } else { self.trued_up() }, all)
    }

    /// Starts a year with what the years before left to adjust: `pending` when a statement was
    /// locked after the last one computed live.
    pub(super) fn carrying(pending: bool) -> LockedSoFar {
        LockedSoFar { pending, ..LockedSoFar::default() }
    }

    /// Whether a statement was locked since the last one computed live.
    pub(super) fn pending(&self) -> bool {
        self.pending
    }

    /// The periods a later year adjusts: every period of a component that is not cumulative, and
    /// of a cumulative one the latest year to date (what the year paid for it in all).
    pub(super) fn at_year_end(&self) -> Vec<LockedPeriod> {
        let mut latest: Vec<&LockedPeriod> = Vec::new();
        for period in self.trued_up() {
            match latest.iter_mut().find(|found| found.component == period.component) {
                Some(found) if found.window.end() < period.window.end() => *found = period,
                Some(_) => {}
                None => latest.push(period),
            }
        }
        let rest = self.periods.get(self.trued..).unwrap_or_default();
        latest.into_iter().chain(rest).cloned().collect()
    }

    /// The periods of cumulative components.
    pub(super) fn trued_up(&self) -> &[LockedPeriod] {
        self.periods.get(..self.trued).unwrap_or_default()
    }
}

/// A kept component as the engine's locked period; `None` when its text does not read back (a
/// statement kept by another version), which then adjusts nothing.
pub(super) fn locked_period(component: &ComponentSheet) -> Option<LockedPeriod> {
    let window: Period = component.window.parse().ok()?;
    let quota = match &component.quota {
        Some(text) => Some(text.parse::<Decimal>().ok()?),
        None => None,
    };
    let lines = component
        .lines
        .iter()
        .filter_map(|line| {
            Some(LockedLine {
                opportunity_id: line.opportunity_id,
                closed_on: line.closed_on.parse().ok()?,
                credited: line.credited.parse().ok()?,
                earnings_cents: line.earnings_cents,
            })
        })
        .collect();
    let component_ref = ComponentRef { plan: component.plan.clone(), key: component.key.clone() };
    Some(LockedPeriod { component: component_ref, window, quota, lines })
}

/// An adjustment of a kept statement that trued up a change after a lock.
pub(super) struct AdjustedAfterLock {
    pub deal: i64,
    pub component: ComponentRef,
    /// The fiscal year of the component, when earlier than the statement's.
    pub fiscal_year: Option<i32>,
    pub cents: i64,
}

/// The adjustments of `sheet` that trued up a change after a lock.
pub(super) fn adjusted_after_lock(sheet: &StatementSheet) -> impl Iterator<Item = AdjustedAfterLock> + '_ {
    sheet.adjustments.iter().filter_map(|adjustment| {
        Some(AdjustedAfterLock {
            deal: adjustment.opportunity_id?,
            component: adjusted_component(adjustment)?,
            fiscal_year: adjustment.fiscal_year,
            cents: adjustment.amount_cents,
        })
    })
}

/// The component an engine adjustment names: its fields, or, as kept before they were, the
/// `plan key:` its note starts with.
fn adjusted_component(adjustment: &AdjustmentSheet) -> Option<ComponentRef> {
    if !matches!(adjustment.cause.as_str(), "clawback" | "deal_changed") {
        return None;
    }
    if let (Some(plan), Some(key)) = (&adjustment.plan, &adjustment.component_key) {
        return Some(ComponentRef { plan: plan.clone(), key: key.clone() });
    }
    let (named, _) = adjustment.note.split_once(": ")?;
    let (plan, key) = named.rsplit_once(' ')?;
    Some(ComponentRef { plan: plan.to_string(), key: key.to_string() })
}
