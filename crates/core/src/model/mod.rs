//! The domain vocabulary: the enumerations of `data/BUNDLE.md` and `PRODUCT.md`, and the default
//! pipeline configuration an organisation starts with.

#[macro_use]
mod keyed;
mod pipeline;

pub use keyed::UnknownKey;
pub use pipeline::{DEFAULT_GATEWAY_TYPES, DEFAULT_STAGES, Evaluation, Milestone, StageConfig, StageOutcome};

keyed_enum! {
    /// What a user may do in Quotient.
    UserRole {
        Admin => "admin",
        Executive => "executive",
        Manager => "manager",
        Rep => "rep",
    }
}

keyed_enum! {
    /// The sales role of a person in the organisation (`reps.csv`).
    SalesRole {
        Rep => "rep",
        Manager => "manager",
        Executive => "executive",
    }
}

keyed_enum! {
    /// A contact's part in the buying decision.
    BuyingRole {
        DecisionMaker => "decision_maker",
        FinancialAuthority => "financial_authority",
        Influencer => "influencer",
        User => "user",
        Gatekeeper => "gatekeeper",
    }
}

keyed_enum! {
    /// Who generated a lead: the company (marketing, inbound) or the rep.
    LeadSource {
        Company => "company",
        SelfGenerated => "self",
    }
}

keyed_enum! {
    LeadStatus {
        New => "new",
        Working => "working",
        Qualified => "qualified",
        Disqualified => "disqualified",
        Converted => "converted",
    }
}

keyed_enum! {
    /// Whether an opportunity is still being worked or has closed.
    OpportunityStatus {
        Open => "open",
        Won => "won",
        Lost => "lost",
    }
}

impl OpportunityStatus {
    pub fn is_closed(self) -> bool {
        self != OpportunityStatus::Open
    }
}

keyed_enum! {
    ActivityType {
        ColdCall => "cold_call",
        CallBack => "call_back",
        Email => "email",
        Appointment => "appointment",
        FieldVisit => "field_visit",
        Demo => "demo",
        Meeting => "meeting",
        Event => "event",
    }
}

keyed_enum! {
    ActivityOutcome {
        Connected => "connected",
        NoAnswer => "no_answer",
        AppointmentSet => "appointment_set",
        Completed => "completed",
        Cancelled => "cancelled",
    }
}

keyed_enum! {
    EstimateStatus {
        Draft => "draft",
        Sent => "sent",
        Accepted => "accepted",
        Rejected => "rejected",
    }
}

keyed_enum! {
    /// What a quota measures. Revenue and margin are money; the others are counts. The activity
    /// goals (cold calls to proposals) are quotas of the work that leads to revenue.
    QuotaMetric {
        Revenue => "revenue",
        Margin => "margin",
        Deals => "deals",
        Estimates => "estimates",
        FirstAppointments => "first_appointments",
        ColdCalls => "cold_calls",
        CallBacks => "call_backs",
        Conversations => "conversations",
        AppointmentsSet => "appointments_set",
        FieldVisits => "field_visits",
        Proposals => "proposals",
    }
}

impl QuotaMetric {
    /// Money metrics carry cents; count metrics carry whole numbers.
    pub fn is_money(self) -> bool {
        matches!(self, QuotaMetric::Revenue | QuotaMetric::Margin)
    }

    /// The activity goals a manager sets per week or month, in the order the method lists them.
    pub const ACTIVITY_GOALS: [QuotaMetric; 7] = [
        QuotaMetric::ColdCalls,
        QuotaMetric::CallBacks,
        QuotaMetric::Conversations,
        QuotaMetric::AppointmentsSet,
        QuotaMetric::FieldVisits,
        QuotaMetric::FirstAppointments,
        QuotaMetric::Proposals,
    ];

    pub fn is_activity_goal(self) -> bool {
        QuotaMetric::ACTIVITY_GOALS.contains(&self)
    }
}
