//! A report broken down one level of the hierarchy, for the view of a large organisation: under
//! the organisation its top managers' teams, under a manager the teams of the managers reporting to
//! them — each with the totals of its whole subtree — and the reps reporting directly, all from
//! the one read of the subject's report.

use super::people::{Directory, Subject};
use super::report::{Card, Report, ReportRequest, report_with_groups};
use crate::db::Db;
use crate::error::Result;
use crate::orgs::OrgId;
use std::collections::HashMap;

/// The subject's report and its teams one level down.
#[derive(Debug, Clone)]
pub struct TeamsReport {
    /// The subject's total, and in `reps` only the reps reporting directly to it.
    pub report: Report,
    pub teams: Vec<TeamTotal>,
    /// The managers from the top of the organisation down to the subject, for a way back up:
    /// (id, name); empty for the organisation.
    pub path: Vec<(i64, String)>,
    /// The flags and met and evaluated standards of all the subject's reps, summed.
    pub flags: usize,
    pub standards_met: usize,
    pub standards: usize,
}

/// A team: a manager's whole subtree, pooled.
#[derive(Debug, Clone)]
pub struct TeamTotal {
    pub manager: i64,
    /// The reps of the whole subtree.
    pub reps: usize,
    /// The subtree's pooled scorecard, as a report's total is (the name is the manager's).
    pub card: Card,
    /// Flags raised on the subtree's reps, and the standards they meet of those evaluated, summed
    /// over the reps.
    pub flags: usize,
    pub standards_met: usize,
    pub standards: usize,
}

/// The report on `request`'s subject — the organisation or a manager's team — with its teams one
/// level down. Any other subject has no teams: it is reported as it is.
pub fn teams_report(db: &mut Db, org: OrgId, directory: &Directory, request: &ReportRequest) -> Result<TeamsReport> {
    let top = match &request.subject {
        Subject::Organisation => None,
        Subject::Team(key) => directory.people.iter().find(|p| &p.external_id == key).map(|p| p.id),
        _ => {
            let (report, _) = report_with_groups(db, org, directory, request, &[])?;
            let (flags, (standards_met, standards)) = flags_and_standards(report.reps.iter());
            return Ok(TeamsReport { report, teams: Vec::new(), path: Vec::new(), flags, standards_met, standards });
        }
    };
    let (managers, direct_reps) = one_level_down(directory, top);
    let groups: Vec<(String, Vec<i64>)> = managers
        .iter()
        .map(|&manager| {
            let name = directory.person(manager).map(|p| p.name.clone()).unwrap_or_default();
            let reps = directory.subtree(manager).into_iter().filter(|&id| is_rep(directory, id)).collect();
            (name, reps)
        })
        .collect();
    let (mut report, cards) = report_with_groups(db, org, directory, request, &groups)?;
    // The reps' cards, by external id, to sum each team's flags and standards.
    let by_key: HashMap<&str, &Card> =
        report.reps.iter().filter_map(|card| card.rep_id.as_deref().map(|key| (key, card))).collect();
    let teams = managers
        .iter()
        .zip(groups.iter().zip(cards))
        .map(|(&manager, ((_, reps), card))| {
            let rep_cards: Vec<&Card> = reps
                .iter()
                .filter_map(|&id| directory.person(id).and_then(|p| by_key.get(p.external_id.as_str()).copied()))
                .collect();
            let (flags, (standards_met, standards)) = flags_and_standards(rep_cards.into_iter());
            TeamTotal { manager, reps: reps.len(), flags, standards_met, standards, card }
        })
        .collect();
    let (flags, (standards_met, standards)) = flags_and_standards(report.reps.iter());
    let direct: Vec<&str> =
        direct_reps.iter().filter_map(|&id| directory.person(id)).map(|p| p.external_id.as_str()).collect();
    report.reps.retain(|card| card.rep_id.as_deref().is_some_and(|key| direct.contains(&key)));
    let path = top.map(|id| path_to(directory, id)).unwrap_or_default();
    Ok(TeamsReport { report, teams, path, flags, standards_met, standards })
}

/// The flags raised on `cards`, and the standards they meet of those evaluated, summed.
pub fn flags_and_standards<'a>(cards: impl Iterator<Item = &'a Card>) -> (usize, (usize, usize)) {
    cards.fold((0, (0, 0)), |(flags, (met, all)), card| {
        let (m, a) = card.standards_met();
        (flags + card.scorecard.flags.len(), (met + m, all + a))
    })
}

fn is_rep(directory: &Directory, id: i64) -> bool {
    directory.person(id).is_some_and(|p| p.is_rep)
}

/// Who reports directly to `top` (the organisation's top when `None`: those without a manager in
/// the directory): the managers of a team — someone reports to them — and the reps, each by name.
pub fn one_level_down(directory: &Directory, top: Option<i64>) -> (Vec<i64>, Vec<i64>) {
    let has_reports: std::collections::HashSet<i64> = directory.people.iter().filter_map(|p| p.manager_id).collect();
    let mut children: Vec<_> = directory
        .people
        .iter()
        .filter(|p| match top {
            Some(top) => p.manager_id == Some(top),
            None => p.manager_id.is_none_or(|m| directory.person(m).is_none()),
        })
        .collect();
    children.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let managers = children.iter().filter(|p| has_reports.contains(&p.id)).map(|p| p.id).collect();
    let reps = children.iter().filter(|p| !has_reports.contains(&p.id) && p.is_rep).map(|p| p.id).collect();
    (managers, reps)
}

/// The managers from the top down to `id`, `id` last; a cycle in the hierarchy stops the walk.
pub fn path_to(directory: &Directory, id: i64) -> Vec<(i64, String)> {
    let mut path = Vec::new();
    let mut next = Some(id);
    while let Some(person) = next.and_then(|id| directory.person(id)) {
        if path.iter().any(|(seen, _)| *seen == person.id) {
            break;
        }
        path.push((person.id, person.name.clone()));
        next = person.manager_id;
    }
    path.reverse();
    path
}
