//! A 1:1 freezes the rep's headline KPIs and flags; the next one starts from the change in each KPI.

use crate::kpi::Scorecard;
use serde::{Deserialize, Serialize};

crate::keyed_enum! {
    /// Who owns an action agreed in a 1:1: the rep, or the manager who holds the 1:1.
    ActionOwner {
        Rep => "rep",
        Manager => "manager",
    }
}

/// The headline KPIs of a scorecard at one moment, by key, and the flags raised. Money is in cents,
/// ratios are fractions (0.25 = 25%), the barometer is in percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Snapshot {
    pub kpis: Vec<(String, Option<f64>)>,
    pub flags: Vec<String>,
}

impl Snapshot {
    /// The KPIs a 1:1 follows, in the order they are shown.
    pub const KEYS: [&'static str; 14] = [
        "revenue",
        "attainment_revenue",
        "deals",
        "win_rate",
        "average_revenue_per_sale",
        "median_cycle_days",
        "new_first_appointments",
        "first_appointment_to_next_step",
        "first_appointment_to_proposal",
        "closing_ratio",
        "conversations",
        "conversation_to_appointment",
        "pipeline_coverage",
        "barometer_pct",
    ];

    pub fn of(card: &Scorecard) -> Snapshot {
        let values: [Option<f64>; 14] = [
            Some(card.outcome.revenue.cents() as f64),
            card.attainment.revenue,
            Some(card.outcome.deals as f64),
            card.outcome.win_rate,
            card.outcome.average_revenue_per_sale,
            card.median_cycle_days,
            Some(card.funnel.new_first_appointments as f64),
            card.funnel.first_appointment_to_next_step,
            card.funnel.first_appointment_to_proposal,
            card.funnel.closing_ratio,
            Some(card.activity.conversations as f64),
            card.activity.conversation_to_appointment,
            card.pipeline.coverage,
            card.barometer_pct,
        ];
        Snapshot {
            kpis: Snapshot::KEYS.iter().zip(values).map(|(k, v)| (k.to_string(), v)).collect(),
            flags: card.flags.iter().map(|f| f.kind.key().to_string()).collect(),
        }
    }

    pub fn get(&self, key: &str) -> Option<f64> {
        self.kpis.iter().find(|(k, _)| k == key).and_then(|(_, v)| *v)
    }
}

/// A KPI then and now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiChange {
    pub key: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// after − before; `None` when either is undefined.
    pub change: Option<f64>,
}

/// Each KPI of `after`, with its value in `before` and the change.
pub fn changes(before: &Snapshot, after: &Snapshot) -> Vec<KpiChange> {
    after
        .kpis
        .iter()
        .map(|(key, now)| {
            let then = before.get(key);
            KpiChange { key: key.clone(), before: then, after: *now, change: then.zip(*now).map(|(b, a)| a - b) }
        })
        .collect()
}
