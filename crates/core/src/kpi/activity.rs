//! Activity KPIs (`KPIS.md`: activity) from a period's tally.

use super::{Tally, ratio};
use crate::model::ActivityType;
use serde::Serialize;

/// Activities by type, conversations, and how many conversations turned into appointments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub cold_calls: i64,
    pub call_backs: i64,
    pub emails: i64,
    pub appointments: i64,
    pub field_visits: i64,
    pub demos: i64,
    pub meetings: i64,
    pub events: i64,
    /// Calls (cold call, call-back) with outcome connected or appointment set.
    pub conversations: i64,
    /// Activities with outcome appointment set.
    pub appointments_set: i64,
    /// appointments set ÷ conversations.
    pub conversation_to_appointment: Option<f64>,
}

impl Activity {
    pub fn of(tally: &Tally) -> Activity {
        Activity {
            cold_calls: tally.activities(ActivityType::ColdCall),
            call_backs: tally.activities(ActivityType::CallBack),
            emails: tally.activities(ActivityType::Email),
            appointments: tally.activities(ActivityType::Appointment),
            field_visits: tally.activities(ActivityType::FieldVisit),
            demos: tally.activities(ActivityType::Demo),
            meetings: tally.activities(ActivityType::Meeting),
            events: tally.activities(ActivityType::Event),
            conversations: tally.conversations,
            appointments_set: tally.appointments_set,
            conversation_to_appointment: ratio(tally.appointments_set, tally.conversations),
        }
    }
}
