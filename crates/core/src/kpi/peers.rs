//! A rep against their peers (`KPIS.md`: peers): the other reps of the same team, pooled.

use super::{Funnel, Outcome, Tally};
use serde::Serialize;

/// The peers' pooled figures and the rep's difference to them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerComparison {
    /// Peers' average revenue per sale, in cents, and the rep's relative difference to it
    /// (−0.4 = 40% below).
    pub peers_average_revenue_per_sale_cents: Option<f64>,
    pub average_revenue_per_sale_vs_peers: Option<f64>,
    /// Peers' mean sales-cycle days, and the rep's relative difference (−0.3 = 30% shorter).
    pub peers_mean_cycle_days: Option<f64>,
    pub cycle_days_vs_peers: Option<f64>,
    /// Funnel ratios: rep minus peers, in percentage points.
    pub first_appointment_to_next_step_points: Option<f64>,
    pub first_appointment_to_proposal_points: Option<f64>,
    pub closing_ratio_points: Option<f64>,
}

impl PeerComparison {
    pub fn of(rep: &Tally, peers: &Tally) -> PeerComparison {
        let (rep_outcome, peer_outcome) = (Outcome::of(rep), Outcome::of(peers));
        let (rep_funnel, peer_funnel) = (Funnel::of(rep), Funnel::of(peers));
        let points = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| (a - b) * 100.0);
        PeerComparison {
            peers_average_revenue_per_sale_cents: peer_outcome.average_revenue_per_sale,
            average_revenue_per_sale_vs_peers: relative(
                rep_outcome.average_revenue_per_sale,
                peer_outcome.average_revenue_per_sale,
            ),
            peers_mean_cycle_days: peer_outcome.mean_cycle_days,
            cycle_days_vs_peers: relative(rep_outcome.mean_cycle_days, peer_outcome.mean_cycle_days),
            first_appointment_to_next_step_points: points(
                rep_funnel.first_appointment_to_next_step,
                peer_funnel.first_appointment_to_next_step,
            ),
            first_appointment_to_proposal_points: points(
                rep_funnel.first_appointment_to_proposal,
                peer_funnel.first_appointment_to_proposal,
            ),
            closing_ratio_points: points(rep_funnel.closing_ratio, peer_funnel.closing_ratio),
        }
    }
}

/// `value ÷ reference − 1`, undefined when either is undefined or the reference is 0.
fn relative(value: Option<f64>, reference: Option<f64>) -> Option<f64> {
    let (value, reference) = value.zip(reference)?;
    (reference != 0.0).then(|| value / reference - 1.0)
}
