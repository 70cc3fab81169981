//! An organisation's settings, typed: the diagnostics' thresholds, the standards (enabled, target)
//! and the method's parameters, each with the default of `KPIS.md`. They are stored as text under
//! a key (`threshold.closing_ratio`, `standard.crm_currency.target`, `method.lead_follow_up_hours`)
//! and read back through [`Settings::apply`], which refuses a value by code the way every interface
//! shows it.

use crate::diagnostics::Thresholds;
use crate::input::Refusals;
use crate::refusal::{Code, Refusal};
use crate::standards::{StandardKey, Standards};
use serde::Serialize;
use std::sync::OnceLock;

/// The method's parameters: the windows, cut-offs and counts `KPIS.md` writes as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Method {
    /// A company lead is followed up in time when first touched within this many hours (48).
    pub lead_follow_up_hours: i64,
    /// A contact is untouched when their last activity is more than this many days old (90).
    pub untouched_after_days: i64,
    /// A first appointment is at the top when its contact's authority level is at least this (4).
    pub top_level_authority: i64,
    /// A rep's own trailing rates count from this many closed deals; below, the team's (5).
    pub min_closed_deals_for_own_rates: i64,
    /// The working days of a week: the daily activity goals divide the weekly ones by it (5).
    pub working_days_per_week: i64,
    /// A forecast submission not updated for this many days is stale (7).
    pub forecast_stale_after_days: i64,
}

impl Default for Method {
    fn default() -> Self {
        Method {
            lead_follow_up_hours: crate::kpi::LEAD_FOLLOW_UP_HOURS,
            untouched_after_days: crate::coaching::UNTOUCHED_AFTER_DAYS,
            top_level_authority: 4,
            min_closed_deals_for_own_rates: crate::kpi::MIN_CLOSED_DEALS_FOR_OWN_RATES,
            working_days_per_week: 5,
            forecast_stale_after_days: 7,
        }
    }
}

impl Method {
    /// The parameters, their bounds, and whether the rollups must be rebuilt when one changes
    /// (the rollup cells hold what the follow-up window and the authority cut-off decided).
    const PARAMETERS: [(&'static str, i64, i64, bool); 6] = [
        ("lead_follow_up_hours", 1, 24 * 30, true),
        ("untouched_after_days", 1, 730, false),
        ("top_level_authority", 1, 5, true),
        ("min_closed_deals_for_own_rates", 1, 1000, false),
        ("working_days_per_week", 1, 7, false),
        ("forecast_stale_after_days", 1, 90, false),
    ];

    fn slot_mut(&mut self, key: &str) -> Option<&mut i64> {
        Some(match key {
            "lead_follow_up_hours" => &mut self.lead_follow_up_hours,
            "untouched_after_days" => &mut self.untouched_after_days,
            "top_level_authority" => &mut self.top_level_authority,
            "min_closed_deals_for_own_rates" => &mut self.min_closed_deals_for_own_rates,
            "working_days_per_week" => &mut self.working_days_per_week,
            "forecast_stale_after_days" => &mut self.forecast_stale_after_days,
            _ => return None,
        })
    }

    /// What the rollup cells depend on: a change to these means a rebuild.
    pub fn rollup_parameters(&self) -> RollupParameters {
        RollupParameters {
            lead_follow_up_hours: self.lead_follow_up_hours,
            top_level_authority: self.top_level_authority,
        }
    }
}

/// The parameters baked into the rollup cells' contributions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollupParameters {
    pub lead_follow_up_hours: i64,
    pub top_level_authority: i64,
}

impl Default for RollupParameters {
    fn default() -> Self {
        Method::default().rollup_parameters()
    }
}

/// Everything an organisation configures about the method.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Settings {
    pub thresholds: Thresholds,
    pub standards: Standards,
    pub method: Method,
}

/// How a setting is written and bounded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    /// A number from `min` to `max` (a share is 0–1: 0.65 = 65%).
    Number { min: f64, max: f64 },
    /// A whole number from `min` to `max`.
    Whole { min: i64, max: i64 },
    /// On or off.
    Switch,
}

/// Which part of the settings a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Threshold,
    Standard,
    Method,
}

/// One setting: its key, what it holds, and whether changing it rebuilds the rollups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spec {
    pub key: &'static str,
    pub group: Group,
    pub kind: Kind,
    pub rebuilds_rollups: bool,
}

/// Every setting, in the order the settings page and the API list them.
pub fn specs() -> &'static [Spec] {
    static SPECS: OnceLock<Vec<Spec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        // The keys are built once per process and live as long as it: a refusal names its field
        // with a `&'static str`.
        let leak = |text: String| -> &'static str { text.leak() };
        let mut specs = Vec::new();
        for key in Thresholds::KEYS {
            specs.push(Spec {
                key: leak(format!("threshold.{key}")),
                group: Group::Threshold,
                kind: Kind::Number { min: 0.0, max: Thresholds::max(key) },
                rebuilds_rollups: false,
            });
        }
        for key in StandardKey::ALL {
            let rule = key.key();
            specs.push(Spec {
                key: leak(format!("standard.{rule}.enabled")),
                group: Group::Standard,
                kind: Kind::Switch,
                rebuilds_rollups: false,
            });
            specs.push(Spec {
                key: leak(format!("standard.{rule}.target")),
                group: Group::Standard,
                kind: Kind::Number { min: 0.0, max: key.max_target() },
                rebuilds_rollups: false,
            });
        }
        for (key, min, max, rebuilds_rollups) in Method::PARAMETERS {
            specs.push(Spec {
                key: leak(format!("method.{key}")),
                group: Group::Method,
                kind: Kind::Whole { min, max },
                rebuilds_rollups,
            });
        }
        specs
    })
}

/// The spec of `key`, if it is a setting.
pub fn spec(key: &str) -> Option<&'static Spec> {
    specs().iter().find(|spec| spec.key == key)
}

/// A setting's value, typed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SettingValue {
    Number(f64),
    Whole(i64),
    Switch(bool),
}

impl SettingValue {
    /// The value as it is stored and shown: `0.65`, `48`, `true`.
    pub fn to_text(self) -> String {
        match self {
            SettingValue::Number(n) => format!("{n}"),
            SettingValue::Whole(n) => n.to_string(),
            SettingValue::Switch(b) => b.to_string(),
        }
    }
}

impl Spec {
    /// Reads `text` as this setting's value, or refuses it by code.
    pub fn read(&self, text: &str) -> Result<SettingValue, Refusal> {
        let text = text.trim();
        match self.kind {
            Kind::Number { min, max } => {
                let value: f64 =
                    text.parse().ok().filter(|n: &f64| n.is_finite()).ok_or(Refusal::new(self.key, Code::Number))?;
                if (min..=max).contains(&value) {
                    Ok(SettingValue::Number(value))
                } else {
                    Err(Refusal::new(self.key, Code::ValueOutOfRange)
                        .text("min", format!("{min}"))
                        .text("max", format!("{max}")))
                }
            }
            Kind::Whole { min, max } => {
                let value: i64 = text.parse().map_err(|_| Refusal::new(self.key, Code::WholeNumber))?;
                if (min..=max).contains(&value) {
                    Ok(SettingValue::Whole(value))
                } else {
                    Err(Refusal::new(self.key, Code::NumberOutOfRange).count("min", min).count("max", max))
                }
            }
            Kind::Switch => match text {
                "true" | "on" | "1" => Ok(SettingValue::Switch(true)),
                "false" | "off" | "0" => Ok(SettingValue::Switch(false)),
                _ => Err(Refusal::new(self.key, Code::Boolean)),
            },
        }
    }
}

impl Settings {
    /// The current value of `key`; `None` when it is not a setting.
    pub fn value(&self, key: &str) -> Option<SettingValue> {
        // Both are `Copy`: their one accessor serves reading on a copy.
        let (mut thresholds, mut method) = (self.thresholds, self.method);
        if let Some(threshold) = key.strip_prefix("threshold.") {
            return thresholds.slot_mut(threshold).map(|slot| SettingValue::Number(*slot));
        }
        if let Some(parameter) = key.strip_prefix("method.") {
            return method.slot_mut(parameter).map(|slot| SettingValue::Whole(*slot));
        }
        let (rule, field) = key.strip_prefix("standard.")?.rsplit_once('.')?;
        let rule = self.standards.rules.iter().find(|r| r.key.key() == rule)?;
        match field {
            "enabled" => Some(SettingValue::Switch(rule.enabled)),
            "target" => Some(SettingValue::Number(rule.target)),
            _ => None,
        }
    }

    /// Sets `key` to `text`, or refuses: an unknown key, a value of the wrong type or out of range.
    pub fn apply(&mut self, key: &str, text: &str) -> Result<(), Refusal> {
        let spec = spec(key).ok_or_else(|| Refusal::new("key", Code::UnknownSetting).text("key", key))?;
        let value = spec.read(text)?;
        match (spec.group, value) {
            (Group::Threshold, SettingValue::Number(n)) => {
                if let Some(slot) = self.thresholds.slot_mut(&key["threshold.".len()..]) {
                    *slot = n;
                }
            }
            (Group::Method, SettingValue::Whole(n)) => {
                if let Some(slot) = self.method.slot_mut(&key["method.".len()..]) {
                    *slot = n;
                }
            }
            (Group::Standard, _) => {
                self.standards
                    .set(&key["standard.".len()..], &value.to_text())
                    .map_err(|_| Refusal::new(spec.key, Code::UnknownSetting).text("key", key))?;
            }
            _ => return Err(Refusal::new(spec.key, Code::UnknownSetting).text("key", key)),
        }
        Ok(())
    }

    /// Applies every `(key, value)` or none: all the refusals at once.
    pub fn apply_all<'a>(&mut self, changes: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<(), Vec<Refusal>> {
        let mut changed = self.clone();
        let mut refusals = Refusals::new();
        for (key, value) in changes {
            refusals.take(changed.apply(key, value));
        }
        refusals.finish()?;
        *self = changed;
        Ok(())
    }

    /// Every setting with its current value as text, in the order of [`specs`].
    pub fn entries(&self) -> Vec<(&'static Spec, String)> {
        specs().iter().filter_map(|spec| Some((spec, self.value(spec.key)?.to_text()))).collect()
    }

    /// Whether going from `self` to `other` changes what the rollup cells hold.
    pub fn rollups_differ(&self, other: &Settings) -> bool {
        self.method.rollup_parameters() != other.method.rollup_parameters()
    }
}

#[cfg(test)]
mod tests;
