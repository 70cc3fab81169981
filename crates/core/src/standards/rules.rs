//! The configurable rules and the default set.

use serde::Serialize;

/// A kind of standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StandardKey {
    /// Sell the agreed quota: revenue attainment ≥ target (1.0 = 100%).
    QuotaAttainment,
    /// Estimates for every product line with a deal quota, at least target × the deal quota.
    EstimatesPerProductLine,
    /// The share of company-generated leads first touched within the follow-up window (48 hours
    /// unless set) ≥ target.
    LeadFollowUp,
    /// The share of complete contacts ≥ target.
    ContactCompleteness,
    /// No open opportunity without activity for `target` days, none past its close date.
    CrmCurrency,
    /// At least `target` sales meetings and events in the period.
    MeetingsAndEvents,
    /// Mean satisfaction score ≥ target (0–10), and no account's mean below it.
    CustomerSatisfaction,
    /// At least `target` demos a month of every product line the rep sells.
    DemosPerProductLine,
}

impl StandardKey {
    pub const ALL: [StandardKey; 8] = [
        StandardKey::QuotaAttainment,
        StandardKey::EstimatesPerProductLine,
        StandardKey::LeadFollowUp,
        StandardKey::ContactCompleteness,
        StandardKey::CrmCurrency,
        StandardKey::MeetingsAndEvents,
        StandardKey::CustomerSatisfaction,
        StandardKey::DemosPerProductLine,
    ];

    pub fn key(self) -> &'static str {
        match self {
            StandardKey::QuotaAttainment => "quota_attainment",
            StandardKey::EstimatesPerProductLine => "estimates_per_product_line",
            StandardKey::LeadFollowUp => "lead_follow_up",
            StandardKey::ContactCompleteness => "contact_completeness",
            StandardKey::CrmCurrency => "crm_currency",
            StandardKey::MeetingsAndEvents => "meetings_and_events",
            StandardKey::CustomerSatisfaction => "customer_satisfaction",
            StandardKey::DemosPerProductLine => "demos_per_product_line",
        }
    }

    /// The key of the standard's evaluation text in the catalogs (`standard.<key>`).
    pub fn text_key(self) -> &'static str {
        match self {
            StandardKey::QuotaAttainment => "standard.quota_attainment",
            StandardKey::EstimatesPerProductLine => "standard.estimates_per_product_line",
            StandardKey::LeadFollowUp => "standard.lead_follow_up",
            StandardKey::ContactCompleteness => "standard.contact_completeness",
            StandardKey::CrmCurrency => "standard.crm_currency",
            StandardKey::MeetingsAndEvents => "standard.meetings_and_events",
            StandardKey::CustomerSatisfaction => "standard.customer_satisfaction",
            StandardKey::DemosPerProductLine => "standard.demos_per_product_line",
        }
    }

    /// The largest target a rule takes (a share is at most 1, a score at most 10).
    pub fn max_target(self) -> f64 {
        match self {
            StandardKey::LeadFollowUp | StandardKey::ContactCompleteness => 1.0,
            StandardKey::QuotaAttainment => 10.0,
            StandardKey::EstimatesPerProductLine => 100.0,
            StandardKey::CrmCurrency => 365.0,
            StandardKey::MeetingsAndEvents => 1000.0,
            StandardKey::CustomerSatisfaction => 10.0,
            StandardKey::DemosPerProductLine => 100.0,
        }
    }

    fn default_target(self) -> f64 {
        match self {
            StandardKey::QuotaAttainment | StandardKey::LeadFollowUp | StandardKey::ContactCompleteness => 1.0,
            StandardKey::EstimatesPerProductLine => 3.0,
            StandardKey::CrmCurrency => 30.0,
            StandardKey::MeetingsAndEvents | StandardKey::DemosPerProductLine => 1.0,
            StandardKey::CustomerSatisfaction => 8.0,
        }
    }
}

/// One rule as an organisation configured it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StandardRule {
    pub key: StandardKey,
    pub enabled: bool,
    pub target: f64,
}

/// An organisation's standards: the default set with its own targets and switches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standards {
    pub rules: Vec<StandardRule>,
}

impl Default for Standards {
    fn default() -> Self {
        Standards {
            rules: StandardKey::ALL
                .into_iter()
                .map(|key| StandardRule { key, enabled: true, target: key.default_target() })
                .collect(),
        }
    }
}

impl Standards {
    /// The rule's target (e.g. the CRM currency's number of days).
    pub fn target(&self, key: StandardKey) -> f64 {
        self.rules.iter().find(|r| r.key == key).map_or(key.default_target(), |r| r.target)
    }

    /// Applies one setting `KEY.enabled` (`true`/`false`) or `KEY.target` (a number ≥ 0).
    pub fn set(&mut self, setting: &str, value: &str) -> Result<(), String> {
        let (key, field) =
            setting.split_once('.').ok_or_else(|| format!("'{setting}': write KEY.enabled or KEY.target"))?;
        let rule = self.rules.iter_mut().find(|r| r.key.key() == key).ok_or_else(|| {
            let keys: Vec<_> = StandardKey::ALL.iter().map(|k| k.key()).collect();
            format!("'{key}' is not a standard: use one of {}", keys.join(", "))
        })?;
        match field {
            "enabled" => {
                rule.enabled = value.parse().map_err(|_| format!("{setting} = '{value}': write true or false"))?;
            }
            "target" => {
                rule.target = value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|t| t.is_finite() && *t >= 0.0)
                    .ok_or_else(|| format!("{setting} = '{value}': give a number of 0 or more"))?;
            }
            _ => return Err(format!("'{setting}': write {key}.enabled or {key}.target")),
        }
        Ok(())
    }
}
