//! What the locked statements hand the engine: the component periods they paid (read back from the
//! kept statements), what later statements already adjusted per deal and component, and which
//! deals' change days `clawback_days` may need.

use super::sheet::{AdjustmentSheet, ComponentSheet, StatementSheet, StatementState};
use quotient_core::Period;
use quotient_core::incentives::{ComponentRef, Decimal, LockedLine, LockedPeriod};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;

/// What the months after a kept statement read of it: per component what it paid and, once
/// locked, the period it measured; the adjustments after a lock it made; the draw's balance and
/// the payable. A later year needs no more of its earlier years' statements than this.
pub(super) struct KeptDigest {
    pub state: StatementState,
    pub components: Vec<KeptComponent>,
    pub adjusted: Vec<AdjustedAfterLock>,
    pub draw_balance_cents: Option<i64>,
    pub payable_cents: i64,
}

/// A component of a kept statement as the months after it read it.
pub(super) struct KeptComponent {
    pub reference: ComponentRef,
    pub cumulative: bool,
    pub due_cents: i64,
    /// The window measured, when its text reads back.
    pub window: Option<Period>,
    /// The component as the engine's locked period (see [`locked_period`]).
    pub period: Option<LockedPeriod>,
}

impl KeptDigest {
    pub(super) fn of_sheet(sheet: &StatementSheet) -> KeptDigest {
        KeptDigest {
            state: sheet.state,
            components: sheet
                .components
                .iter()
                .map(|component| KeptComponent {
                    reference: ComponentRef { plan: component.plan.clone(), key: component.key.clone() },
                    cumulative: component.cumulative,
                    due_cents: component.due_cents,
                    window: component.window.parse().ok(),
                    period: locked_period(component),
                })
                .collect(),
            adjusted: adjusted_after_lock(sheet).collect(),
            draw_balance_cents: sheet.draw.as_ref().map(|draw| draw.balance_after_cents),
            payable_cents: sheet.payable_cents,
        }
    }

    /// The digest of a kept statement's JSON, read without the texts only a reader of the
    /// statement needs (names, external ids, notes of other adjustments): what it gives is what
    /// [`KeptDigest::of_sheet`] gives of the whole sheet.
    pub(super) fn of_json(
        text: &str,
        state: StatementState,
        windows: &mut WindowCache,
    ) -> serde_json::Result<KeptDigest> {
        let view: SheetView = serde_json::from_str(text)?;
        let components = view
            .components
            .into_iter()
            .map(|component| {
                let window = windows.parse(&component.window);
                let reference = ComponentRef { plan: component.plan.into_owned(), key: component.key.into_owned() };
                let quota = match &component.quota {
                    Some(text) => text.parse::<Decimal>().ok().map(Some),
                    None => Some(None),
                };
                let period = window.zip(quota).map(|(window, quota)| LockedPeriod {
                    component: reference.clone(),
                    window,
                    quota,
                    lines: component
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
                        .collect(),
                });
                KeptComponent {
                    reference,
                    cumulative: component.cumulative,
                    due_cents: component.due_cents,
                    window,
                    period,
                }
            })
            .collect();
        let adjusted = view
            .adjustments
            .into_iter()
            .filter_map(|adjustment| {
                if !matches!(adjustment.cause.as_ref(), "clawback" | "deal_changed") {
                    return None;
                }
                let deal = adjustment.opportunity_id?;
                let component = match (adjustment.plan, adjustment.component_key) {
                    (Some(plan), Some(key)) => ComponentRef { plan: plan.into_owned(), key: key.into_owned() },
                    _ => noted_component(&adjustment.note)?,
                };
                Some(AdjustedAfterLock {
                    deal,
                    component,
                    fiscal_year: adjustment.fiscal_year,
                    cents: adjustment.amount_cents,
                })
            })
            .collect();
        Ok(KeptDigest {
            state,
            components,
            adjusted,
            draw_balance_cents: view.draw.map(|draw| draw.balance_after_cents),
            payable_cents: view.payable_cents,
        })
    }

    pub(super) fn is_locked(&self) -> bool {
        self.state == StatementState::Locked
    }
}

/// Windows as parsed, by their text: a year's statements name few.
#[derive(Default)]
pub(super) struct WindowCache(HashMap<String, Option<Period>>);

impl WindowCache {
    fn parse(&mut self, text: &str) -> Option<Period> {
        if let Some(found) = self.0.get(text) {
            return *found;
        }
        let window = text.parse().ok();
        self.0.insert(text.to_string(), window);
        window
    }
}

/// The fields of a kept statement a digest reads; the texts borrowed where the JSON allows.
#[derive(Deserialize)]
struct SheetView<'a> {
    #[serde(borrow)]
    components: Vec<ComponentView<'a>>,
    #[serde(borrow)]
    adjustments: Vec<AdjustmentView<'a>>,
    #[serde(default)]
    draw: Option<DrawView>,
    payable_cents: i64,
}

#[derive(Deserialize)]
struct ComponentView<'a> {
    #[serde(borrow)]
    plan: Cow<'a, str>,
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow)]
    window: Cow<'a, str>,
    cumulative: bool,
    #[serde(default, borrow)]
    quota: Option<Cow<'a, str>>,
    due_cents: i64,
    #[serde(borrow)]
    lines: Vec<LineView<'a>>,
}

#[derive(Deserialize)]
struct LineView<'a> {
    opportunity_id: i64,
    #[serde(borrow)]
    closed_on: Cow<'a, str>,
    #[serde(borrow)]
    credited: Cow<'a, str>,
    earnings_cents: i64,
}

#[derive(Deserialize)]
struct AdjustmentView<'a> {
    #[serde(default)]
    opportunity_id: Option<i64>,
    #[serde(default, borrow)]
    plan: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    component_key: Option<Cow<'a, str>>,
    #[serde(default)]
    fiscal_year: Option<i32>,
    #[serde(borrow)]
    cause: Cow<'a, str>,
    amount_cents: i64,
    #[serde(borrow)]
    note: Cow<'a, str>,
}

#[derive(Deserialize)]
struct DrawView {
    balance_after_cents: i64,
}

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
    pub(super) fn add(&mut self, kept: &KeptDigest) {
        for component in &kept.components {
            let Some(period) = component.period.clone() else { continue };
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
    noted_component(&adjustment.note)
}

/// The `plan key:` an adjustment's note starts with.
fn noted_component(note: &str) -> Option<ComponentRef> {
    let (named, _) = note.split_once(": ")?;
    let (plan, key) = named.rsplit_once(' ')?;
    Some(ComponentRef { plan: plan.to_string(), key: key.to_string() })
}
