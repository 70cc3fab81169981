//! Coaching: holding 1:1s (opening one, its notes, its actions and ticking them off), writing and
//! deciding on territory plans, and recording relationships on the account map. Who may do each
//! is `quotient_core::access`'s; what each refuses is here.

use super::{permit, refuse_any};
use crate::access::Viewer;
use crate::db::Db;
use crate::error::{Code, Refusal, Result, StoreError};
use crate::ids::{AccountId, ActionId, ContactId, OneOnOneId, RecordId, RepId};
use crate::kpi::{self, Directory, ReportRequest, Subject};
use crate::planning::territory_plans::{ACCOUNT_STATUSES, PlanContent};
use crate::planning::{account_maps, decision_processes, one_on_ones, territory_plans};
use chrono::NaiveDate;
use quotient_core::access::{self, Action, Resource};
use quotient_core::coaching::{
    self, ActionOwner, Actor, DecisionProcess, ObjectiveKpi, PlanStatus, Step, WorkflowError,
};
use quotient_core::input::Refusals;
use quotient_core::period::PeriodKind;
use quotient_core::{Lang, Period};

/// The longest notes of a 1:1, in characters.
pub const NOTES_MAX: usize = 50_000;
/// The longest description of an action, in characters.
pub const ACTION_MAX: usize = 2_000;
/// The longest section of a territory plan, in characters.
pub const SECTION_MAX: usize = 20_000;
/// The most key accounts a territory plan lists.
pub const KEY_ACCOUNTS_MAX: usize = 100;
/// The most measured objectives a territory plan lists.
pub const OBJECTIVES_MAX: usize = 30;
/// The longest objective's description, a decision step's name or decider, or a criterion.
pub const LINE_MAX: usize = 500;
/// The most steps, and the most criteria, of a decision process.
pub const DECISION_ITEMS_MAX: usize = 30;

fn too_long(field: &'static str, text: &str, max: usize) -> Option<Refusal> {
    (text.chars().count() > max).then(|| Refusal::new(field, Code::TooLong).count("max", max as i64))
}

/// A 1:1 to open with a rep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOneOnOne {
    pub rep: RepId,
    /// The day it is held: the rep's scorecard of the `period` holding it (the week, by default
    /// on the pages: the method coaches weekly goals), as of that day, is frozen.
    pub on: NaiveDate,
    pub period: PeriodKind,
    /// The language of the scorecard's words.
    pub lang: Lang,
}

/// Opens a 1:1 with a rep the caller holds 1:1s with ([`access::holds_one_on_ones`]), freezing the
/// rep's scorecard; returns its id. The scorecard is read before the write's transaction, so that
/// the rep's report does not hold the write back.
pub fn open_one_on_one(db: &mut Db, scope: &Viewer, command: &OpenOneOnOne) -> Result<OneOnOneId> {
    permit(scope, Resource::OneOnOnes, Action::Create)?;
    let rep = command.rep.get();
    let directory = Directory::load(db, scope.org)?;
    let person = directory
        .person(rep)
        .filter(|p| p.is_rep && one_on_ones::holds(scope, rep))
        .ok_or_else(|| StoreError::NotFound(format!("there is no rep {rep} in your team")))?;
    let period = Period::containing(command.period, command.on);
    let request = ReportRequest {
        subject: Subject::Rep(person.external_id.clone()),
        period,
        as_of: command.on,
        lang: command.lang,
    };
    let card = kpi::report_with(db, scope.org, &directory, &request)?
        .reps
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::NotFound(format!("there is no scorecard of rep {rep}")))?;
    db.transaction(|db| one_on_ones::open(db, scope, rep, &period.to_string(), &card)).map(OneOnOneId)
}

/// The rep of a 1:1 the caller holds.
fn held(db: &mut Db, scope: &Viewer, id: OneOnOneId) -> Result<i64> {
    one_on_ones::rep_of(db, scope.org, id.get())?
        .filter(|rep| one_on_ones::holds(scope, *rep))
        .ok_or_else(|| StoreError::NotFound(format!("there is no 1:1 {id} of yours")))
}

/// The notes of a 1:1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveNotes {
    pub one_on_one: OneOnOneId,
    pub notes: String,
}

/// Saves the notes of a 1:1 the caller holds. Refused when they are longer than [`NOTES_MAX`].
pub fn save_notes(db: &mut Db, scope: &Viewer, command: &SaveNotes) -> Result<()> {
    permit(scope, Resource::OneOnOnes, Action::Edit)?;
    db.transaction(|db| {
        held(db, scope, command.one_on_one)?;
        if let Some(refusal) = too_long("notes", &command.notes, NOTES_MAX) {
            return Err(refusal.into());
        }
        one_on_ones::set_notes(db, scope, command.one_on_one.get(), &command.notes)
    })
}

/// An action to agree in a 1:1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddAction {
    pub one_on_one: OneOnOneId,
    pub description: String,
    pub owner: ActionOwner,
    pub due_on: Option<NaiveDate>,
}

/// Adds an action to a 1:1 the caller holds; returns its id. Refused without a description, or
/// with one longer than [`ACTION_MAX`].
pub fn add_action(db: &mut Db, scope: &Viewer, command: &AddAction) -> Result<ActionId> {
    permit(scope, Resource::OneOnOnes, Action::Edit)?;
    let description = command.description.trim();
    let mut refusals = Refusals::new();
    if description.is_empty() {
        refusals.push(Refusal::new("description", Code::Required));
    }
    if let Some(refusal) = too_long("description", description, ACTION_MAX) {
        refusals.push(refusal);
    }
    db.transaction(|db| {
        let rep = held(db, scope, command.one_on_one)?;
        refuse_any(std::mem::take(&mut refusals))?;
        let new = one_on_ones::NewAction {
            description: description.to_string(),
            owner: command.owner,
            due_on: command.due_on,
        };
        one_on_ones::add_action(db, scope, command.one_on_one.get(), rep, &new).map(ActionId)
    })
}

/// An action to tick off, or to reopen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TickAction {
    pub action: ActionId,
    pub done: bool,
}

/// Ticks an action off (or reopens it), when the caller may ([`access::may_tick_one_on_one_action`]):
/// whoever holds the rep's 1:1s, and the rep for the actions the rep owns.
pub fn tick_action(db: &mut Db, scope: &Viewer, command: &TickAction) -> Result<()> {
    permit(scope, Resource::OneOnOnes, Action::Edit)?;
    db.transaction(|db| {
        let Some((_, _, was_done)) = one_on_ones::action_of(db, scope.org, command.action.get())?
            .filter(|(rep, owner, _)| one_on_ones::may_tick(scope, *rep, *owner))
        else {
            return Err(StoreError::NotFound(format!("there is no action {} of yours", command.action)));
        };
        one_on_ones::set_done(db, scope, command.action.get(), was_done, command.done)
    })
}

/// A rep's territory plan for a year, as the rep writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveTerritoryPlan {
    pub rep: RepId,
    pub year: i32,
    pub content: PlanContent,
}

/// What a plan's content refuses on its own: sections longer than [`SECTION_MAX`], more than
/// [`KEY_ACCOUNTS_MAX`] key accounts, a negative target, an unknown status, an account twice.
fn content_refusals(content: &PlanContent, refusals: &mut Refusals) {
    let sections = [
        ("objectives", &content.objectives),
        ("new_business", &content.new_business),
        ("maintenance", &content.maintenance),
        ("channel_strategy", &content.channel_strategy),
    ];
    for refusal in sections.into_iter().filter_map(|(field, text)| too_long(field, text, SECTION_MAX)) {
        refusals.push(refusal);
    }
    let keys = &content.key_accounts;
    if keys.len() > KEY_ACCOUNTS_MAX {
        refusals.push(Refusal::new("key_accounts", Code::TooMany).count("max", KEY_ACCOUNTS_MAX as i64));
    }
    let mut seen = std::collections::HashSet::new();
    let checks = [
        (keys.iter().any(|k| k.target.is_negative()), Code::Amount),
        (keys.iter().any(|k| !ACCOUNT_STATUSES.contains(&k.status.as_str())), Code::Choice),
        (!keys.iter().all(|k| seen.insert(k.account_id)), Code::KeyAccountTwice),
    ];
    for (refused, code) in checks {
        if refused {
            refusals.push(Refusal::new("key_accounts", code));
        }
    }
    objective_refusals(content, refusals);
}

/// What the measured objectives refuse: more than [`OBJECTIVES_MAX`], a description missing or
/// longer than [`LINE_MAX`], a link to no KPI and no account or to both, an unknown KPI, a negative
/// target, an account that is not one of the plan's key accounts. Each code once.
fn objective_refusals(content: &PlanContent, refusals: &mut Refusals) {
    const FIELD: &str = "measured_objectives";
    let objectives = &content.measured_objectives;
    if objectives.len() > OBJECTIVES_MAX {
        refusals.push(Refusal::new(FIELD, Code::TooMany).count("max", OBJECTIVES_MAX as i64));
    }
    let is_key = |account: i64| content.key_accounts.iter().any(|k| k.account_id == account);
    let checks = [
        (objectives.iter().any(|o| o.description.trim().is_empty()), Refusal::new(FIELD, Code::Required)),
        (
            objectives.iter().any(|o| o.description.chars().count() > LINE_MAX),
            Refusal::new(FIELD, Code::TooLong).count("max", LINE_MAX as i64),
        ),
        (
            objectives.iter().any(|o| o.kpi.is_some() == o.account_id.is_some()),
            Refusal::new(FIELD, Code::ObjectiveLink),
        ),
        (
            objectives.iter().any(|o| o.kpi.as_deref().is_some_and(|k| k.parse::<ObjectiveKpi>().is_err())),
            Refusal::new(FIELD, Code::Choice),
        ),
        (objectives.iter().any(|o| o.target < 0), Refusal::new(FIELD, Code::Amount)),
        (
            objectives.iter().any(|o| o.kpi.is_none() && o.account_id.is_some_and(|a| !is_key(a))),
            Refusal::new(FIELD, Code::ObjectiveAccountNotKey),
        ),
    ];
    for (refused, refusal) in checks {
        if refused {
            refusals.push(refusal);
        }
    }
}

/// Saves a territory plan: created as a draft if the rep has none for the year yet, else over
/// the draft. Only the rep writes it ([`access::writes_territory_plan`]); refused when it is no
/// longer a draft, names as key accounts accounts the rep does not own, or by
/// `content_refusals`. Returns the plan's id.
pub fn save_territory_plan(db: &mut Db, scope: &Viewer, command: &SaveTerritoryPlan) -> Result<RecordId> {
    permit(scope, Resource::TerritoryPlans, Action::Edit)?;
    let rep = command.rep.get();
    if !(access::writes_territory_plan(scope.role, scope.rep_id == Some(rep)) && scope.reaches(rep)) {
        return Err(StoreError::NotPermitted);
    }
    let mut refusals = Refusals::new();
    content_refusals(&command.content, &mut refusals);
    db.transaction(|db| {
        let mut foreign = false;
        for key in &command.content.key_accounts {
            foreign |= !territory_plans::owns_account(db, scope.org, rep, key.account_id)?;
        }
        if foreign {
            refusals.push(Refusal::new("key_accounts", Code::KeyAccountNotOwned));
        }
        let existing = territory_plans::find(db, scope, rep, command.year, chrono::Utc::now().date_naive())?;
        if existing.as_ref().is_some_and(|plan| !plan.status.is_editable()) {
            refusals.push(Refusal::new("status", Code::PlanNotDraft));
        }
        refuse_any(std::mem::take(&mut refusals))?;
        territory_plans::write(db, scope, rep, command.year, existing.as_ref(), &command.content).map(RecordId)
    })
}

/// A step of a territory plan's workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvanceTerritoryPlan {
    pub rep: RepId,
    pub year: i32,
    pub step: Step,
    /// What to change, when the plan is returned.
    pub comment: String,
}

/// Why a step is refused, as a refusal.
fn step_refusal(error: WorkflowError) -> Refusal {
    match error {
        WorkflowError::NotAllowed => Refusal::new("step", Code::PlanStepNotYours),
        WorkflowError::WrongStatus(_) => Refusal::new("step", Code::PlanStepOutOfOrder),
        WorkflowError::CommentRequired => Refusal::new("comment", Code::ReturnNeedsComment),
    }
}

/// Takes a step on a plan of a rep within the caller's reach: the rep submits it
/// ([`access::writes_territory_plan`]), those above the rep approve or return it
/// ([`access::decides_on_territory_plan`]), as the workflow allows ([`coaching::advance`]).
/// Returns the plan's new status.
pub fn advance_territory_plan(db: &mut Db, scope: &Viewer, command: &AdvanceTerritoryPlan) -> Result<PlanStatus> {
    permit(scope, Resource::TerritoryPlans, Action::Edit)?;
    let (rep, year) = (command.rep.get(), command.year);
    let is_the_rep = scope.rep_id == Some(rep);
    let actor = Actor {
        is_owner: access::writes_territory_plan(scope.role, is_the_rep),
        is_above: access::decides_on_territory_plan(scope.role, scope.reaches(rep), is_the_rep),
    };
    db.transaction(|db| {
        let plan = territory_plans::find(db, scope, rep, year, chrono::Utc::now().date_naive())?
            .ok_or_else(|| StoreError::NotFound(format!("there is no territory plan of rep {rep} for {year}")))?;
        let status = coaching::advance(plan.status, command.step, actor, &command.comment).map_err(step_refusal)?;
        territory_plans::record_step(db, scope, &plan, command.step, status, &command.comment)?;
        Ok(status)
    })
}

/// How strong the relationship to a contact is, and how much sway they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetRelationship {
    pub contact: ContactId,
    /// 1 (hostile) … 5 (champion); `None` clears it.
    pub relationship: Option<u8>,
    /// 1 (little) … 5 (decisive); `None` clears it.
    pub influence: Option<u8>,
}

/// Records a contact's relationship and influence on the account map, for a contact whose account
/// the caller reaches ([`access::may_set_relationship`]). Refused for a level outside 1–5.
pub fn set_relationship(db: &mut Db, scope: &Viewer, command: &SetRelationship) -> Result<()> {
    permit(scope, Resource::Contacts, Action::Edit)?;
    let mut refusals = Refusals::new();
    for (field, level) in [("relationship", command.relationship), ("influence", command.influence)] {
        if level.is_some_and(|level| !(1..=5).contains(&level)) {
            refusals.push(Refusal::new(field, Code::NumberOutOfRange).count("min", 1).count("max", 5));
        }
    }
    db.transaction(|db| {
        let owner = account_maps::account_owner_of(db, scope.org, command.contact.get())?;
        let reaches = |owner: Option<i64>| scope.reaches_everyone() || owner.is_some_and(|o| scope.reaches(o));
        if !owner.is_some_and(|owner| access::may_set_relationship(scope.role, reaches(owner))) {
            return Err(StoreError::NotFound(format!("there is no contact {} within your reach", command.contact)));
        }
        refuse_any(std::mem::take(&mut refusals))?;
        account_maps::set_relationship(db, scope, command.contact.get(), command.relationship, command.influence)
    })
}

/// The decision-making process to record on an account's map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveDecisionProcess {
    pub account: AccountId,
    pub process: DecisionProcess,
}

/// What a decision process refuses: more than [`DECISION_ITEMS_MAX`] steps or criteria, a step
/// without a name, a name, a decider or a criterion longer than [`LINE_MAX`]. Blank criteria are
/// left out before, not refused.
fn decision_refusals(process: &DecisionProcess, refusals: &mut Refusals) {
    let too_many = |field: &'static str, count: usize| {
        (count > DECISION_ITEMS_MAX).then(|| Refusal::new(field, Code::TooMany).count("max", DECISION_ITEMS_MAX as i64))
    };
    let long = |text: &str| text.chars().count() > LINE_MAX;
    let steps = &process.steps;
    let found = [
        too_many("steps", steps.len()),
        too_many("criteria", process.criteria.len()),
        steps.iter().any(|s| s.name.trim().is_empty()).then(|| Refusal::new("steps", Code::Required)),
        steps
            .iter()
            .any(|s| long(&s.name) || long(&s.decider))
            .then(|| Refusal::new("steps", Code::TooLong).count("max", LINE_MAX as i64)),
        process
            .criteria
            .iter()
            .any(|c| long(c))
            .then(|| Refusal::new("criteria", Code::TooLong).count("max", LINE_MAX as i64)),
    ];
    for refusal in found.into_iter().flatten() {
        refusals.push(refusal);
    }
}

/// Records the decision-making process of an account whose map the caller may edit — whoever sets
/// relationships on it ([`access::may_set_relationship`]) — replacing what was recorded; audited.
/// Names, deciders and criteria are trimmed and blank criteria dropped; refused by
/// `decision_refusals`.
pub fn save_decision_process(db: &mut Db, scope: &Viewer, command: &SaveDecisionProcess) -> Result<()> {
    permit(scope, Resource::Contacts, Action::Edit)?;
    let mut process = command.process.clone();
    for step in &mut process.steps {
        step.name = step.name.trim().to_string();
        step.decider = step.decider.trim().to_string();
    }
    process.criteria = process.criteria.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
    let mut refusals = Refusals::new();
    decision_refusals(&process, &mut refusals);
    let account = command.account.get();
    db.transaction(|db| {
        let owner = account_maps::owner_of_account(db, scope.org, account)?;
        let reaches = |owner: Option<i64>| scope.reaches_everyone() || owner.is_some_and(|o| scope.reaches(o));
        if !owner.is_some_and(|owner| access::may_set_relationship(scope.role, reaches(owner))) {
            return Err(StoreError::NotFound(format!("there is no account {account} within your reach")));
        }
        refuse_any(std::mem::take(&mut refusals))?;
        decision_processes::write(db, scope, account, &process)
    })
}
