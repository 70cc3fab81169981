//! What the locked statements hand the engine: the component periods they paid (read back from the
//! kept statements), what later statements already adjusted per deal and component, and which
//! deals' change days `clawback_days` may need.

use super::sheet::{AdjustmentSheet, ComponentSheet, StatementSheet, StatementState};
use chrono::{Datelike, NaiveDate};
use quotient_core::Period;
use quotient_core::incentives::{ComponentRef, Decimal, LockedLine, LockedPeriod};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;

/// What the months after a kept statement read of it: per component what it paid and, once
/// locked, the period it measured; the adjustments after a lock it made; the draw's balance and
/// the payable. A later year needs no more of its earlier years' statements than this.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct KeptDigest {
    pub state: StatementState,
    pub components: Vec<KeptComponent>,
    pub adjusted: Vec<AdjustedAfterLock>,
    pub draw_balance_cents: Option<i64>,
    pub payable_cents: i64,
}

/// A component of a kept statement as the months after it read it.
#[derive(Debug, PartialEq, Eq)]
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
                            locked_line(line.opportunity_id, &line.closed_on, &line.credited, line.earnings_cents)
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

    /// The digest as kept beside its statement: JSON of numbers where it can be (a day as its
    /// number from the common era, an exact decimal as its mantissa and scale). `None` when a
    /// decimal does not fit, and the statement is then read from its JSON.
    pub(super) fn to_text(&self) -> Option<String> {
        let components = self
            .components
            .iter()
            .map(|component| {
                let period = match &component.period {
                    Some(period) => Some(PeriodText(
                        match period.quota {
                            Some(quota) => Some(exact(quota)?),
                            None => None,
                        },
                        period
                            .lines
                            .iter()
                            .map(|line| {
                                let (mantissa, scale) = exact(line.credited)?;
                                let day = line.closed_on.num_days_from_ce();
                                Some(LineText(line.opportunity_id, day, mantissa, scale, line.earnings_cents))
                            })
                            .collect::<Option<Vec<_>>>()?,
                    )),
                    None => None,
                };
                Some(ComponentText(
                    Cow::Borrowed(&component.reference.plan),
                    Cow::Borrowed(&component.reference.key),
                    component.cumulative,
                    component.due_cents,
                    component.window.map(|window| Cow::Owned(window.to_string())),
                    period,
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        let adjusted = self
            .adjusted
            .iter()
            .map(|a| {
                let (plan, key) = (Cow::Borrowed(a.component.plan.as_str()), Cow::Borrowed(a.component.key.as_str()));
                AdjustedText(a.deal, plan, key, a.fiscal_year, a.cents)
            })
            .collect();
        let text = DigestText { c: components, a: adjusted, d: self.draw_balance_cents, p: self.payable_cents };
        serde_json::to_string(&text).ok()
    }

    /// A digest as [`KeptDigest::to_text`] keeps it.
    pub(super) fn of_text(text: &str, state: StatementState, windows: &mut WindowCache) -> Option<KeptDigest> {
        let text: DigestText = serde_json::from_str(text).ok()?;
        let components = text
            .c
            .into_iter()
            .map(|ComponentText(plan, key, cumulative, due_cents, window, period)| {
                let reference = ComponentRef { plan: plan.into_owned(), key: key.into_owned() };
                let window = match window {
                    Some(text) => Some(windows.parse(&text)?),
                    None => None,
                };
                let period = match period {
                    Some(PeriodText(quota, lines)) => Some(LockedPeriod {
                        component: reference.clone(),
                        window: window?,
                        quota: match quota {
                            Some(quota) => Some(decimal(quota)?),
                            None => None,
                        },
                        lines: lines
                            .into_iter()
                            .map(|LineText(opportunity_id, day, mantissa, scale, earnings_cents)| {
                                Some(LockedLine {
                                    opportunity_id,
                                    closed_on: NaiveDate::from_num_days_from_ce_opt(day)?,
                                    credited: decimal((mantissa, scale))?,
                                    earnings_cents,
                                })
                            })
                            .collect::<Option<Vec<_>>>()?,
                    }),
                    None => None,
                };
                Some(KeptComponent { reference, cumulative, due_cents, window, period })
            })
            .collect::<Option<Vec<_>>>()?;
        let adjusted = text
            .a
            .into_iter()
            .map(|AdjustedText(deal, plan, key, fiscal_year, cents)| AdjustedAfterLock {
                deal,
                component: ComponentRef { plan: plan.into_owned(), key: key.into_owned() },
                fiscal_year,
                cents,
            })
            .collect();
        Some(KeptDigest { state, components, adjusted, draw_balance_cents: text.d, payable_cents: text.p })
    }
}

fn exact(value: Decimal) -> Option<(i64, u32)> {
    Some((i64::try_from(value.mantissa()).ok()?, value.scale()))
}

fn decimal((mantissa, scale): (i64, u32)) -> Option<Decimal> {
    Decimal::try_new(mantissa, scale).ok()
}

/// [`KeptDigest`] as kept: components, adjustments after a lock, draw balance, payable.
#[derive(Serialize, Deserialize)]
struct DigestText<'a> {
    #[serde(borrow)]
    c: Vec<ComponentText<'a>>,
    #[serde(borrow)]
    a: Vec<AdjustedText<'a>>,
    d: Option<i64>,
    p: i64,
}

/// Plan, key, cumulative, due, window, locked period.
#[derive(Serialize, Deserialize)]
struct ComponentText<'a>(
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    bool,
    i64,
    #[serde(borrow)] Option<Cow<'a, str>>,
    Option<PeriodText>,
);

/// Quota, lines.
#[derive(Serialize, Deserialize)]
struct PeriodText(Option<(i64, u32)>, Vec<LineText>);

/// Deal, close day, credited (mantissa, scale), earnings.
#[derive(Serialize, Deserialize)]
struct LineText(i64, i32, i64, u32, i64);

/// Deal, plan, key, fiscal year, cents.
#[derive(Serialize, Deserialize)]
struct AdjustedText<'a>(i64, #[serde(borrow)] Cow<'a, str>, #[serde(borrow)] Cow<'a, str>, Option<i32>, i64);

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
        .filter_map(|line| locked_line(line.opportunity_id, &line.closed_on, &line.credited, line.earnings_cents))
        .collect();
    let component_ref = ComponentRef { plan: component.plan.clone(), key: component.key.clone() };
    Some(LockedPeriod { component: component_ref, window, quota, lines })
}

/// A kept deal line as the engine's; `None` when its day or credit does not read back.
fn locked_line(opportunity_id: i64, closed_on: &str, credited: &str, earnings_cents: i64) -> Option<LockedLine> {
    Some(LockedLine {
        opportunity_id,
        closed_on: closed_on.parse().ok()?,
        credited: credited.parse().ok()?,
        earnings_cents,
    })
}

/// An adjustment of a kept statement that trued up a change after a lock.
#[derive(Debug, PartialEq, Eq)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incentives::sheet::{DrawSheet, LineSheet};

    fn line(id: i64, closed_on: &str, credited: &str, earnings_cents: i64) -> LineSheet {
        LineSheet {
            opportunity_id: id,
            opportunity_external_id: format!("O{id}"),
            name: Some(format!("Deal \"{id}\" — renewal")),
            closed_on: closed_on.to_string(),
            credited: credited.to_string(),
            earnings_cents,
        }
    }

    fn component(key: &str, window: &str, quota: Option<&str>, lines: Vec<LineSheet>) -> ComponentSheet {
        ComponentSheet {
            plan: "Field \"AE\" 2025".to_string(),
            key: key.to_string(),
            metric: "revenue".to_string(),
            window: window.to_string(),
            cumulative: key == "ytd",
            credited: "0".to_string(),
            quota: quota.map(str::to_string),
            attainment: None,
            earnings_cents: 0,
            paid_before_cents: 0,
            due_cents: 1_234,
            no_pay: None,
            capped: false,
            lines,
        }
    }

    fn adjustment(cause: &str, plan: Option<&str>, note: &str, fiscal_year: Option<i32>) -> AdjustmentSheet {
        AdjustmentSheet {
            opportunity_id: Some(7),
            opportunity_external_id: Some("O7".to_string()),
            plan: plan.map(str::to_string),
            component_key: plan.map(|_| "bookings".to_string()),
            fiscal_year,
            cause: cause.to_string(),
            amount_cents: -450,
            note: note.to_string(),
        }
    }

    fn sheet() -> StatementSheet {
        StatementSheet {
            rep_id: 3,
            rep_external_id: "R3".to_string(),
            name: "Ada".to_string(),
            period: "2025-03".to_string(),
            state: StatementState::Locked,
            month_ended: true,
            components: vec![
                component(
                    "bookings",
                    "2025-03",
                    None,
                    vec![line(7, "2025-03-04", "125050", 5_002), line(8, "2025-03-31", "3333.33", 133)],
                ),
                component("deals", "2025-Q1", Some("12.5"), vec![line(7, "2025-03-04", "0.5", 40)]),
                component("ytd", "2025-01-01..2025-04-01", Some("100000000"), vec![]),
                // Read back as paid only: its window does not parse.
                component("odd", "March", None, vec![line(9, "2025-03-02", "1", 1)]),
                // A line that does not read back is left out.
                component(
                    "partial",
                    "2025-03",
                    None,
                    vec![line(10, "someday", "1", 1), line(11, "2025-03-09", "2", 2)],
                ),
            ],
            adjustments: vec![
                adjustment("clawback", Some("Field \"AE\" 2025"), "", Some(2024)),
                adjustment("deal_changed", None, "Field AE 2025 bookings: credited amount rose", None),
                adjustment("dispute", None, "accepted", None),
            ],
            awards: Vec::new(),
            earnings_cents: 7_000,
            draw: Some(DrawSheet {
                kind: "recoverable".to_string(),
                amount_cents: 100_000,
                advanced_cents: 93_000,
                recovered_cents: 0,
                balance_after_cents: 93_000,
            }),
            payable_cents: 100_000,
        }
    }

    #[test]
    fn a_digest_reads_back_as_the_statement_it_was_made_of() {
        let sheet = sheet();
        let digest = KeptDigest::of_sheet(&sheet);
        assert_eq!(digest.components.iter().filter(|c| c.period.is_some()).count(), 4);
        assert_eq!(digest.components[4].period.as_ref().map(|p| p.lines.len()), Some(1));
        assert_eq!(digest.adjusted.len(), 2);
        assert_eq!(digest.adjusted[1].component.plan, "Field AE 2025");
        let mut windows = WindowCache::default();
        let json = serde_json::to_string(&sheet).expect("a sheet as JSON");
        let of_json = KeptDigest::of_json(&json, StatementState::Locked, &mut windows).expect("read from the JSON");
        assert_eq!(of_json, digest);
        let text = digest.to_text().expect("a digest as text");
        let of_text = KeptDigest::of_text(&text, StatementState::Locked, &mut windows).expect("read from the text");
        assert_eq!(of_text, digest);
        let credited = of_text.components[0].period.as_ref().map(|p| p.lines[1].credited);
        assert_eq!(credited.map(|c| (c.to_string(), c.scale())), Some(("3333.33".to_string(), 2)));
    }

    #[test]
    fn a_decimal_too_long_for_the_digest_leaves_the_statement_to_its_json() {
        let mut sheet = sheet();
        sheet.components[0].lines[0].credited = "123456789012345678901234.5".to_string();
        assert_eq!(KeptDigest::of_sheet(&sheet).to_text(), None);
    }
}
