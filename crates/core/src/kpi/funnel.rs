//! Funnel KPIs (`KPIS.md`: funnel) from a period's tally.

use super::{Tally, ratio};

/// The first-appointment cohort's progress, and the closing ratio.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Funnel {
    /// |A(P)|: first appointments held in the period.
    pub new_first_appointments: i64,
    /// Of A(P), the share that reached the gateway (the agreed next step).
    pub first_appointment_to_next_step: Option<f64>,
    /// Of A(P), the share that reached the proposal.
    pub first_appointment_to_proposal: Option<f64>,
    /// Of the opportunities closed in the period that reached the proposal, the share won.
    pub closing_ratio: Option<f64>,
}

impl Funnel {
    pub fn of(tally: &Tally) -> Funnel {
        Funnel {
            new_first_appointments: tally.first_appointments,
            first_appointment_to_next_step: ratio(tally.first_appointments_to_gateway, tally.first_appointments),
            first_appointment_to_proposal: ratio(tally.first_appointments_to_proposal, tally.first_appointments),
            closing_ratio: ratio(tally.won_after_proposal, tally.closed_after_proposal),
        }
    }
}
