//! A territory plan's life: the rep writes a draft and submits it; the rep's manager (or anyone
//! above them) approves it, or returns it with a comment, which makes it a draft again.

crate::keyed_enum! {
    /// Where a territory plan stands.
    PlanStatus {
        Draft => "draft",
        Submitted => "submitted",
        Approved => "approved",
    }
}

crate::keyed_enum! {
    /// A step of the workflow.
    Step {
        Submit => "submit",
        Approve => "approve",
        Return => "return",
    }
}

/// Who takes a step, relative to the plan's rep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The plan is this person's own.
    pub is_owner: bool,
    /// This person is the rep's manager or above them in the hierarchy (an executive, an admin).
    pub is_above: bool,
}

/// Why a step is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkflowError {
    /// Only the rep submits their plan; only their manager or above approves or returns it.
    NotAllowed,
    /// The step does not apply to a plan in this status (e.g. approving a draft).
    WrongStatus(PlanStatus),
    /// Returning a plan needs a comment saying what to change.
    CommentRequired,
}

impl PlanStatus {
    /// Whether the plan's owner may still change its content.
    pub fn is_editable(self) -> bool {
        self == PlanStatus::Draft
    }
}

/// The status after `step`, or why it is refused.
pub fn advance(status: PlanStatus, step: Step, actor: Actor, comment: &str) -> Result<PlanStatus, WorkflowError> {
    let (allowed, from, to) = match step {
        Step::Submit => (actor.is_owner, PlanStatus::Draft, PlanStatus::Submitted),
        Step::Approve => (actor.is_above, PlanStatus::Submitted, PlanStatus::Approved),
        Step::Return => (actor.is_above, PlanStatus::Submitted, PlanStatus::Draft),
    };
    if !allowed {
        return Err(WorkflowError::NotAllowed);
    }
    if status != from {
        return Err(WorkflowError::WrongStatus(status));
    }
    if step == Step::Return && comment.trim().is_empty() {
        return Err(WorkflowError::CommentRequired);
    }
    Ok(to)
}
