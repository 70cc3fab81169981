//! Diagnostics (`KPIS.md`: diagnostics): which flags a scorecard raises against the organisation's
//! thresholds, and for each its likely causes and prescription in every supported language (the
//! `flag.<key>.*` texts of the language catalogs).

mod thresholds;

pub use thresholds::{SettingError, Thresholds};

use crate::Lang;
use serde::Serialize;
use std::sync::OnceLock;

/// Something a manager should look at, with the figure that raised it and the threshold it was held
/// against (ratios as shares, the barometer in %).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub actual: f64,
    pub threshold: f64,
}

/// The flags of `KPIS.md`, in the order of its diagnostics table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    FirstAppointmentToNextStepLow,
    FirstAppointmentToProposalLow,
    ClosingRatioLow,
    BarometerLow,
    RevenuePerSaleBelowPeers,
    CycleShorterThanPeers,
    BehindPlan,
    TopLevelContactShareLow,
    ConversationToAppointmentLow,
}

impl FlagKind {
    pub const ALL: [FlagKind; 9] = [
        FlagKind::FirstAppointmentToNextStepLow,
        FlagKind::FirstAppointmentToProposalLow,
        FlagKind::ClosingRatioLow,
        FlagKind::BarometerLow,
        FlagKind::RevenuePerSaleBelowPeers,
        FlagKind::CycleShorterThanPeers,
        FlagKind::BehindPlan,
        FlagKind::TopLevelContactShareLow,
        FlagKind::ConversationToAppointmentLow,
    ];

    /// The stable snake_case key (as in the JSON report and the translation keys).
    pub const fn key(self) -> &'static str {
        match self {
            FlagKind::FirstAppointmentToNextStepLow => "first_appointment_to_next_step_low",
            FlagKind::FirstAppointmentToProposalLow => "first_appointment_to_proposal_low",
            FlagKind::ClosingRatioLow => "closing_ratio_low",
            FlagKind::BarometerLow => "barometer_low",
            FlagKind::RevenuePerSaleBelowPeers => "revenue_per_sale_below_peers",
            FlagKind::CycleShorterThanPeers => "cycle_shorter_than_peers",
            FlagKind::BehindPlan => "behind_plan",
            FlagKind::TopLevelContactShareLow => "top_level_contact_share_low",
            FlagKind::ConversationToAppointmentLow => "conversation_to_appointment_low",
        }
    }

    /// A best practice to share rather than a problem to fix.
    pub fn is_best_practice(self) -> bool {
        self == FlagKind::CycleShorterThanPeers
    }

    /// What the flag means in `lang`: each language's diagnoses are looked up once, as every flag
    /// of every card shows one.
    pub fn diagnosis(self, lang: Lang) -> Diagnosis {
        static LOOKED_UP: OnceLock<Vec<[Diagnosis; FlagKind::ALL.len()]>> = OnceLock::new();
        let all =
            LOOKED_UP.get_or_init(|| Lang::all().map(|lang| FlagKind::ALL.map(|kind| kind.look_up(lang))).collect());
        let place = FlagKind::ALL.iter().position(|kind| *kind == self);
        all.get(lang.index()).zip(place).map_or_else(|| self.look_up(lang), |(diagnoses, place)| diagnoses[place])
    }

    fn look_up(self, lang: Lang) -> Diagnosis {
        let key = self.key();
        Diagnosis {
            title: lang.t(&format!("flag.{key}.title")),
            causes: lang.list(&format!("flag.{key}.causes")),
            prescriptions: lang.list(&format!("flag.{key}.prescriptions")),
        }
    }
}

/// What a flag means, why it happens and what to do, in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub title: &'static str,
    pub causes: &'static [String],
    pub prescriptions: &'static [String],
}

/// The figures a flag is raised from; `None` where the figure is undefined (an undefined ratio
/// raises nothing).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FlagInputs {
    pub first_appointment_to_next_step: Option<f64>,
    pub first_appointment_to_proposal: Option<f64>,
    pub closing_ratio: Option<f64>,
    pub barometer_pct: Option<f64>,
    /// The rep's relative difference to peers (−0.4 = 40% below).
    pub revenue_per_sale_vs_peers: Option<f64>,
    pub cycle_days_vs_peers: Option<f64>,
    /// Revenue so far ÷ the quota prorated to the days elapsed.
    pub pace: Option<f64>,
    /// First appointments with a top-level contact ÷ first appointments.
    pub top_level_contact_share: Option<f64>,
    /// Appointments set ÷ conversations.
    pub conversation_to_appointment: Option<f64>,
}

/// The flags `inputs` raise against `thresholds`.
pub fn flags(inputs: &FlagInputs, thresholds: &Thresholds) -> Vec<Flag> {
    let below = |kind, actual: Option<f64>, threshold: f64| {
        actual.filter(|a| *a < threshold).map(|actual| Flag { kind, actual, threshold })
    };
    let at_or_below = |kind, actual: Option<f64>, threshold: f64| {
        actual.filter(|a| *a <= threshold + 1e-12).map(|actual| Flag { kind, actual, threshold })
    };
    [
        below(
            FlagKind::FirstAppointmentToNextStepLow,
            inputs.first_appointment_to_next_step,
            thresholds.first_appointment_to_next_step,
        ),
        below(
            FlagKind::FirstAppointmentToProposalLow,
            inputs.first_appointment_to_proposal,
            thresholds.first_appointment_to_proposal,
        ),
        below(FlagKind::ClosingRatioLow, inputs.closing_ratio, thresholds.closing_ratio),
        below(FlagKind::BarometerLow, inputs.barometer_pct, thresholds.barometer_pct),
        at_or_below(
            FlagKind::RevenuePerSaleBelowPeers,
            inputs.revenue_per_sale_vs_peers,
            -thresholds.revenue_per_sale_below_peers,
        ),
        at_or_below(FlagKind::CycleShorterThanPeers, inputs.cycle_days_vs_peers, -thresholds.cycle_shorter_than_peers),
        below(FlagKind::BehindPlan, inputs.pace, 1.0),
        below(FlagKind::TopLevelContactShareLow, inputs.top_level_contact_share, thresholds.top_level_contact_share),
        below(
            FlagKind::ConversationToAppointmentLow,
            inputs.conversation_to_appointment,
            thresholds.conversation_to_appointment,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests;
