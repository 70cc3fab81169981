//! Rollup cells: additive counts and sums that a fact contributes to the day it is credited to.

use crate::Money;
use crate::model::OpportunityStatus;
use chrono::NaiveDate;
use std::ops::{AddAssign, SubAssign};

/// Counts and sums for one (organisation, rep, day, product line) cell. Every field adds up, so a
/// period's tally is the sum of its days' tallies and a change is a difference of contributions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Opportunities won on this day, and the sums `KPIS.md` takes over them.
    pub won: i64,
    pub won_amount: Money,
    pub won_margin: Money,
    /// Σ (close date − creation date) in days over the won opportunities.
    pub won_cycle_days: i64,
    /// Opportunities lost on this day.
    pub lost: i64,
    /// Opportunities closed (won or lost) on this day that had reached the proposal, and of them
    /// those won: the closing ratio.
    pub closed_after_proposal: i64,
    pub won_after_proposal: i64,
    /// First appointments held on this day (the cohort A(P)), and how many of them went on to the
    /// gateway and to the proposal — credited to the day of the first appointment.
    pub first_appointments: i64,
    pub first_appointments_to_gateway: i64,
    pub first_appointments_to_proposal: i64,
}

impl AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.won += other.won;
        self.won_amount += other.won_amount;
        self.won_margin += other.won_margin;
        self.won_cycle_days += other.won_cycle_days;
        self.lost += other.lost;
        self.closed_after_proposal += other.closed_after_proposal;
        self.won_after_proposal += other.won_after_proposal;
        self.first_appointments += other.first_appointments;
        self.first_appointments_to_gateway += other.first_appointments_to_gateway;
        self.first_appointments_to_proposal += other.first_appointments_to_proposal;
    }
}

impl SubAssign for Tally {
    fn sub_assign(&mut self, other: Tally) {
        self.won -= other.won;
        self.won_amount = self.won_amount - other.won_amount;
        self.won_margin = self.won_margin - other.won_margin;
        self.won_cycle_days -= other.won_cycle_days;
        self.lost -= other.lost;
        self.closed_after_proposal -= other.closed_after_proposal;
        self.won_after_proposal -= other.won_after_proposal;
        self.first_appointments -= other.first_appointments;
        self.first_appointments_to_gateway -= other.first_appointments_to_gateway;
        self.first_appointments_to_proposal -= other.first_appointments_to_proposal;
    }
}

impl std::iter::Sum for Tally {
    fn sum<I: Iterator<Item = Tally>>(iter: I) -> Tally {
        let mut total = Tally::default();
        for tally in iter {
            total += tally;
        }
        total
    }
}

/// An opportunity as the KPIs see it: dates in the organisation's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpportunityFacts {
    pub status: OpportunityStatus,
    pub amount: Money,
    pub margin: Money,
    pub created_on: NaiveDate,
    pub first_appointment_on: Option<NaiveDate>,
    pub gateway_on: Option<NaiveDate>,
    pub proposal_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
}

impl OpportunityFacts {
    /// `KPIS.md`: it reached the gateway if `gateway_at` or `proposal_at` is set.
    pub fn reached_gateway(&self) -> bool {
        self.gateway_on.is_some() || self.proposal_on.is_some()
    }

    pub fn reached_proposal(&self) -> bool {
        self.proposal_on.is_some()
    }
}

/// The cells an opportunity adds to, by day: its close (won or lost) on the close date, its first
/// appointment on the first-appointment date. A change to an opportunity is applied as
/// `contribution(new) − contribution(old)`.
pub fn contribution(opportunity: &OpportunityFacts) -> Vec<(NaiveDate, Tally)> {
    let mut cells = Vec::with_capacity(2);
    if let Some(closed_on) = opportunity.closed_on {
        let mut tally = Tally::default();
        let after_proposal = i64::from(opportunity.reached_proposal());
        match opportunity.status {
            OpportunityStatus::Won => {
                tally.won = 1;
                tally.won_amount = opportunity.amount;
                tally.won_margin = opportunity.margin;
                tally.won_cycle_days = (closed_on - opportunity.created_on).num_days();
                tally.closed_after_proposal = after_proposal;
                tally.won_after_proposal = after_proposal;
            }
            OpportunityStatus::Lost => {
                tally.lost = 1;
                tally.closed_after_proposal = after_proposal;
            }
            OpportunityStatus::Open => {}
        }
        if tally != Tally::default() {
            cells.push((closed_on, tally));
        }
    }
    if let Some(first_appointment_on) = opportunity.first_appointment_on {
        let tally = Tally {
            first_appointments: 1,
            first_appointments_to_gateway: i64::from(opportunity.reached_gateway()),
            first_appointments_to_proposal: i64::from(opportunity.reached_proposal()),
            ..Tally::default()
        };
        cells.push((first_appointment_on, tally));
    }
    cells
}
