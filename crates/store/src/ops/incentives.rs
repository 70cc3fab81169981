//! Incentives (`docs/INCENTIVES.md`): saving a year's plans file (and trying it on the previous
//! year first), the statements of a month — provisional ones computed live from the current data,
//! approved by the rep's manager, locked by an executive or admin — disputes and their resolution,
//! a rep's earnings with the next tier and the what-ifs of their open deals, and contest standings.
//! Who may do each is `quotient_core::access`'s; what each refuses is here; what a plan pays is the
//! engine's (`quotient_core::incentives`), fed by `crate::incentives`.

use super::reports::{self, SubjectRequest};
use super::{permit, refuse_any};
use crate::access::Viewer;
use crate::db::Db;
use crate::error::{Code, Refusal, Result, StoreError};
use crate::ids::{OpportunityId, RepId};
use crate::incentives::compute::{self, Books};
use crate::incentives::sheet::{StatementSheet, StatementState};
use crate::incentives::{contests, disputes, plans, statements};
use crate::kpi::Directory;
use chrono::{Datelike, NaiveDate};
use quotient_core::Period;
use quotient_core::access::{self, Action, Resource};
use quotient_core::input::Refusals;
use quotient_core::period::PeriodKind;
use serde::Serialize;

/// The longest dispute comment or resolution note, in characters.
pub const NOTE_MAX: usize = 2_000;

/// A year's plans file to check, or to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavePlans {
    /// The year the file is for; the file's own `fiscal_year` must say the same.
    pub fiscal_year: i32,
    /// The file's text (JSON, `INCENTIVES.md` §7).
    pub file: String,
}

/// A plans file checked: what it holds, and what it would have paid over the previous year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlansChecked {
    pub fiscal_year: i32,
    pub plans: usize,
    pub assignments: usize,
    pub contests: usize,
    pub preview: PlanPreview,
}

/// What plans would have paid each rep over a past year, and their cost as a share of revenue,
/// per team (the reps under each manager directly) and in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanPreview {
    /// The year replayed.
    pub year: i32,
    pub reps: Vec<RepCost>,
    pub teams: Vec<TeamCost>,
    pub total: TeamCost,
}

/// A rep's pay under the plans over the replayed year, and the revenue they won in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepCost {
    pub rep_id: i64,
    pub rep_external_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager_id: Option<i64>,
    pub earnings_cents: i64,
    pub revenue_cents: i64,
}

/// The pay of a team (or of everyone) and its revenue; `cost_share` = pay ÷ revenue, an exact
/// decimal as text, absent without revenue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamCost {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager_id: Option<i64>,
    pub name: String,
    pub earnings_cents: i64,
    pub revenue_cents: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_share: Option<String>,
}

/// Checks a plans file and replays it over the previous year, saving nothing: every problem is
/// refused at once, each with its JSON path (`plans_file` with `path` and `problem`; an unknown rep
/// or product line with `path` and `id`).
pub fn check_plans(db: &mut Db, scope: &Viewer, command: &SavePlans) -> Result<PlansChecked> {
    permit(scope, Resource::IncentivePlans, Action::Read)?;
    let directory = Directory::load(db, scope.org)?;
    let file = plans::read(&directory, command)?;
    let preview = compute::preview(db, scope, &directory, &file)?;
    Ok(plans::checked(&file, preview))
}

/// Saves a plans file, replacing the year's plans and contests as a whole, audited; refused as
/// [`check_plans`] refuses. Executives and admins only.
pub fn save_plans(db: &mut Db, scope: &Viewer, command: &SavePlans) -> Result<PlansChecked> {
    permit(scope, Resource::IncentivePlans, Action::Edit)?;
    let directory = Directory::load(db, scope.org)?;
    let file = plans::read(&directory, command)?;
    let preview = compute::preview(db, scope, &directory, &file)?;
    db.transaction(|db| plans::save(db, scope.org, scope.actor(), &directory, &file, &command.file))?;
    Ok(plans::checked(&file, preview))
}

/// The saved plans file of a year, as saved; `None` when the year has none.
pub fn plans_file(db: &mut Db, scope: &Viewer, fiscal_year: i32) -> Result<Option<String>> {
    permit(scope, Resource::IncentivePlans, Action::Read)?;
    plans::file_text(db, scope.org, fiscal_year)
}

/// The statements to read: of a month, for a subject (the caller's own by default: a rep their
/// own, a manager their team, an executive or admin the organisation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementsOf {
    /// A month (`2027-03`).
    pub period: Period,
    pub subject: SubjectRequest,
    /// Today: a month not ended by then is provisional, computed as of this day.
    pub today: NaiveDate,
}

/// The statements of a month of the reps with a plan in the subject (managers with an overlay
/// plan included), by rep id: approved and locked ones as kept, the others computed live from the
/// current data (a write is visible at the next read). Refused when the period is not a month or
/// the subject is out of the caller's reach.
pub fn statements(db: &mut Db, scope: &Viewer, query: &StatementsOf) -> Result<Vec<StatementSheet>> {
    permit(scope, Resource::Statements, Action::Read)?;
    let month = month_of(query.period)?;
    let directory = Directory::load(db, scope.org)?;
    let subject = reports::subject(scope, &directory, &query.subject)?;
    let people = compute::people_of(&directory, &subject)?;
    let books = Books::load(db, scope.org, &directory, month.start().year(), &people, month.end(), query.today)?;
    books.statements(db, scope.org, month)
}

/// One rep's statement of one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementRef {
    pub rep: RepId,
    /// A month (`2027-03`).
    pub period: Period,
    pub today: NaiveDate,
}

/// Approves a rep's statement of an ended month as computed now, and keeps it: the rep's manager
/// (or anyone above them), never the rep. Refused when the month has not ended, the statement is
/// locked, or the rep has no plan. Approving again (before the lock) keeps the new computation.
pub fn approve_statement(db: &mut Db, scope: &Viewer, statement: &StatementRef) -> Result<StatementSheet> {
    permit(scope, Resource::Statements, Action::Edit)?;
    let rep = statement.rep.get();
    if !access::approves_statements(scope.role, scope.reaches(rep), scope.rep_id == Some(rep)) {
        return Err(StoreError::NotPermitted);
    }
    let month = ended_month(statement)?;
    db.transaction(|db| {
        let mut sheet = rep_statement(db, scope, rep, month, statement.today, true)?;
        sheet.state = StatementState::Approved;
        statements::approve(db, scope.org, scope.actor(), &sheet)?;
        Ok(sheet)
    })
}

/// Locks (pays) an approved statement: executives and admins. The kept statement never changes
/// again; a later change to its deals shows as an adjustment on the rep's next unlocked statement.
/// Refused unless it is approved.
pub fn lock_statement(db: &mut Db, scope: &Viewer, statement: &StatementRef) -> Result<StatementSheet> {
    permit(scope, Resource::Statements, Action::Edit)?;
    let rep = statement.rep.get();
    if !access::locks_statements(scope.role) || !scope.reaches(rep) {
        return Err(StoreError::NotPermitted);
    }
    let month = month_of(statement.period)?;
    db.transaction(|db| {
        let sheet = statements::lock(db, scope.org, scope.actor(), rep, &month_key(month))?;
        contests::record_awards(db, scope.org, &sheet)?;
        Ok(sheet)
    })
}

/// A rep's dispute of one line of their statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeLine {
    pub rep: RepId,
    pub period: Period,
    /// The line disputed: a deal line's opportunity external id, a component's key, or
    /// `adjustment:N` / `award:N` (0-based).
    pub line: String,
    pub comment: String,
    pub today: NaiveDate,
}

/// A dispute as kept.
pub use crate::incentives::disputes::Dispute;

/// Disputes a line of the rep's own statement with a comment (the rep only), audited; returns the
/// dispute. Refused without a comment, or when the statement has no such line.
pub fn dispute_line(db: &mut Db, scope: &Viewer, command: &DisputeLine) -> Result<Dispute> {
    permit(scope, Resource::Statements, Action::Create)?;
    let rep = command.rep.get();
    if !access::disputes_statement(scope.role, scope.rep_id == Some(rep)) {
        return Err(StoreError::NotPermitted);
    }
    let month = month_of(command.period)?;
    let mut refusals = Refusals::new();
    let comment = command.comment.trim();
    if comment.is_empty() {
        refusals.push(Refusal::new("comment", Code::Required));
    }
    if let Some(refusal) = too_long("comment", comment, NOTE_MAX) {
        refusals.push(refusal);
    }
    refuse_any(refusals)?;
    db.transaction(|db| {
        let sheet = rep_statement(db, scope, rep, month, command.today, false)?;
        if !compute::has_line(&sheet, &command.line) {
            return Err(Refusal::new("line", Code::DisputeLineUnknown).text("line", command.line.clone()).into());
        }
        disputes::open(db, scope.org, scope.actor(), rep, &month_key(month), &command.line, comment)
    })
}

/// How a manager resolves a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Accepted: an adjustment of this amount (cents, negative to take back) lands on the rep's
    /// next unlocked statement.
    Accept {
        amount_cents: i64,
    },
    Reject,
}

/// A dispute to resolve, with the manager's note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveDispute {
    pub dispute: i64,
    pub resolution: Resolution,
    pub note: String,
    pub today: NaiveDate,
}

/// Resolves an open dispute of a rep the caller approves statements of, audited: accepted with an
/// adjustment and a note, or rejected with a note. Refused without a note, or when it is resolved.
pub fn resolve_dispute(db: &mut Db, scope: &Viewer, command: &ResolveDispute) -> Result<Dispute> {
    permit(scope, Resource::Statements, Action::Edit)?;
    let mut refusals = Refusals::new();
    let note = command.note.trim();
    if note.is_empty() {
        refusals.push(Refusal::new("note", Code::Required));
    }
    if let Some(refusal) = too_long("note", note, NOTE_MAX) {
        refusals.push(refusal);
    }
    if let Resolution::Accept { amount_cents } = command.resolution
        && amount_cents.checked_abs().is_none_or(|size| size > quotient_core::incentives::MAX_CENTS)
    {
        refusals.push(Refusal::new("amount_cents", Code::Amount));
    }
    refuse_any(refusals)?;
    db.transaction(|db| {
        let dispute = disputes::get(db, scope.org, command.dispute)?
            .filter(|d| {
                access::approves_statements(scope.role, scope.reaches(d.rep_id), scope.rep_id == Some(d.rep_id))
            })
            .ok_or_else(|| StoreError::NotFound(format!("there is no dispute {} in your team", command.dispute)))?;
        if dispute.state != disputes::DisputeState::Open {
            return Err(Refusal::new("dispute", Code::DisputeResolved).into());
        }
        let landing = match command.resolution {
            Resolution::Accept { .. } => {
                Some(statements::next_unlocked_month(db, scope.org, dispute.rep_id, command.today)?)
            }
            Resolution::Reject => None,
        };
        disputes::resolve(db, scope.org, scope.actor(), &dispute, command.resolution, note, landing.as_deref())
    })
}

/// The disputes of the statements of a month in the caller's reach (a rep: their own).
pub fn disputes_of(db: &mut Db, scope: &Viewer, period: Period) -> Result<Vec<Dispute>> {
    permit(scope, Resource::Statements, Action::Read)?;
    let month = month_of(period)?;
    let found = disputes::of_month(db, scope.org, &month_key(month))?;
    Ok(found.into_iter().filter(|d| scope.reaches(d.rep_id)).collect())
}

/// What a rep earns: the month so far, the year to date, what the next tier of each component is
/// worth, and what closing each open deal this month would add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Earnings {
    pub month: StatementSheet,
    /// Payable on the year's statements up to and including this month.
    pub year_to_date_cents: i64,
    pub next_steps: Vec<NextTier>,
    pub what_ifs: Vec<WhatIfDeal>,
}

/// The next attainment at which a component pays more, and what reaching it is worth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextTier {
    pub plan: String,
    pub key: String,
    pub attainment: String,
    /// Still to credit: cents for money, deals otherwise.
    pub credited_needed: String,
    pub worth_cents: i64,
}

/// What closing an open deal today would add to the rep's earnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhatIfDeal {
    pub opportunity_id: OpportunityId,
    pub opportunity_external_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub amount_cents: i64,
    pub adds_cents: i64,
}

/// A rep's earnings as of `today` (the rep, or anyone reaching them). Refused when the rep is out of
/// reach.
pub fn earnings(db: &mut Db, scope: &Viewer, rep: RepId, today: NaiveDate) -> Result<Earnings> {
    permit(scope, Resource::Statements, Action::Read)?;
    let rep = rep.get();
    if !scope.reaches(rep) {
        return Err(Refusal::new("rep_id", Code::RepOutOfReach).count("rep", rep).into());
    }
    let directory = Directory::load(db, scope.org)?;
    let until = today.succ_opt().unwrap_or(today);
    let books = Books::load(db, scope.org, &directory, today.year(), &[rep], until, today)?;
    books.earnings(db, scope.org, rep)
}

/// A contest's standings (live while it runs) and, once it has ended, its awards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContestStandings {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Whether the end date has passed: the awards are decided.
    pub decided: bool,
    pub rows: Vec<StandingRow>,
}

/// A participant's standing, best first, with what they win (or would win now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StandingRow {
    pub rep_id: i64,
    pub rep_external_id: String,
    pub name: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<u32>,
    pub amount_cents: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prizes: Vec<String>,
}

/// The standings of the contests of a year that have started by `today`, for whoever reads the
/// leaderboard; a rep sees their peers' standings as the leaderboard shows them. `directory` is
/// the organisation's, as [`Directory::load`] reads it.
pub fn contest_standings(
    db: &mut Db,
    scope: &Viewer,
    directory: &Directory,
    fiscal_year: i32,
    today: NaiveDate,
) -> Result<Vec<ContestStandings>> {
    permit(scope, Resource::Leaderboard, Action::Read)?;
    let Some(file) = plans::saved(db, scope.org, fiscal_year)? else { return Ok(vec![]) };
    let mut standings = contests::standings(db, scope.org, directory, &file, today)?;
    // A rep sees where they stand, not who the others are (as on the leaderboard).
    if quotient_core::access::reach(scope.role) == quotient_core::access::Reach::Own {
        for row in standings.iter_mut().flat_map(|c| c.rows.iter_mut()).filter(|row| !scope.reaches(row.rep_id)) {
            row.name.clear();
            row.rep_external_id.clear();
        }
    }
    Ok(standings)
}

fn too_long(field: &'static str, text: &str, max: usize) -> Option<Refusal> {
    (text.chars().count() > max).then(|| Refusal::new(field, Code::TooLong).count("max", max as i64))
}

/// The month `period` is, or refused (`period`, [`Code::StatementPeriod`]).
fn month_of(period: Period) -> Result<Period> {
    if period.kind() == PeriodKind::Month {
        Ok(period)
    } else {
        Err(Refusal::new("period", Code::StatementPeriod).into())
    }
}

/// The statement's month once it has ended, or refused (`period`, [`Code::StatementMonthOpen`]).
fn ended_month(statement: &StatementRef) -> Result<Period> {
    let month = month_of(statement.period)?;
    if month.end() > statement.today {
        return Err(Refusal::new("period", Code::StatementMonthOpen).into());
    }
    Ok(month)
}

/// `YYYY-MM`, as statements are kept.
pub(crate) fn month_key(month: Period) -> String {
    month.to_string()
}

/// The rep's statement of the month: computed now when `live`, else as shown (kept, or computed
/// now); refused when the rep has no plan in the year.
fn rep_statement(
    db: &mut Db,
    scope: &Viewer,
    rep: i64,
    month: Period,
    today: NaiveDate,
    live: bool,
) -> Result<StatementSheet> {
    let directory = Directory::load(db, scope.org)?;
    let books = Books::load(db, scope.org, &directory, month.start().year(), &[rep], month.end(), today)?;
    let sheet =
        if live { books.live(db, scope.org, rep, month)? } else { books.statement(db, scope.org, rep, month)? };
    sheet.ok_or_else(|| Refusal::new("rep_id", Code::StatementNoPlan).into())
}
