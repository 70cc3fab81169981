//! The default pipeline (`PRODUCT.md` §1) and its stage probabilities (`KPIS.md`: weighted pipeline).
//! Organisations start with these and may configure their own.

crate::keyed_enum! {
    /// The milestone an opportunity records the first time it enters a stage (`KPIS.md`: attribution).
    Milestone {
        FirstAppointment => "first_appointment",
        Gateway => "gateway",
        Proposal => "proposal",
    }
}

impl Milestone {
    /// The opportunity's column holding when the milestone was first reached.
    pub const fn column(self) -> &'static str {
        match self {
            Milestone::FirstAppointment => "first_appointment_at",
            Milestone::Gateway => "gateway_at",
            Milestone::Proposal => "proposal_at",
        }
    }
}

crate::keyed_enum! {
    /// Whether a stage is open or ends the opportunity.
    StageOutcome {
        Open => "open",
        Won => "won",
        Lost => "lost",
    }
}

crate::keyed_enum! {
    /// How a gateway is evaluated: side by side against the competition, or on the solution to the
    /// customer's own problem (the method's two kinds of evaluation).
    Evaluation {
        SideBySide => "side_by_side",
        SolutionBased => "solution_based",
    }
}

/// One stage of a pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageConfig {
    pub key: &'static str,
    pub name: &'static str,
    /// Probability of winning from this stage, in basis points (1/100 of a percent).
    pub probability_bp: u32,
    pub outcome: StageOutcome,
    pub milestone: Option<Milestone>,
}

const fn stage(
    key: &'static str,
    name: &'static str,
    probability_bp: u32,
    milestone: Option<Milestone>,
) -> StageConfig {
    StageConfig { key, name, probability_bp, outcome: StageOutcome::Open, milestone }
}

/// prospect → qualified → first appointment → gateway → proposal → negotiation → won / lost.
pub const DEFAULT_STAGES: [StageConfig; 8] = [
    stage("prospect", "Prospect", 500, None),
    stage("qualified", "Qualified", 1_000, None),
    stage("first_appointment", "First appointment", 2_000, Some(Milestone::FirstAppointment)),
    stage("gateway", "Gateway", 4_000, Some(Milestone::Gateway)),
    stage("proposal", "Proposal", 6_000, Some(Milestone::Proposal)),
    stage("negotiation", "Negotiation", 8_000, None),
    StageConfig { key: "won", name: "Won", probability_bp: 10_000, outcome: StageOutcome::Won, milestone: None },
    StageConfig { key: "lost", name: "Lost", probability_bp: 0, outcome: StageOutcome::Lost, milestone: None },
];

/// The agreed "next step" after a first appointment.
pub const DEFAULT_GATEWAY_TYPES: [(&str, &str); 6] = [
    ("demo", "On-site demo"),
    ("site_visit", "Site visit"),
    ("trial", "Trial"),
    ("tour", "Tour"),
    ("investigation", "Investigation"),
    ("evaluation", "Evaluation"),
];
