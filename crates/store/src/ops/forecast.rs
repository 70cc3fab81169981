//! The forecast's use cases: a deal's category overridden by its owner or their manager, a stage's
//! default category set, a call submitted (a rep's own, a manager's for their subtree) or a rep's
//! call adjusted by their manager with a note, the period's roll-up read through the hierarchy
//! with quota and plan, the weekly snapshot taken (on the first read of a new week, or by the
//! operator) and what changed since the last one. Rules: `quotient_core::forecast`.

use super::{permit, refuse_any};
use crate::access::Viewer;
use crate::db::{Db, Value};
use crate::error::{Code, Refusal, Result, StoreError};
use crate::forecast::calls::{self, CallKind, NewCall, StoredCall};
use crate::forecast::{categories, deals, snapshots, totals};
use crate::ids::{OpportunityId, RepId};
use crate::kpi::Directory;
use crate::kpi::queries::{Filter, revenue_quotas};
use crate::planning::company_plan;
use chrono::{Datelike, NaiveDate, Utc};
use quotient_core::access::{Action, Reach, Resource};
use quotient_core::forecast::{
    Call, Category, CategoryTotals, ChangeKind, DealChange, Node, Rolled, SnapshotLine, changes_between, is_stale,
    pushes, roll_up,
};
use quotient_core::input::Refusals;
use quotient_core::model::{QuotaMetric, StageOutcome};
use quotient_core::period::{PeriodKind, prorated};
use quotient_core::{Period, access};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The longest note of an adjustment.
const NOTE_MAX: usize = 2_000;

/// A forecast period as typed: a month (`2027-03`) or a quarter (`2027-Q1`).
pub fn forecast_period(text: &str) -> std::result::Result<Period, Refusal> {
    text.trim()
        .parse::<Period>()
        .ok()
        .filter(|p| matches!(p.kind(), PeriodKind::Month | PeriodKind::Quarter))
        .ok_or_else(|| Refusal::new("period", Code::ForecastPeriod))
}

// ---- Categories -------------------------------------------------------------------------------

/// A deal's category override: the category to set, or none to fall back to the stage's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCategory {
    pub opportunity: OpportunityId,
    /// A category key, or empty for the stage's default.
    pub category: String,
}

/// A deal's category and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DealCategory {
    pub opportunity: OpportunityId,
    pub category: Category,
    pub stage_default: Option<Category>,
    pub overridden: Option<Category>,
}

fn reached_deal(db: &mut Db, scope: &Viewer, opportunity: OpportunityId) -> Result<(String, StageOutcome)> {
    let found = db.query_opt(
        "SELECT owner_id, stage, status FROM opportunities WHERE org_id = ? AND id = ? AND deleted_at IS NULL",
        &[scope.org.value(), Value::Int(opportunity.get())],
        |row| {
            Ok((
                row.int(0)?.unwrap_or_default(),
                row.text(1)?.unwrap_or_default().to_string(),
                crate::crm::pipeline::outcome_of(row.text(2)?)?,
            ))
        },
    )?;
    match found {
        Some((owner, stage, outcome)) if scope.reaches(owner) => Ok((stage, outcome)),
        _ => Err(Refusal::new("opportunity_id", Code::OpportunityOutOfReach).into()),
    }
}

/// A deal's category, for its owner and those above them.
pub fn deal_category(db: &mut Db, scope: &Viewer, opportunity: OpportunityId) -> Result<DealCategory> {
    permit(scope, Resource::Forecast, Action::Read)?;
    let (stage, outcome) = reached_deal(db, scope, opportunity)?;
    let stage_default = categories::stage_categories(db, scope.org)?.get(&stage).and_then(|s| s.default);
    let overridden = categories::override_of(db, scope.org, opportunity.get())?;
    Ok(categorised(opportunity, outcome, stage_default, overridden))
}

/// The categories of `opportunities` that the caller reaches, by id, read at once (a rep's deal
/// list); those out of reach, deleted or unknown are left out.
pub fn deal_categories(
    db: &mut Db,
    scope: &Viewer,
    opportunities: &[OpportunityId],
) -> Result<HashMap<i64, DealCategory>> {
    permit(scope, Resource::Forecast, Action::Read)?;
    let stages = categories::stage_categories(db, scope.org)?;
    let ids: Vec<i64> = opportunities.iter().map(|o| o.get()).collect();
    let mut found = HashMap::new();
    for chunk in deals::id_chunks(Some(&ids)) {
        let mut params = vec![scope.org.value()];
        let ids = deals::ids_in("o.id", chunk, &mut params);
        db.query_each(
            &format!(
                "SELECT o.id, o.owner_id, o.stage, o.status, f.category
                 FROM opportunities o LEFT JOIN forecast_overrides f ON f.org_id = o.org_id AND f.opportunity_id = o.id
                 WHERE o.org_id = ? AND o.deleted_at IS NULL{ids}"
            ),
            &params,
            |row| {
                if !scope.reaches(row.int(1)?.unwrap_or_default()) {
                    return Ok(());
                }
                let id = row.int(0)?.unwrap_or_default();
                let stage_default = stages.get(row.text(2)?.unwrap_or_default()).and_then(|s| s.default);
                let outcome = crate::crm::pipeline::outcome_of(row.text(3)?)?;
                let overridden = categories::category_of(row.text(4)?)?;
                found.insert(id, categorised(OpportunityId(id), outcome, stage_default, overridden));
                Ok(())
            },
        )?;
    }
    Ok(found)
}

fn categorised(
    opportunity: OpportunityId,
    outcome: StageOutcome,
    stage_default: Option<Category>,
    overridden: Option<Category>,
) -> DealCategory {
    DealCategory {
        opportunity,
        category: quotient_core::forecast::category_of(outcome, stage_default, overridden),
        stage_default,
        overridden: overridden.filter(|_| outcome == StageOutcome::Open),
    }
}

/// Overrides an open deal's category (or clears the override), audited: its owner, or anyone
/// above them. Refused for a deal out of reach, a closed deal, or `closed` as a call.
pub fn set_category(db: &mut Db, scope: &Viewer, command: &SetCategory) -> Result<DealCategory> {
    permit(scope, Resource::Forecast, Action::Edit)?;
    let (_, outcome) = reached_deal(db, scope, command.opportunity)?;
    let mut refusals = Refusals::new();
    let category = refusals.take(open_category(&command.category));
    if outcome != StageOutcome::Open {
        refusals.push(Refusal::new("opportunity_id", Code::OpportunityNotOpen));
    }
    refuse_any(refusals)?;
    let category = category.flatten();
    db.transaction(|db| categories::set_override(db, scope.org, scope.actor(), command.opportunity.get(), category))?;
    deal_category(db, scope, command.opportunity)
}

fn open_category(text: &str) -> std::result::Result<Option<Category>, Refusal> {
    crate::crm::pipeline_config::forecast_category_of(text)
        .map_err(|_| Refusal::new("category", Code::ForecastCategory))
}

// ---- Calls ------------------------------------------------------------------------------------

/// The caller's own call for a period: a rep's for their deals, a manager's for their subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitCall {
    pub period: String,
    pub commit_cents: i64,
    pub best_case_cents: i64,
}

/// A manager's adjustment of the call of someone beneath them, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustCall {
    pub period: String,
    pub rep: RepId,
    pub commit_cents: i64,
    pub best_case_cents: i64,
    pub note: String,
}

fn read_call(refusals: &mut Refusals, period: &str, commit: i64, best_case: i64) -> Option<(Period, Call)> {
    let period = refusals.take(forecast_period(period));
    // A call is money a team could sell: the bound the plans file puts on an amount.
    let bound = 0..=quotient_core::incentives::MAX_CENTS;
    if !bound.contains(&commit) {
        refusals.push(Refusal::new("commit_cents", Code::Amount));
    }
    if best_case > *bound.end() {
        refusals.push(Refusal::new("best_case_cents", Code::Amount));
    }
    if best_case < commit.max(0) {
        refusals.push(Refusal::new("best_case_cents", Code::BestCaseBelowCommit));
    }
    Some((period?, Call { commit_cents: commit, best_case_cents: best_case }))
}

/// Submits the caller's own call, kept beside every earlier one. Refused without a person of the
/// directory to call for.
pub fn submit_call(db: &mut Db, scope: &Viewer, command: &SubmitCall) -> Result<StoredCall> {
    permit(scope, Resource::Forecast, Action::Edit)?;
    let mut refusals = Refusals::new();
    let subject = scope.rep_id.filter(|&me| scope.reaches(me));
    if subject.is_none() {
        refusals.push(Refusal::new("rep_id", Code::ForecastCallNotYours));
    }
    let call = read_call(&mut refusals, &command.period, command.commit_cents, command.best_case_cents);
    refuse_any(refusals)?;
    let (Some(subject), Some((period, call))) = (subject, call) else {
        return Err(StoreError::Decode("a call's checked fields".into()));
    };
    let new =
        NewCall { period, subject, kind: CallKind::Own, call, note: "", by_person: Some(subject), at: Utc::now() };
    db.transaction(|db| calls::record(db, scope.org, scope.actor(), &new))
}

/// Adjusts the call of someone beneath the caller, with a note; their own call stays as it was.
/// Refused for the caller's own call, someone out of reach, or a role that reaches only its own.
pub fn adjust_call(db: &mut Db, scope: &Viewer, command: &AdjustCall) -> Result<StoredCall> {
    permit(scope, Resource::Forecast, Action::Edit)?;
    let mut refusals = Refusals::new();
    let RepId(subject) = command.rep;
    if access::reach(scope.role) == Reach::Own || scope.rep_id == Some(subject) {
        refusals.push(Refusal::new("rep_id", Code::ForecastCallNotYours));
    } else if !scope.reaches(subject) {
        refusals.push(Refusal::new("rep_id", Code::RepOutOfReach).count("rep", subject));
    }
    let note = command.note.trim();
    if note.is_empty() {
        refusals.push(Refusal::new("note", Code::Required));
    } else if let Err(refusal) = quotient_core::input::free_text("note", note, NOTE_MAX) {
        refusals.push(refusal);
    }
    let call = read_call(&mut refusals, &command.period, command.commit_cents, command.best_case_cents);
    refuse_any(refusals)?;
    let Some((period, call)) = call else { return Err(StoreError::Decode("an adjustment's checked fields".into())) };
    let new =
        NewCall { period, subject, kind: CallKind::Adjustment, call, note, by_person: scope.rep_id, at: Utc::now() };
    db.transaction(|db| calls::record(db, scope.org, scope.actor(), &new))
}

// ---- The roll-up ------------------------------------------------------------------------------

/// Which forecast to read: a period, optionally one manager's team (by external id), as of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastQuery {
    pub period: String,
    pub team: Option<String>,
    pub today: NaiveDate,
}

/// One person's line of the forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForecastLine {
    pub external_id: String,
    pub name: String,
    pub is_rep: bool,
    #[serde(flatten)]
    pub rolled: Rolled,
    /// The day the own call was last submitted, and whether that is too long ago.
    pub call_updated_on: Option<NaiveDate>,
    pub stale: bool,
    pub adjustment_note: Option<String>,
    /// The forecast from the data (`docs/FORECAST.md`) of the person and everyone beneath them:
    /// won so far plus each open deal's expected part.
    pub data_forecast_cents: i64,
}

/// A period's forecast: the organisation (for those who reach it, without a team asked) and each
/// person in reach, depth first under their managers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forecast {
    pub period: String,
    pub as_of: NaiveDate,
    pub stale_after_days: i64,
    pub organisation: Option<Rolled>,
    /// The organisation's forecast from the data, beside its line.
    pub organisation_data_forecast_cents: Option<i64>,
    pub lines: Vec<ForecastLine>,
    /// The snapshot taken by this read (the first of a new week), as its week.
    pub snapshot_taken: Option<String>,
}

/// The period's forecast rolled up through the hierarchy with quota and plan. The first read of a
/// new ISO week takes that week's snapshot first. Only the deals, wins and calls of the people
/// shown are read: a rep's forecast costs their own rows, a team's its members'.
pub fn forecast(db: &mut Db, scope: &Viewer, directory: &Directory, query: &ForecastQuery) -> Result<Forecast> {
    permit(scope, Resource::Forecast, Action::Read)?;
    let period = forecast_period(&query.period)?;
    let team = query.team.as_deref().map(|team| team_in_reach(scope, directory, team)).transpose()?;
    let snapshot_taken = weekly_snapshot(db, scope, query.today)?;
    let settings = crate::kpi::settings(db, scope.org)?;
    let stale_after_days = settings.method.forecast_stale_after_days;
    let shown = |person: i64| team.as_ref().map_or_else(|| scope.reaches(person), |people| people.contains(&person));
    let covered = (team.is_some() || !scope.reaches_everyone()).then(|| beneath(directory, shown));
    let (nodes, current) = nodes(db, scope.org, directory, period, query.today, covered.as_deref())?;
    let plan = plan_for(db, scope, period)?;
    let rolled = roll_up(&nodes, plan);
    let expected = super::forecast_model::expected_by_rep(db, scope, directory, period, query.today)?;
    let data_forecast = |person: i64| {
        let own = expected.get(&person).copied().unwrap_or(0);
        own + directory.subtree(person).iter().filter_map(|p| expected.get(p)).sum::<i64>()
    };
    let own: HashMap<i64, &StoredCall> =
        current.iter().filter(|c| c.kind == CallKind::Own).map(|c| (c.subject, c)).collect();
    let adjusted: HashMap<i64, &StoredCall> =
        current.iter().filter(|c| c.kind == CallKind::Adjustment).map(|c| (c.subject, c)).collect();
    let mut organisation = None;
    let mut lines = vec![];
    for node in rolled {
        let Some(person) = node.person else {
            organisation = (scope.reaches_everyone() && team.is_none()).then_some(node);
            continue;
        };
        if !shown(person) {
            continue;
        }
        let Some(who) = directory.person(person) else { continue };
        let updated = own.get(&person).map(|c| c.submitted_at.date_naive());
        lines.push(ForecastLine {
            external_id: who.external_id.clone(),
            name: who.name.clone(),
            is_rep: who.is_rep,
            call_updated_on: updated,
            stale: updated.is_some_and(|day| is_stale(day, query.today, stale_after_days)),
            adjustment_note: adjusted.get(&person).map(|c| c.note.clone()),
            data_forecast_cents: data_forecast(person),
            rolled: node,
        });
    }
    Ok(Forecast {
        period: period.to_string(),
        as_of: query.today,
        stale_after_days,
        organisation_data_forecast_cents: organisation.as_ref().map(|_| expected.values().sum()),
        organisation,
        lines,
        snapshot_taken: snapshot_taken.map(snapshots::week_text),
    })
}

/// The people `shown` and everyone beneath them, sorted: whose rows a shown line sums.
fn beneath(directory: &Directory, shown: impl Fn(i64) -> bool) -> Vec<i64> {
    let mut people = std::collections::HashSet::new();
    for person in directory.people.iter().filter(|p| shown(p.id)) {
        // A subtree is walked from its top only; the people under a shown manager are in it.
        let top = person.manager_id.is_none_or(|manager| !shown(manager));
        if people.insert(person.id) && top {
            people.extend(directory.subtree(person.id));
        }
    }
    let mut people: Vec<i64> = people.into_iter().collect();
    people.sort_unstable();
    people
}

/// Everyone of the directory as a node, with their revenue quota (prorated by days); the deals of
/// the period and the current calls of the `covered` people (everyone for none), those calls
/// beside. Everyone's quotas are read: the plan is shared out by the organisation's.
fn nodes(
    db: &mut Db,
    org: crate::orgs::OrgId,
    directory: &Directory,
    period: Period,
    today: NaiveDate,
    covered: Option<&[i64]>,
) -> Result<(Vec<Node>, Vec<StoredCall>)> {
    let mut by_person: HashMap<i64, Node> = directory
        .people
        .iter()
        .map(|p| (p.id, Node { person: p.id, manager: p.manager_id, ..Node::default() }))
        .collect();
    for (owner, totals) in category_totals(db, org, period, today, covered)? {
        if let Some(node) = by_person.get_mut(&owner) {
            node.deals = totals;
        }
    }
    let filter = Filter { reps: None, product_line: None };
    for quota in revenue_quotas(db, org, period, filter)? {
        if quota.metric != QuotaMetric::Revenue || quota.product_line.is_some() {
            continue;
        }
        if let Some(node) = by_person.get_mut(&quota.rep) {
            let (numerator, denominator) = prorated(quota.target, quota.period, period);
            let share = if denominator == 0 { 0 } else { ((numerator + denominator / 2) / denominator) as i64 };
            node.quota_cents = Some(node.quota_cents.unwrap_or(0) + share);
        }
    }
    let current = calls::current(db, org, period, covered)?;
    for call in &current {
        if let Some(node) = by_person.get_mut(&call.subject) {
            match call.kind {
                CallKind::Own => node.call = Some(call.call),
                CallKind::Adjustment => node.adjusted = Some(call.call),
            }
        }
    }
    // In the directory's order, so each team lists its people as the directory does.
    let nodes = directory.people.iter().filter_map(|p| by_person.remove(&p.id)).collect();
    Ok((nodes, current))
}

/// Each owner's deals of the period by category: the open ones expected to close in it and the
/// amount won. The whole organisation's are kept by revision (`crate::forecast::totals`), so its
/// roll-up reads one row until a deal, a stage, a setting or an override is written; a part of it
/// reads its own rows, fewer than the organisation's that a write would have it sum again.
fn category_totals(
    db: &mut Db,
    org: crate::orgs::OrgId,
    period: Period,
    today: NaiveDate,
    covered: Option<&[i64]>,
) -> Result<HashMap<i64, CategoryTotals>> {
    let revisions = match covered {
        None => {
            let revisions = totals::revisions(db, org)?;
            if let Some(kept) = totals::read(db, org, period, today, revisions)? {
                return Ok(kept);
            }
            Some(revisions)
        }
        Some(_) => None,
    };
    let mut by_owner = deals::open_totals(db, org, period, today, covered)?;
    for (owner, cents) in deals::won_in(db, org, period, covered)? {
        by_owner.entry(owner).or_default().add(Category::Closed, cents);
    }
    if let Some(revisions) = revisions {
        db.transaction(|db| totals::write(db, org, period, today, revisions, &by_owner))?;
    }
    Ok(by_owner)
}

/// The company plan's revenue for the period: the fiscal year's, prorated by days.
fn plan_for(db: &mut Db, scope: &Viewer, period: Period) -> Result<Option<i64>> {
    let year = period.start().year();
    let Some(plan) = company_plan::find(db, scope.org, year)? else { return Ok(None) };
    let Some(whole_year) = Period::range(
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or_default(),
    ) else {
        return Ok(None);
    };
    let (numerator, denominator) = prorated(plan.revenue.cents(), whole_year, period);
    Ok((denominator != 0).then(|| ((numerator + denominator / 2) / denominator) as i64))
}

/// A manager's team as asked for by external id: the manager and everyone beneath them that the
/// caller reaches. Refused when the caller does not reach the manager. A player-coach signed in as
/// a rep reaches only themselves, so naming their own team shows them no one else.
fn team_in_reach(scope: &Viewer, directory: &Directory, team: &str) -> Result<std::collections::HashSet<i64>> {
    let manager = directory.person_by_external_id(team.trim()).map(|p| p.id).filter(|&m| scope.reaches(m));
    let Some(manager) = manager else { return Err(Refusal::new("team", Code::SubjectOutOfReach).into()) };
    let mut people: std::collections::HashSet<i64> = directory.subtree(manager).into_iter().collect();
    people.insert(manager);
    people.retain(|&person| scope.reaches(person));
    Ok(people)
}

// ---- Snapshots and changes -------------------------------------------------------------------

/// Takes the snapshot of `today`'s ISO week unless the organisation has it: the week taken, none
/// when it was there. A cheap check first, so every later read of the week costs one lookup.
fn weekly_snapshot(db: &mut Db, scope: &Viewer, today: NaiveDate) -> Result<Option<i64>> {
    let week = snapshots::week_key(today);
    if snapshots::last_week(db, scope.org)?.is_some_and(|last| last >= week) {
        return Ok(None);
    }
    let taken = db.transaction(|db| snapshots::take(db, scope.org, week, Utc::now()))?;
    Ok(taken.map(|_| week))
}

/// A snapshot taken (or found taken).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotTaken {
    pub week: String,
    /// The open deals written; none when the week had been taken already.
    pub deals: Option<u64>,
}

/// Takes the week's snapshot of the whole open pipeline (the operator's `quotient snapshot`).
pub fn take_snapshot(db: &mut Db, scope: &Viewer, today: NaiveDate) -> Result<SnapshotTaken> {
    permit(scope, Resource::Settings, Action::Edit)?;
    let week = snapshots::week_key(today);
    let deals = db.transaction(|db| snapshots::take(db, scope.org, week, Utc::now()))?;
    Ok(SnapshotTaken { week: snapshots::week_text(week), deals })
}

/// What to compare: optionally one manager's team (by external id), as of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangesQuery {
    pub team: Option<String>,
    pub today: NaiveDate,
}

/// One person's count of changes by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeCounts {
    pub person: i64,
    pub external_id: String,
    pub name: String,
    pub counts: BTreeMap<ChangeKind, usize>,
}

/// The changes since the last snapshot before this week: per deal, per rep and summed for the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeekChanges {
    /// The snapshot compared with the pipeline now; none before the first one.
    pub since: Option<String>,
    pub changes: Vec<DealChange>,
    pub by_rep: Vec<ChangeCounts>,
    pub total: BTreeMap<ChangeKind, usize>,
}

/// What changed in the open pipeline in reach (or a team's) since the last snapshot before this
/// week, against the pipeline now; pushes count over every snapshot and today.
pub fn changes(db: &mut Db, scope: &Viewer, directory: &Directory, query: &ChangesQuery) -> Result<WeekChanges> {
    permit(scope, Resource::Forecast, Action::Read)?;
    let owners = query.team.as_deref().map(|team| team_in_reach(scope, directory, team)).transpose()?;
    let keep = |owner: i64| scope.reaches(owner) && owners.as_ref().is_none_or(|o| o.contains(&owner));
    let this_week = snapshots::week_key(query.today);
    let Some(since) = snapshots::week_before(db, scope.org, this_week)? else {
        return Ok(WeekChanges { since: None, changes: vec![], by_rep: vec![], total: BTreeMap::new() });
    };
    // Only the owners kept are read, unless that is everyone.
    let kept: Option<Vec<i64>> = (owners.is_some() || !scope.reaches_everyone())
        .then(|| directory.people.iter().map(|p| p.id).filter(|&p| keep(p)).collect::<Vec<i64>>())
        .map(|mut kept| {
            kept.sort_unstable();
            kept
        });
    let before: Vec<_> =
        snapshots::deals_of(db, scope.org, since, kept.as_deref())?.into_iter().filter(|l| keep(l.owner)).collect();
    let now: Vec<_> =
        deals::open_pipeline(db, scope.org, kept.as_deref())?.into_iter().filter(|l| keep(l.owner)).collect();
    let earlier: HashMap<i64, Option<NaiveDate>> = before.iter().map(|l| (l.opportunity, l.expected_close)).collect();
    let moved: Vec<i64> = now
        .iter()
        .filter(|l| earlier.get(&l.opportunity).is_some_and(|&was| was.is_some() && l.expected_close > was))
        .map(|l| l.opportunity)
        .collect();
    let mut history = snapshots::close_history(db, scope.org, &moved)?;
    let push_counts: HashMap<i64, usize> = now
        .iter()
        .filter(|l| moved.contains(&l.opportunity))
        .map(|l| {
            let mut closes = history.remove(&l.opportunity).unwrap_or_default();
            closes.push(l.expected_close);
            (l.opportunity, pushes(&closes))
        })
        .collect();
    let open_now: std::collections::HashSet<i64> = now.iter().map(|l| l.opportunity).collect();
    let gone: Vec<i64> = before.iter().map(|l| l.opportunity).filter(|o| !open_now.contains(o)).collect();
    let outcomes = outcomes_of(db, scope, &gone)?;
    let changes = changes_between(&before, &now, &outcomes, &push_counts);
    let mut by_person: BTreeMap<i64, BTreeMap<ChangeKind, usize>> = BTreeMap::new();
    let mut total = BTreeMap::new();
    for change in &changes {
        *by_person.entry(change.owner).or_default().entry(change.kind).or_default() += 1;
        *total.entry(change.kind).or_default() += 1;
    }
    let by_rep = by_person
        .into_iter()
        .filter_map(|(person, counts)| {
            let who = directory.person(person)?;
            Some(ChangeCounts { person, external_id: who.external_id.clone(), name: who.name.clone(), counts })
        })
        .collect();
    Ok(WeekChanges { since: Some(snapshots::week_text(since)), changes, by_rep, total })
}

fn outcomes_of(db: &mut Db, scope: &Viewer, deals: &[i64]) -> Result<HashMap<i64, StageOutcome>> {
    let mut outcomes = HashMap::new();
    for chunk in deals.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut params = vec![scope.org.value()];
        params.extend(chunk.iter().map(|&d| Value::Int(d)));
        db.query_each(
            &format!(
                "SELECT id, status FROM opportunities WHERE org_id = ? AND deleted_at IS NULL AND id IN ({marks})"
            ),
            &params,
            |row| {
                outcomes.insert(row.int(0)?.unwrap_or_default(), crate::crm::pipeline::outcome_of(row.text(1)?)?);
                Ok(())
            },
        )?;
    }
    Ok(outcomes)
}

/// A call of the past, as the demo's history records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastCallInput {
    pub period: Period,
    pub subject: RepId,
    /// A manager's adjustment of the subject's call rather than the subject's own.
    pub adjustment: bool,
    pub call: Call,
    pub note: String,
    pub by: Option<RepId>,
    pub submitted_at: chrono::DateTime<Utc>,
}

/// A history to record at once: past weeks' snapshots (each of the pipeline as it stood at the
/// week's start) and past calls.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordHistory {
    pub weeks: Vec<NaiveDate>,
    pub calls: Vec<PastCallInput>,
}

/// Records a forecast history in one transaction, unaudited as an import is (administrators and
/// the operator): the weeks not taken yet and every call. `as_it_stood` sets each deal of a past
/// week as it stood that week, for what the records keep only today's value of (its expected close
/// and amount). Returns (weeks written, calls written).
pub fn record_history(
    db: &mut Db,
    scope: &Viewer,
    history: &RecordHistory,
    as_it_stood: impl Fn(NaiveDate, &mut SnapshotLine),
) -> Result<(usize, usize)> {
    permit(scope, Resource::Settings, Action::Edit)?;
    let mut refusals = Refusals::new();
    for call in &history.calls {
        if !scope.reaches(call.subject.get()) {
            refusals.push(Refusal::new("rep_id", Code::RepOutOfReach).count("rep", call.subject.get()));
        }
        if call.call.commit_cents < 0 || call.call.best_case_cents < call.call.commit_cents {
            refusals.push(Refusal::new("best_case_cents", Code::BestCaseBelowCommit));
        }
    }
    refuse_any(refusals)?;
    db.transaction(|db| {
        let mut weeks = 0;
        for &day in &history.weeks {
            let mut lines = snapshots::pipeline_as_of(db, scope.org, day)?;
            lines.iter_mut().for_each(|line| as_it_stood(day, line));
            let at = crate::kpi::queries::midnight(day);
            weeks += usize::from(snapshots::write_week(db, scope.org, snapshots::week_key(day), at, &lines)?);
        }
        let calls: Vec<NewCall> = history
            .calls
            .iter()
            .map(|c| NewCall {
                period: c.period,
                subject: c.subject.get(),
                kind: if c.adjustment { CallKind::Adjustment } else { CallKind::Own },
                call: c.call,
                note: &c.note,
                by_person: c.by.map(RepId::get),
                at: c.submitted_at,
            })
            .collect();
        Ok((weeks, calls::load(db, scope.org, &calls)?))
    })
}
