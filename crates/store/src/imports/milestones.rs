//! From the dates a deal entered its stages to the method's milestones, for exports that give
//! those dates per deal (HubSpot's "Date entered" columns, Pipedrive's last stage change).

use super::stages::{Resolved, Resolver};
use chrono::NaiveDateTime;
use quotient_core::model::StageOutcome;

/// A deal's milestones and the stage changes to record.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Milestones {
    pub first_appointment_at: Option<NaiveDateTime>,
    pub gateway_at: Option<NaiveDateTime>,
    pub gateway_type: Option<String>,
    pub proposal_at: Option<NaiveDateTime>,
    /// (organisation's stage key, when), in time order, ending with a closed deal's outcome.
    pub changes: Vec<(String, NaiveDateTime)>,
}

/// Derives the milestones of a deal created at `created` from the `(stage, entered at)` of the
/// stages it went through: each milestone is dated by the earliest open stage that counts as
/// having reached it ([`Resolver::reached`]); the gateway type is the gateway stage's. Dates
/// before `created` (the export's time zone) are moved to `created`. A closed deal's changes end
/// with its outcome at `closed`, and leave out stages entered after it.
pub fn derive(
    resolver: &Resolver,
    created: NaiveDateTime,
    entered: &[(&Resolved, NaiveDateTime)],
    closed: Option<(&Resolved, NaiveDateTime)>,
) -> Milestones {
    let mut open: Vec<(&Resolved, NaiveDateTime)> = entered
        .iter()
        .filter(|(stage, at)| stage.outcome == StageOutcome::Open && closed.is_none_or(|(_, end)| *at <= end))
        .map(|(stage, at)| (*stage, (*at).max(created)))
        .collect();
    open.sort_by_key(|(stage, at)| (*at, stage.position));
    let mut milestones = Milestones::default();
    for (stage, at) in &open {
        let reached = resolver.reached(stage);
        let slots = [&mut milestones.first_appointment_at, &mut milestones.gateway_at, &mut milestones.proposal_at];
        for (slot, reached) in slots.into_iter().zip(reached) {
            if reached && slot.is_none() {
                *slot = Some(*at);
            }
        }
        if stage.gateway_type.is_some() && milestones.gateway_type.is_none() {
            milestones.gateway_type = stage.gateway_type.clone();
        }
        milestones.changes.push((stage.stage.clone(), *at));
    }
    if let Some((outcome, at)) = closed {
        milestones.changes.push((outcome.stage.clone(), at.max(created)));
    }
    milestones
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::stages::{StageMapping, VendorStage};
    use crate::orgs::{PipelineKeys, StageKey};
    use quotient_core::model::{DEFAULT_GATEWAY_TYPES, DEFAULT_STAGES};

    fn at(day: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2024, 3, day).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("valid")
    }

    #[test]
    fn dates_milestones_by_the_earliest_stage_reaching_them() {
        let pipeline = PipelineKeys {
            stages: DEFAULT_STAGES
                .iter()
                .map(|s| StageKey { key: s.key.to_string(), outcome: s.outcome, milestone: s.milestone })
                .collect(),
            gateway_types: DEFAULT_GATEWAY_TYPES.iter().map(|(k, _)| k.to_string()).collect(),
        };
        let names = ["Appointment Scheduled", "Demo Scheduled", "Contract Sent", "Closed Won"];
        let found: Vec<VendorStage> = names
            .iter()
            .map(|n| VendorStage { name: n.to_string(), sort_order: None, probability: None, closed: None, won: None })
            .collect();
        let mapping = StageMapping::propose(&found, &pipeline);
        let resolver = Resolver::new(&mapping, &pipeline);
        let stage = |name: &str| resolver.get(name).unwrap_or_else(|| panic!("{name} is placed"));
        // Appointment on the 1st (before the deal's creation on the 2nd: moved to the 2nd), demo on
        // the 5th, contract (negotiation) on the 9th, won on the 12th.
        let milestones = derive(
            &resolver,
            at(2),
            &[
                (stage("Contract Sent"), at(9)),
                (stage("Appointment Scheduled"), at(1)),
                (stage("Demo Scheduled"), at(5)),
            ],
            Some((stage("Closed Won"), at(12))),
        );
        assert_eq!(milestones.first_appointment_at, Some(at(2)));
        assert_eq!(milestones.gateway_at, Some(at(5)));
        assert_eq!(milestones.gateway_type.as_deref(), Some("demo"));
        // Negotiation comes after the proposal stage: the proposal counts as made on the 9th.
        assert_eq!(milestones.proposal_at, Some(at(9)));
        let keys: Vec<&str> = milestones.changes.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["first_appointment", "gateway", "negotiation", "won"]);
        assert_eq!(milestones.changes[3].1, at(12));
    }
}
