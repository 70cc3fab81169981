//! Reporting on a subject — a rep, a team, the organisation or a cut of it — for a period: which
//! subject a caller may report on is [`quotient_core::access::report_subject`]'s one rule, with
//! its one default, under every page, the API and the command line.

use super::permit;
use crate::access::Viewer;
use crate::db::Db;
use crate::error::{Code, Refusal, Result};
use crate::ids::RepId;
use crate::kpi::{self, Breakdowns, Directory, Report, ReportRequest, Subject, TeamsReport};
use chrono::NaiveDate;
use quotient_core::access::{self, Action, Asked, Resource};
use quotient_core::{Lang, Period};

/// A person as a request names them: by id (the pages) or by external id (the API, the command
/// line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    Id(RepId),
    Key(String),
}

/// What a report is asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectRequest {
    /// Nothing named: the caller's own (a rep's figures, a manager's team, the organisation).
    Own,
    /// Those the caller is ranked among (the leaderboard).
    Peers,
    Rep(Named),
    /// A manager's whole team.
    Team(Named),
    Organisation,
    /// A territory and those under it, by external id.
    Territory(String),
    /// Every rep, counting only a product line's deals, by the line's external id.
    ProductLine(String),
}

/// A report to make.
#[derive(Debug, Clone)]
pub struct ReportOn {
    pub subject: SubjectRequest,
    pub period: Period,
    /// The evaluation day of the magic number and the pipeline.
    pub as_of: NaiveDate,
    pub lang: Lang,
}

/// The subject the caller may report on; refused (`subject`, [`Code::SubjectOutOfReach`]) when
/// what is asked is out of their reach or names no one.
pub fn subject(scope: &Viewer, directory: &Directory, asked: &SubjectRequest) -> Result<Subject> {
    let out_of_reach = || Refusal::new("subject", Code::SubjectOutOfReach);
    let id = |named: &Named| match named {
        Named::Id(id) => directory.person(id.get()).map(|p| p.id),
        Named::Key(key) => directory.people.iter().find(|p| &p.external_id == key).map(|p| p.id),
    };
    let asked_for = match asked {
        SubjectRequest::Own => Asked::Own,
        SubjectRequest::Peers => Asked::Peers,
        SubjectRequest::Rep(named) => Asked::Rep(id(named).ok_or_else(out_of_reach)?),
        SubjectRequest::Team(named) => Asked::Team(id(named).ok_or_else(out_of_reach)?),
        SubjectRequest::Organisation => Asked::Organisation,
        SubjectRequest::Territory(_) | SubjectRequest::ProductLine(_) => Asked::Segment,
    };
    let own = scope.rep_id.and_then(|id| directory.person(id));
    let decided =
        access::report_subject(scope.role, own.map(|p| p.id), own.and_then(|p| p.manager_id), asked_for, |id| {
            scope.reaches(id)
        });
    let key = |id: i64| directory.person(id).map(|p| p.external_id.clone()).ok_or_else(out_of_reach);
    Ok(match decided.ok_or_else(out_of_reach)? {
        access::Subject::Rep(id) => Subject::Rep(key(id)?),
        access::Subject::Team(id) => Subject::Team(key(id)?),
        access::Subject::Organisation => Subject::Organisation,
        access::Subject::Segment => match asked {
            SubjectRequest::Territory(key) => Subject::Territory(key.clone()),
            SubjectRequest::ProductLine(key) => Subject::ProductLine(key.clone()),
            _ => Subject::Organisation,
        },
    })
}

/// The scorecards of the subject's reps and its total for the period; `directory` is the
/// organisation's (as a cache keeps it). Refused as [`subject`] says.
pub fn report(db: &mut Db, scope: &Viewer, directory: &Directory, request: &ReportOn) -> Result<Report> {
    permit(scope, Resource::Scorecards, Action::Read)?;
    let subject = subject(scope, directory, &request.subject)?;
    let request = ReportRequest { subject, period: request.period, as_of: request.as_of, lang: request.lang };
    kpi::report_with(db, scope.org, directory, &request)
}

/// What [`report`] reads, its cards made on demand: for writing a large subject's report card by
/// card. Refused as [`report`] is.
pub fn scorecards<'d>(
    db: &mut Db,
    scope: &Viewer,
    directory: &'d Directory,
    request: &ReportOn,
) -> Result<kpi::Scorecards<'d>> {
    permit(scope, Resource::Scorecards, Action::Read)?;
    let subject = subject(scope, directory, &request.subject)?;
    let request = ReportRequest { subject, period: request.period, as_of: request.as_of, lang: request.lang };
    kpi::Scorecards::read(db, scope.org, directory, &request)
}

/// Breakdowns to make: a subject's opportunities by gateway type, lead source and lost reason.
#[derive(Debug, Clone)]
pub struct BreakdownsOn {
    pub subject: SubjectRequest,
    pub period: Period,
}

/// The funnel and outcome of the subject's opportunities in the period by gateway type and by lead
/// source, and what was lost per lost reason (`docs/KPIS.md`: breakdowns); the subject is decided
/// and refused as for [`report`].
pub fn breakdowns(db: &mut Db, scope: &Viewer, directory: &Directory, request: &BreakdownsOn) -> Result<Breakdowns> {
    permit(scope, Resource::Scorecards, Action::Read)?;
    let subject = subject(scope, directory, &request.subject)?;
    kpi::breakdowns::breakdowns(db, scope.org, directory, &subject, request.period)
}

/// The report on a subject with its teams one level down ([`kpi::teams_report`]), for the view of
/// a large organisation: the subject as [`subject`] decides and refuses it.
pub fn teams(db: &mut Db, scope: &Viewer, directory: &Directory, request: &ReportOn) -> Result<TeamsReport> {
    permit(scope, Resource::TeamDashboard, Action::Read)?;
    let subject = subject(scope, directory, &request.subject)?;
    let request = ReportRequest { subject, period: request.period, as_of: request.as_of, lang: request.lang };
    kpi::teams_report(db, scope.org, directory, &request)
}
