//! The manager's home: one row per rep of the team — prospecting, deals moved through the stages,
//! funnel ratios, attainment, magic number and barometer, flags, standards met — sortable, for any
//! period, with a drill-down to each rep. An executive's (and an admin's) opens on teams instead:
//! one row per top manager's whole subtree with its totals, drilling down a level at a time to a
//! team's own teams and the reps reporting directly, the organisation's total on top.

use super::{as_of, encode, period_param, require, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::cache;
use crate::error::{Error, PageError, subject_missing};
use crate::i18n::Locale;
use crate::templates::{self, Paged, against, flag_badges, pager, period_picker, sort_header};
use axum::extract::{Query, State};
use maud::{Markup, html};
use quotient_core::Period;
use quotient_core::access::{self, Action, Resource};
use quotient_core::coaching::KeyAccountCoverage;
use quotient_core::diagnostics::{FlagKind, Thresholds};
use quotient_core::period::PeriodKind;
use quotient_store::Db;
use quotient_store::crm::pipeline::{self, Stage};
use quotient_store::ids::RepId;
use quotient_store::kpi::{Card, Directory, Report, Subject, TeamTotal, flags_and_standards};
use quotient_store::ops::reports::{self, Named, ReportOn, SubjectRequest};
use quotient_store::planning::account_maps;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(serde::Deserialize, Default)]
pub struct DashboardQuery {
    period: Option<String>,
    /// A manager's id (internal) whose team to show, within the caller's reach.
    team: Option<i64>,
    sort: Option<String>,
    dir: Option<String>,
    /// The page of the teams, from 1.
    page: Option<i64>,
    /// The page of the reps, from 1.
    reps_page: Option<i64>,
}

/// What a dashboard shows, computed once per team, period and language until the data changes.
pub struct Dashboard {
    report: Report,
    rows: Vec<Row>,
    stages: Vec<Stage>,
    team_name: Option<String>,
    /// Whether the dashboard opens on teams ([`access::dashboard_opens_on_teams`]).
    by_teams: bool,
    /// The teams one level down (by teams only).
    teams: Vec<TeamTotal>,
    /// The managers from the top down to the team shown (by teams only).
    path: Vec<(i64, String)>,
    /// The flags, and the met and evaluated standards, of all the subject's reps.
    sums: (usize, usize, usize),
}

/// A dashboard row: the rep's scorecard and how many of their deals entered each stage.
struct Row {
    rep: i64,
    card: Card,
    entries: HashMap<String, i64>,
    /// The key-account coverage of the rep's territory plan of the evaluation day's year.
    key_accounts: KeyAccountCoverage,
}

pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<DashboardQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::TeamDashboard, Action::Read)?;
    let period = period_param(query.period.as_deref(), PeriodKind::Month).map_err(|e| PageError(e, caller.locale))?;
    let directories = state.directories.clone();
    let dashboards = Arc::clone(&state.dashboards);
    let pool = state.pool.clone();
    let team = query.team;
    let by_teams = access::dashboard_opens_on_teams(caller.user.role);
    let dashboard = with_db(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        let asked = team.map_or(SubjectRequest::Own, |id| SubjectRequest::Team(Named::Id(RepId(id))));
        let subject = reports::subject(&caller.viewer, &directory, &asked).map_err(subject_missing)?;
        let team_name = match &subject {
            Subject::Team(key) => directory.people.iter().find(|p| &p.external_id == key).map(|p| p.name.clone()),
            _ => None,
        };
        let request = ReportOn { subject: asked, period, as_of: as_of(period), lang: caller.locale };
        let key = format!("{subject:?}|{period}|{}|{:?}|{by_teams}", request.as_of, request.lang);
        let large = cache::large(&directory, &subject);
        let caller = caller.clone();
        dashboards.get_or_refresh(db, caller.user.org, key, large, &pool, move |db| {
            compute(db, &caller, &directory, request, team_name, by_teams)
        })
    })
    .await?;
    Ok(render(&caller, &query, period, &dashboard))
}

/// The team's report and each rep's stage entries in the period.
fn compute(
    db: &mut Db,
    caller: &Caller,
    directory: &Directory,
    request: ReportOn,
    team_name: Option<String>,
    by_teams: bool,
) -> Result<Dashboard, Error> {
    let period = request.period;
    // A manager's dashboard lists every rep of the team; by teams, the teams and the direct reps.
    let (report, teams, path, sums) = if by_teams {
        let teams = reports::teams(db, &caller.viewer, directory, &request).map_err(subject_missing)?;
        (teams.report, teams.teams, teams.path, (teams.flags, teams.standards_met, teams.standards))
    } else {
        let report = reports::report(db, &caller.viewer, directory, &request).map_err(subject_missing)?;
        let (flags, (met, evaluated)) = flags_and_standards(report.reps.iter());
        (report, Vec::new(), Vec::new(), (flags, met, evaluated))
    };
    let by_external: HashMap<&str, i64> = directory.people.iter().map(|p| (p.external_id.as_str(), p.id)).collect();
    let reps: Vec<i64> =
        report.reps.iter().filter_map(|c| c.rep_id.as_deref().and_then(|e| by_external.get(e).copied())).collect();
    let mut entries = pipeline::stage_entries(db, &caller.viewer, &reps, period)?;
    let year = chrono::Datelike::year(&report.as_of);
    let mut key_accounts = account_maps::key_account_coverage(db, caller.user.org, &reps, year, report.as_of)?;
    let rows = report
        .reps
        .iter()
        .zip(&reps)
        .map(|(card, &rep)| Row {
            rep,
            card: card.clone(),
            entries: entries.extract_if(|(r, _), _| *r == rep).map(|((_, stage), n)| (stage, n)).collect(),
            key_accounts: key_accounts.remove(&rep).unwrap_or_default(),
        })
        .collect::<Vec<_>>();
    let stages = pipeline::stages(db, &caller.viewer)?;
    Ok(Dashboard { report, rows, stages, team_name, by_teams, teams, path, sums })
}

/// The stages whose entries the dashboard counts: every open stage after the first, and won.
fn moved_stages(stages: &[Stage]) -> Vec<&Stage> {
    stages.iter().skip(1).filter(|s| s.outcome != quotient_core::model::StageOutcome::Lost).collect()
}

/// A sortable figure of a row.
fn figure(row: &Row, key: &str) -> Option<f64> {
    match key.strip_prefix("moved_") {
        Some(stage) => row.entries.get(stage).map(|n| *n as f64).or(Some(0.0)),
        None if key == "key_account_coverage" => row.key_accounts.covered,
        None => card_figure(&row.card, key),
    }
}

/// A sortable figure of a team.
fn team_figure(team: &TeamTotal, key: &str) -> Option<f64> {
    match key {
        "reps" => Some(team.reps as f64),
        "flags" => Some(team.flags as f64),
        "standards" => share(team.standards_met, team.standards),
        key => card_figure(&team.card, key),
    }
}

/// A sortable figure of a scorecard.
fn card_figure(card: &Card, key: &str) -> Option<f64> {
    let s = &card.scorecard;
    Some(match key {
        "cold_calls" => s.activity.cold_calls as f64,
        "conversations" => s.activity.conversations as f64,
        "appointments_set" => s.activity.appointments_set as f64,
        "first_appointment_to_next_step" => return s.funnel.first_appointment_to_next_step,
        "first_appointment_to_proposal" => return s.funnel.first_appointment_to_proposal,
        "closing_ratio" => return s.funnel.closing_ratio,
        "top_level_contact_share" => return card.top_level_contact_share,
        "conversation_to_appointment" => return s.activity.conversation_to_appointment,
        "activity_goals" => return goals_met_share(card),
        "attainment" => return s.attainment.revenue,
        "revenue" => s.outcome.revenue.cents() as f64,
        "magic_number" => return s.magic_number.per_week,
        "barometer" => return s.barometer_pct,
        "flags" => s.flags.len() as f64,
        "standards" => {
            let (met, evaluated) = card.standards_met();
            return share(met, evaluated);
        }
        _ => return None,
    })
}

/// Met of evaluated, for sorting; none evaluated sorts last.
fn share(met: usize, evaluated: usize) -> Option<f64> {
    (evaluated > 0).then(|| met as f64 / evaluated as f64)
}

/// Sorts by `sort` (a name, or a figure: undefined figures last either way).
fn sort_rows<T>(
    items: &mut [&T],
    sort: &str,
    descending: bool,
    name: fn(&T) -> &str,
    figure: fn(&T, &str) -> Option<f64>,
) {
    if sort == "name" {
        items.sort_by(|a, b| name(*a).cmp(name(*b)));
        return;
    }
    items.sort_by(|a, b| match (figure(*a, sort), figure(*b, sort)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    if descending {
        items.reverse();
        items.sort_by_key(|item| figure(*item, sort).is_none());
    }
}

fn render(caller: &Caller, query: &DashboardQuery, period: Period, dashboard: &Dashboard) -> Markup {
    let Dashboard { report, rows, stages, team_name, by_teams, teams, path, sums } = dashboard;
    let mut rows: Vec<&Row> = rows.iter().collect();
    let mut teams: Vec<&TeamTotal> = teams.iter().collect();
    let l = caller.locale;
    let sort = query.sort.as_deref().unwrap_or("name");
    let descending = query.dir.as_deref() == Some("desc");
    sort_rows(&mut rows, sort, descending, |row| row.card.name.as_str(), figure);
    sort_rows(&mut teams, sort, descending, |team| team.card.name.as_str(), team_figure);
    let team = query.team.map(|t| format!("&team={t}")).unwrap_or_default();
    let base = format!("/dashboard?period={}{team}", encode(&period.to_string()));
    let keep = format!("{team}&sort={}&dir={}", encode(sort), if descending { "desc" } else { "asc" });
    // A large organisation has more teams, and a large team more reps, than a page shows.
    let sorted = format!("/dashboard?period={}{keep}", encode(&period.to_string()));
    let (teams_page, reps_page) = (Paged::of(teams.len(), query.page), Paged::of(rows.len(), query.reps_page));
    let moved = moved_stages(stages);
    let title = match team_name {
        Some(name) => l.tf("dashboard.title_team", &[("team", name)]),
        None => l.tf("dashboard.title_org", &[("org", &caller.org_name)]),
    };
    let th = |label: &str, key: &str| sort_header(label, key, &base, sort, descending, key != "name");
    let total = &report.total;
    let drill = |manager: i64| format!("/dashboard?period={}&team={manager}", encode(&period.to_string()));
    let reps_count = if *by_teams { teams.iter().map(|t| t.reps).sum::<usize>() + rows.len() } else { rows.len() };
    let body = html! {
        @if *by_teams {
            nav.breadcrumb #breadcrumb aria-label=(l.t("dashboard.breadcrumb")) {
                a href={ "/dashboard?period=" (encode(&period.to_string())) } { (caller.org_name) }
                @for (id, name) in path.iter() {
                    " › "
                    @if Some(*id) == query.team { strong { (name) } } @else { a href=(drill(*id)) { (name) } }
                }
            }
        }
        h1 { (title) }
        (period_picker(l, "/dashboard", period, &keep))
        p.muted { (l.tf("dashboard.as_of", &[("date", &l.date(report.as_of))])) " · " (l.tf("dashboard.reps", &[("count", &l.count(reps_count as i64))]))
            " · " a href={ "/breakdowns?period=" (encode(&period.to_string())) (team) } #breakdowns-link { (l.t("breakdowns.nav")) } }
        div.tiles {
            (templates::tile(l.t("kpi.revenue"), &caller.money(total.scorecard.outcome.revenue)))
            (templates::tile(l.t("kpi.attainment"), &l.percent(total.scorecard.attainment.revenue)))
            (templates::tile(l.t("kpi.deals_won"), &l.count(total.scorecard.outcome.deals)))
            (templates::tile(l.t("kpi.pipeline"), &caller.money(total.scorecard.pipeline.pipeline)))
            (templates::tile(l.t("kpi.closing_ratio"), &l.percent(total.scorecard.funnel.closing_ratio)))
            (templates::tile(l.t("kpi.barometer"), &barometer(l, total.scorecard.barometer_pct)))
            (templates::tile(l.t("dashboard.standards"), &met_of(l, sums.1, sums.2)))
        }
        @if !teams.is_empty() {
            div.table-wrap {
                table #teams {
                    caption.muted style="caption-side: bottom; text-align: left; padding: .4rem .6rem" { (l.t("dashboard.teams_caption")) }
                    thead {
                        tr {
                            (th(l.t("dashboard.team"), "name"))
                            (th(l.t("dashboard.team_reps"), "reps"))
                            (th(l.t("kpi.revenue"), "revenue"))
                            (th(l.t("kpi.attainment"), "attainment"))
                            (th(l.t("kpi.first_appointment_to_next_step"), "first_appointment_to_next_step"))
                            (th(l.t("kpi.first_appointment_to_proposal"), "first_appointment_to_proposal"))
                            (th(l.t("kpi.closing_ratio"), "closing_ratio"))
                            (th(l.t("kpi.barometer"), "barometer"))
                            (th(l.t("dashboard.flags"), "flags"))
                            (th(l.t("dashboard.standards"), "standards"))
                        }
                    }
                    tbody {
                        @for team in teams_page.slice(&teams) {
                            tr data-team=(team.manager) {
                                td { a href=(drill(team.manager)) { (team.card.name) } }
                                td.num data-kpi="reps" { (l.count(team.reps as i64)) }
                                (cells(caller, &team.card, &report.thresholds, TEAM_FIGURES))
                                td.num data-kpi="flags" { (l.count(team.flags as i64)) }
                                td.num data-kpi="standards" { (met_of(l, team.standards_met, team.standards)) }
                            }
                        }
                    }
                    tfoot {
                        tr.total {
                            td { (l.t("dashboard.total")) }
                            td.num { (l.count(reps_count as i64)) }
                            (cells(caller, total, &report.thresholds, TEAM_FIGURES))
                            td.num { (l.count(sums.0 as i64)) }
                            td.num { (met_of(l, sums.1, sums.2)) }
                        }
                    }
                }
            }
            (pager(l, "teams-pages", &format!("{sorted}&reps_page={}", reps_page.page), teams_page, "page"))
        }
        @if !*by_teams || !rows.is_empty() {
            @if *by_teams { h2 { (l.t("dashboard.direct_reps")) } }
            div.table-wrap {
                table #dashboard {
                    caption.muted style="caption-side: bottom; text-align: left; padding: .4rem .6rem" { (l.t("dashboard.caption")) }
                    thead {
                        tr {
                            th { }
                            th colspan="3" { (l.t("dashboard.prospecting")) }
                            th colspan=(moved.len()) { (l.t("dashboard.moved")) }
                            th colspan="5" { (l.t("dashboard.ratios")) }
                            th colspan="4" { (l.t("dashboard.results")) }
                            th colspan="4" { }
                        }
                        tr {
                            (th(l.t("dashboard.rep"), "name"))
                            (th(l.t("kpi.cold_calls"), "cold_calls"))
                            (th(l.t("kpi.conversations"), "conversations"))
                            (th(l.t("kpi.appointments_set"), "appointments_set"))
                            @for stage in &moved { (th(&stage.name, &format!("moved_{}", stage.key))) }
                            (th(l.t("kpi.first_appointment_to_next_step"), "first_appointment_to_next_step"))
                            (th(l.t("kpi.first_appointment_to_proposal"), "first_appointment_to_proposal"))
                            (th(l.t("kpi.closing_ratio"), "closing_ratio"))
                            (th(l.t("kpi.top_level_contact_share"), "top_level_contact_share"))
                            (th(l.t("kpi.conversation_to_appointment"), "conversation_to_appointment"))
                            (th(l.t("kpi.revenue"), "revenue"))
                            (th(l.t("kpi.attainment"), "attainment"))
                            (th(l.t("kpi.magic_number"), "magic_number"))
                            (th(l.t("kpi.barometer"), "barometer"))
                            (th(l.t("dashboard.flags"), "flags"))
                            (th(l.t("dashboard.standards"), "standards"))
                            (th(l.t("dashboard.activity_goals"), "activity_goals"))
                            (th(l.t("kpi.key_account_coverage"), "key_account_coverage"))
                        }
                    }
                    tbody {
                        @for row in reps_page.slice(&rows) {
                            tr data-rep=(row.card.rep_id.as_deref().unwrap_or_default()) {
                                td { a href={ "/reps/" (row.rep) "?period=" (encode(&period.to_string())) } { (row.card.name) } }
                                (cells(caller, &row.card, &report.thresholds, PROSPECTING))
                                @for stage in &moved { td.num data-kpi={ "moved_" (stage.key) } { (l.count(row.entries.get(&stage.key).copied().unwrap_or(0))) } }
                                (cells(caller, &row.card, &report.thresholds, RATIOS_AND_RESULTS))
                                td { (flag_badges(l, &flags(&row.card))) }
                                td.num data-kpi="standards" { (standards_cell(l, &row.card)) }
                                (goals_met_cell(caller, &row.card))
                                (key_account_cell(caller, &row.key_accounts))
                            }
                        }
                    }
                    // By teams, the total is the teams table's: these rows are only the direct reps.
                    @if !*by_teams {
                        tfoot {
                            tr.total {
                                td { (l.t("dashboard.total")) }
                                (cells(caller, total, &report.thresholds, PROSPECTING))
                                @for stage in &moved {
                                    td.num { (l.count(rows.iter().map(|r| r.entries.get(&stage.key).copied().unwrap_or(0)).sum())) }
                                }
                                (cells(caller, total, &report.thresholds, RATIOS_AND_RESULTS))
                                td { }
                                td.num data-kpi="standards" { (met_of(l, sums.1, sums.2)) }
                                (goals_met_cell(caller, total))
                                (key_account_cell(caller, &KeyAccountCoverage::pooled(rows.iter().map(|r| r.key_accounts))))
                            }
                        }
                    }
                }
            }
            (pager(l, "reps-pages", &format!("{sorted}&page={}", teams_page.page), reps_page, "reps_page"))
        }
    };
    templates::page(caller, "dashboard", &title, body)
}

/// "met / evaluated", or "–" when none was evaluated.
fn met_of(l: Locale, met: usize, evaluated: usize) -> String {
    if evaluated == 0 { "–".to_string() } else { format!("{} / {}", l.count(met as i64), l.count(evaluated as i64)) }
}

/// A rep's standards met of evaluated, the unmet ones named in the cell's title.
fn standards_cell(l: Locale, card: &Card) -> Markup {
    let (met, evaluated) = card.standards_met();
    let unmet: Vec<&str> = card.standards.iter().filter(|e| !e.passed).map(|e| e.text.as_str()).collect();
    html! { span title=(unmet.join("\n")) { (against(met_of(l, met, evaluated), met < evaluated)) } }
}

/// The prospecting columns of a rep's row.
const PROSPECTING: &[&str] = &["cold_calls", "conversations", "appointments_set"];
/// The ratio and result columns of a rep's row.
const RATIOS_AND_RESULTS: &[&str] = &[
    "first_appointment_to_next_step",
    "first_appointment_to_proposal",
    "closing_ratio",
    "top_level_contact_share",
    "conversation_to_appointment",
    "revenue",
    "attainment",
    "magic_number",
    "barometer",
];
/// The figures of a team's row.
const TEAM_FIGURES: &[&str] = &[
    "revenue",
    "attainment",
    "first_appointment_to_next_step",
    "first_appointment_to_proposal",
    "closing_ratio",
    "barometer",
];

/// One cell per key of `keys`, each marked when below its threshold.
fn cells(caller: &Caller, card: &Card, thresholds: &Thresholds, keys: &[&str]) -> Markup {
    html! { @for key in keys { (cell(caller, card, thresholds, key)) } }
}

fn cell(caller: &Caller, card: &Card, thresholds: &Thresholds, key: &str) -> Markup {
    let (l, s) = (caller.locale, &card.scorecard);
    let below = |value: Option<f64>, threshold: f64| value.is_some_and(|v| v < threshold);
    let (text, marked) = match key {
        "cold_calls" => (l.count(s.activity.cold_calls), false),
        "conversations" => (l.count(s.activity.conversations), false),
        "appointments_set" => (l.count(s.activity.appointments_set), false),
        "first_appointment_to_next_step" => (
            l.percent(s.funnel.first_appointment_to_next_step),
            below(s.funnel.first_appointment_to_next_step, thresholds.first_appointment_to_next_step),
        ),
        "first_appointment_to_proposal" => (
            l.percent(s.funnel.first_appointment_to_proposal),
            below(s.funnel.first_appointment_to_proposal, thresholds.first_appointment_to_proposal),
        ),
        "closing_ratio" => (l.percent(s.funnel.closing_ratio), below(s.funnel.closing_ratio, thresholds.closing_ratio)),
        "top_level_contact_share" => (
            l.percent(card.top_level_contact_share),
            below(card.top_level_contact_share, thresholds.top_level_contact_share),
        ),
        "conversation_to_appointment" => (
            l.percent(s.activity.conversation_to_appointment),
            below(s.activity.conversation_to_appointment, thresholds.conversation_to_appointment),
        ),
        "revenue" => (caller.money(s.outcome.revenue), false),
        "attainment" => (l.percent(s.attainment.revenue), false),
        "magic_number" => (s.magic_number.per_week.map_or("–".to_string(), |m| l.number(m, 1)), false),
        "barometer" => (barometer(l, s.barometer_pct), below(s.barometer_pct, thresholds.barometer_pct)),
        _ => (String::new(), false),
    };
    html! { td.num data-kpi=(key) { (against(text, marked)) } }
}

/// The share of key accounts covered, with the mean coverage score beneath.
fn key_account_cell(caller: &Caller, coverage: &KeyAccountCoverage) -> Markup {
    let l = caller.locale;
    html! {
        td.num data-kpi="key_account_coverage" title=(l.t("kpi.key_account_score")) {
            (l.percent(coverage.covered))
            @if coverage.mean_score.is_some() { br; span.muted { (l.percent(coverage.mean_score)) } }
        }
    }
}

/// The share of a card's activity goals met; undefined without goals.
fn goals_met_share(card: &Card) -> Option<f64> {
    let (met, goals) = quotient_core::kpi::goals_met(&card.activity_goals);
    (goals > 0).then(|| met as f64 / goals as f64)
}

/// Activity goals met of those set in the period ("3 / 5"), "–" without goals.
fn goals_met_cell(caller: &Caller, card: &Card) -> Markup {
    let l = caller.locale;
    let (met, goals) = quotient_core::kpi::goals_met(&card.activity_goals);
    html! {
        td.num data-kpi="activity_goals" title=(l.t("dashboard.activity_goals_help")) {
            @if goals == 0 { "–" } @else { (l.count(met as i64)) " / " (l.count(goals as i64)) }
        }
    }
}

pub fn barometer(l: Locale, pct: Option<f64>) -> String {
    l.percent(pct.map(|p| p / 100.0))
}

pub fn flags(card: &Card) -> Vec<(FlagKind, bool)> {
    card.scorecard.flags.iter().map(|f| (f.kind, f.kind.is_best_practice())).collect()
}
