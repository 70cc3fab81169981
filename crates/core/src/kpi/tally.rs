//! Rollup cells: additive counts and sums that a fact contributes to the day it is credited to.

use super::pipeline::weighted_amount;
use crate::model::{ActivityOutcome, ActivityType, LeadSource, OpportunityStatus};
use chrono::{DateTime, NaiveDate, Utc};
use std::ops::{AddAssign, SubAssign};

/// Declares [`Tally`] once: the struct, its column names (the store keeps one column per field),
/// and the arithmetic, so a new measure is one line here.
macro_rules! tally {
    ($( $(#[$doc:meta])* $field:ident ),* $(,)?) => {
        /// Counts and sums for one (organisation, rep, day, product line) cell. Every field adds up,
        /// so a period's tally is the sum of its days' tallies and a change is a difference of
        /// contributions. Money fields are in cents.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct Tally {
            $( $(#[$doc])* pub $field: i64, )*
        }

        impl Tally {
            /// The field names, in declaration order: the rollup table's value columns.
            pub const FIELDS: &'static [&'static str] = &[$( stringify!($field) ),*];

            /// The values in the order of [`Tally::FIELDS`].
            pub fn values(&self) -> Vec<i64> {
                vec![$( self.$field ),*]
            }

            /// A tally from values in the order of [`Tally::FIELDS`]; missing values are 0.
            pub fn from_values(values: &[i64]) -> Tally {
                let mut values = values.iter().copied();
                Tally { $( $field: values.next().unwrap_or(0), )* }
            }

            pub fn is_zero(&self) -> bool {
                *self == Tally::default()
            }
        }

        impl AddAssign for Tally {
            fn add_assign(&mut self, other: Tally) {
                $( self.$field += other.$field; )*
            }
        }

        impl SubAssign for Tally {
            fn sub_assign(&mut self, other: Tally) {
                $( self.$field -= other.$field; )*
            }
        }
    };
}

tally! {
    /// Opportunities won on this day, and the sums `KPIS.md` takes over them.
    won,
    won_amount,
    won_margin,
    /// Σ (close date − creation date) in days over the won opportunities.
    won_cycle_days,
    /// Opportunities lost on this day.
    lost,
    /// Opportunities closed (won or lost) on this day that had reached the proposal, and of them
    /// those won: the closing ratio.
    closed_after_proposal,
    won_after_proposal,
    /// Opportunities closed (won or lost) on this day that had reached the gateway, and of them
    /// those won: gateway → won.
    closed_after_gateway,
    won_after_gateway,
    /// First appointments held on this day (the cohort A(P)), and how many of them went on to the
    /// gateway and to the proposal, credited to the day of the first appointment.
    first_appointments,
    first_appointments_to_gateway,
    first_appointments_to_proposal,
    /// Of those first appointments, the ones held with a contact of authority level 4 or 5.
    first_appointments_top_level,
    /// Activities held on this day, by type.
    cold_calls,
    call_backs,
    emails,
    appointments,
    field_visits,
    demos,
    meetings,
    events,
    /// Calls (cold call, call-back) that connected or set an appointment.
    conversations,
    /// Activities whose outcome was an appointment set.
    appointments_set,
    /// Estimates issued on this day.
    estimates,
    /// Company-generated leads created on this day; of them, those first touched within 48 hours,
    /// and those never touched.
    company_leads,
    company_leads_touched_in_time,
    company_leads_untouched,
    /// Standing facts (not dated): the contacts of the rep's accounts, and those complete (name,
    /// address, phone and email all filled).
    contacts,
    complete_contacts,
    /// Open opportunities, filed by the day of their last activity and by their expected close
    /// (`open_contribution`): CRM currency counts those before a day. Filed at the 'state' grain
    /// too, they are the open pipeline now.
    open_opportunities,
    /// The open opportunities' amounts, and each weighted by its stage's probability (rounded to
    /// the cent per opportunity, `weighted_amount`): the open pipeline now, and (by expected
    /// close) the part of it due by a day.
    open_amount,
    open_weighted,
}

impl Tally {
    /// The count of activities of `kind`.
    pub fn activities(&self, kind: ActivityType) -> i64 {
        match kind {
            ActivityType::ColdCall => self.cold_calls,
            ActivityType::CallBack => self.call_backs,
            ActivityType::Email => self.emails,
            ActivityType::Appointment => self.appointments,
            ActivityType::FieldVisit => self.field_visits,
            ActivityType::Demo => self.demos,
            ActivityType::Meeting => self.meetings,
            ActivityType::Event => self.events,
        }
    }

    fn activities_mut(&mut self, kind: ActivityType) -> &mut i64 {
        match kind {
            ActivityType::ColdCall => &mut self.cold_calls,
            ActivityType::CallBack => &mut self.call_backs,
            ActivityType::Email => &mut self.emails,
            ActivityType::Appointment => &mut self.appointments,
            ActivityType::FieldVisit => &mut self.field_visits,
            ActivityType::Demo => &mut self.demos,
            ActivityType::Meeting => &mut self.meetings,
            ActivityType::Event => &mut self.events,
        }
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

/// An opportunity as the KPIs see it: dates in the organisation's time zone, money in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpportunityFacts {
    pub status: OpportunityStatus,
    pub amount: crate::Money,
    pub margin: crate::Money,
    pub created_on: NaiveDate,
    pub first_appointment_on: Option<NaiveDate>,
    pub gateway_on: Option<NaiveDate>,
    pub proposal_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// Whether the first appointment was with a contact of authority level 4 or 5.
    pub first_appointment_top_level: bool,
    pub expected_close_on: Option<NaiveDate>,
    /// The day of its latest activity, if it has any.
    pub last_activity_on: Option<NaiveDate>,
    /// The probability of the stage it is at now, in basis points: what its amount is weighted by
    /// while it is open.
    pub probability_bp: u32,
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
        let after_gateway = i64::from(opportunity.reached_gateway());
        match opportunity.status {
            OpportunityStatus::Won => {
                tally.won = 1;
                tally.won_amount = opportunity.amount.cents();
                tally.won_margin = opportunity.margin.cents();
                tally.won_cycle_days = (closed_on - opportunity.created_on).num_days();
                tally.closed_after_proposal = after_proposal;
                tally.won_after_proposal = after_proposal;
                tally.closed_after_gateway = after_gateway;
                tally.won_after_gateway = after_gateway;
            }
            OpportunityStatus::Lost => {
                tally.lost = 1;
                tally.closed_after_proposal = after_proposal;
                tally.closed_after_gateway = after_gateway;
            }
            OpportunityStatus::Open => {}
        }
        if !tally.is_zero() {
            cells.push((closed_on, tally));
        }
    }
    if let Some(first_appointment_on) = opportunity.first_appointment_on {
        let tally = Tally {
            first_appointments: 1,
            first_appointments_to_gateway: i64::from(opportunity.reached_gateway()),
            first_appointments_to_proposal: i64::from(opportunity.reached_proposal()),
            first_appointments_top_level: i64::from(opportunity.first_appointment_top_level),
            ..Tally::default()
        };
        cells.push((first_appointment_on, tally));
    }
    cells
}

/// Where an open opportunity stands, for CRM currency (`KPIS.md`): counted once by the day of its
/// last activity (`None`: it has none) and once by its expected close day (`None`: it has none,
/// and is never past due). A closed opportunity stands nowhere. `tally` is what it adds to the
/// open pipeline now: itself, its amount and its weighted amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenStanding {
    pub last_activity_on: Option<NaiveDate>,
    pub expected_close_on: Option<NaiveDate>,
    pub tally: Tally,
}

impl OpenStanding {
    /// What it adds under the day of its last activity: itself (stale as of a later day).
    pub fn by_last_activity(&self) -> Tally {
        Tally { open_opportunities: self.tally.open_opportunities, ..Tally::default() }
    }

    /// What it adds under its expected close day: itself (past due after it) and its amount (due
    /// by a later day). Not its weighted amount, so that a stage move changes one cell of it, the
    /// pipeline's.
    pub fn by_expected_close(&self) -> Tally {
        Tally {
            open_opportunities: self.tally.open_opportunities,
            open_amount: self.tally.open_amount,
            ..Tally::default()
        }
    }
}

/// The open opportunity's standing: an opportunity without an activity since a day is stale as
/// of it, one expected to close before a day is past due on it; both are sums of these cells
/// over the days before.
pub fn open_contribution(opportunity: &OpportunityFacts) -> Option<OpenStanding> {
    (opportunity.status == OpportunityStatus::Open).then_some(OpenStanding {
        last_activity_on: opportunity.last_activity_on,
        expected_close_on: opportunity.expected_close_on,
        tally: Tally {
            open_opportunities: 1,
            open_amount: opportunity.amount.cents(),
            open_weighted: weighted_amount(opportunity.amount, opportunity.probability_bp).cents(),
            ..Tally::default()
        },
    })
}

/// What an activity adds to the day it was held on.
pub fn activity_contribution(kind: ActivityType, outcome: Option<ActivityOutcome>) -> Tally {
    let mut tally = Tally::default();
    *tally.activities_mut(kind) = 1;
    let is_call = matches!(kind, ActivityType::ColdCall | ActivityType::CallBack);
    let reached = matches!(outcome, Some(ActivityOutcome::Connected | ActivityOutcome::AppointmentSet));
    tally.conversations = i64::from(is_call && reached);
    tally.appointments_set = i64::from(outcome == Some(ActivityOutcome::AppointmentSet));
    tally
}

/// What a demo held on an opportunity of a product line adds to that line's demos of the day it was
/// held on (the standard of demos per product line), beside what it adds as an activity.
pub fn line_demo_contribution() -> Tally {
    Tally { demos: 1, ..Tally::default() }
}

/// What an estimate adds to the day it was issued on (in its product line's cell).
pub fn estimate_contribution() -> Tally {
    Tally { estimates: 1, ..Tally::default() }
}

/// What a contact adds to its account owner's standing facts.
pub fn contact_contribution(complete: bool) -> Tally {
    Tally { contacts: 1, complete_contacts: i64::from(complete), ..Tally::default() }
}

/// `KPIS.md` (lead follow-up): a company-generated lead is followed up in time when first touched
/// within 48 hours of its creation — the default of the setting `method.lead_follow_up_hours`.
pub const LEAD_FOLLOW_UP_HOURS: i64 = 48;

/// What a lead adds to the day it was created on: only company-generated leads count, in time
/// when first touched within `follow_up_hours` of its creation.
pub fn lead_contribution(
    source: LeadSource,
    created_at: DateTime<Utc>,
    first_touch_at: Option<DateTime<Utc>>,
    follow_up_hours: i64,
) -> Tally {
    if source != LeadSource::Company {
        return Tally::default();
    }
    let in_time = first_touch_at.is_some_and(|t| (t - created_at).num_seconds() <= follow_up_hours * 3600);
    Tally {
        company_leads: 1,
        company_leads_touched_in_time: i64::from(in_time),
        company_leads_untouched: i64::from(first_touch_at.is_none()),
        ..Tally::default()
    }
}
