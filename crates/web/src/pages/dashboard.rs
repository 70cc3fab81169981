//! The manager's home: one row per rep of the team (an executive's: of the organisation, or of a
//! chosen team) — prospecting, deals moved through the stages, funnel ratios, attainment, magic
//! number and barometer, flags — sortable, for any period, with a drill-down to each rep.

use super::{as_of, encode, period_param, require, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, PageError, subject_missing};
use crate::i18n::Locale;
use crate::templates::{self, against, flag_badges, period_picker, sort_header};
use axum::extract::{Query, State};
use maud::{Markup, html};
use quotient_core::Period;
use quotient_core::access::{Action, Resource};
use quotient_core::coaching::KeyAccountCoverage;
use quotient_core::diagnostics::{FlagKind, Thresholds};
use quotient_core::period::PeriodKind;
use quotient_store::Db;
use quotient_store::crm::pipeline::{self, Stage};
use quotient_store::ids::RepId;
use quotient_store::kpi::{Card, Directory, Report, Subject};
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
}

/// What a dashboard shows, computed once per team, period and language until the data changes.
pub struct Dashboard {
    report: Report,
    rows: Vec<Row>,
    stages: Vec<Stage>,
    team_name: Option<String>,
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
    let team = query.team;
    let dashboard = with_db(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        let asked = team.map_or(SubjectRequest::Own, |id| SubjectRequest::Team(Named::Id(RepId(id))));
        let subject = reports::subject(&caller.viewer, &directory, &asked).map_err(subject_missing)?;
        let team_name = match &subject {
            Subject::Team(key) => directory.people.iter().find(|p| &p.external_id == key).map(|p| p.name.clone()),
            _ => None,
        };
        let request = ReportOn { subject: asked, period, as_of: as_of(period), lang: caller.locale };
        let key = format!("{subject:?}|{period}|{}|{:?}", request.as_of, request.lang);
        dashboards.get(db, caller.user.org, key, |db| compute(db, caller, &directory, request, team_name))
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
) -> Result<Dashboard, Error> {
    let period = request.period;
    let report = reports::report(db, &caller.viewer, directory, &request).map_err(subject_missing)?;
    let by_external: HashMap<&str, i64> = directory.people.iter().map(|p| (p.external_id.as_str(), p.id)).collect();
    let reps: Vec<i64> =
        report.reps.iter().filter_map(|c| c.rep_id.as_deref().and_then(|e| by_external.get(e).copied())).collect();
    let mut entries = pipeline::stage_entries(db, &caller.viewer, &reps, period)?;
    let year = chrono::Datelike::year(&request.as_of);
    let mut key_accounts = account_maps::key_account_coverage(db, caller.user.org, &reps, year, request.as_of)?;
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
    Ok(Dashboard { report, rows, stages, team_name })
}

/// The stages whose entries the dashboard counts: every open stage after the first, and won.
fn moved_stages(stages: &[Stage]) -> Vec<&Stage> {
    stages.iter().skip(1).filter(|s| s.outcome != quotient_core::model::StageOutcome::Lost).collect()
}

/// A sortable figure of a row.
fn figure(row: &Row, key: &str) -> Option<f64> {
    let s = &row.card.scorecard;
    Some(match key {
        "cold_calls" => s.activity.cold_calls as f64,
        "conversations" => s.activity.conversations as f64,
        "appointments_set" => s.activity.appointments_set as f64,
        "first_appointment_to_next_step" => return s.funnel.first_appointment_to_next_step,
        "first_appointment_to_proposal" => return s.funnel.first_appointment_to_proposal,
        "closing_ratio" => return s.funnel.closing_ratio,
        "top_level_contact_share" => return row.card.top_level_contact_share,
        "conversation_to_appointment" => return s.activity.conversation_to_appointment,
        "attainment" => return s.attainment.revenue,
        "revenue" => s.outcome.revenue.cents() as f64,
        "magic_number" => return s.magic_number.per_week,
        "barometer" => return s.barometer_pct,
        "flags" => s.flags.len() as f64,
        "activity_goals" => return goals_met_share(&row.card),
        "key_account_coverage" => return row.key_accounts.covered,
        stage => return row.entries.get(stage.strip_prefix("moved_")?).map(|n| *n as f64).or(Some(0.0)),
    })
}

fn render(caller: &Caller, query: &DashboardQuery, period: Period, dashboard: &Dashboard) -> Markup {
    let Dashboard { report, rows, stages, team_name } = dashboard;
    let mut rows: Vec<&Row> = rows.iter().collect();
    let l = caller.locale;
    let sort = query.sort.as_deref().unwrap_or("name");
    let descending = query.dir.as_deref() == Some("desc");
    if sort == "name" {
        rows.sort_by(|a, b| a.card.name.cmp(&b.card.name));
    } else {
        // Undefined figures sort last either way.
        rows.sort_by(|a, b| match (figure(a, sort), figure(b, sort)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        if descending {
            rows.reverse();
        }
    }
    let team = query.team.map(|t| format!("&team={t}")).unwrap_or_default();
    let base = format!("/dashboard?period={}{team}", encode(&period.to_string()));
    let keep = format!("{team}&sort={}&dir={}", encode(sort), if descending { "desc" } else { "asc" });
    let moved = moved_stages(stages);
    let title = match team_name {
        Some(name) => l.tf("dashboard.title_team", &[("team", name)]),
        None => l.tf("dashboard.title_org", &[("org", &caller.org_name)]),
    };
    let th = |label: &str, key: &str| sort_header(label, key, &base, sort, descending, key != "name");
    let total = &report.total;
    let body = html! {
        h1 { (title) }
        (period_picker(l, "/dashboard", period, &keep))
        p.muted { (l.tf("dashboard.as_of", &[("date", &l.date(report.as_of))])) " · " (l.tf("dashboard.reps", &[("count", &l.count(rows.len() as i64))]))
            " · " a href={ "/breakdowns?period=" (encode(&period.to_string())) (team) } #breakdowns-link { (l.t("breakdowns.nav")) } }
        div.tiles {
            (templates::tile(l.t("kpi.revenue"), &caller.money(total.scorecard.outcome.revenue)))
            (templates::tile(l.t("kpi.attainment"), &l.percent(total.scorecard.attainment.revenue)))
            (templates::tile(l.t("kpi.deals_won"), &l.count(total.scorecard.outcome.deals)))
            (templates::tile(l.t("kpi.pipeline"), &caller.money(total.scorecard.pipeline.pipeline)))
            (templates::tile(l.t("kpi.closing_ratio"), &l.percent(total.scorecard.funnel.closing_ratio)))
            (templates::tile(l.t("kpi.barometer"), &barometer(l, total.scorecard.barometer_pct)))
        }
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
                        th { }
                        th { }
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
                        (th(l.t("dashboard.activity_goals"), "activity_goals"))
                        (th(l.t("kpi.key_account_coverage"), "key_account_coverage"))
                    }
                }
                tbody {
                    @for row in &rows {
                        tr data-rep=(row.card.rep_id.as_deref().unwrap_or_default()) {
                            td { a href={ "/reps/" (row.rep) "?period=" (encode(&period.to_string())) } { (row.card.name) } }
                            (figures(caller, &row.card, &report.thresholds))
                            @for stage in &moved { td.num data-kpi={ "moved_" (stage.key) } { (l.count(row.entries.get(&stage.key).copied().unwrap_or(0))) } }
                            (ratios(caller, &row.card, &report.thresholds))
                            td { (flag_badges(l, &flags(&row.card))) }
                            (goals_met_cell(caller, &row.card))
                            (key_account_cell(caller, &row.key_accounts))
                        }
                    }
                }
                tfoot {
                    tr.total {
                        td { (l.t("dashboard.total")) }
                        (figures(caller, total, &report.thresholds))
                        @for stage in &moved {
                            td.num { (l.count(rows.iter().map(|r| r.entries.get(&stage.key).copied().unwrap_or(0)).sum())) }
                        }
                        (ratios(caller, total, &report.thresholds))
                        td { }
                        (goals_met_cell(caller, total))
                        (key_account_cell(caller, &KeyAccountCoverage::pooled(rows.iter().map(|r| r.key_accounts))))
                    }
                }
            }
        }
    };
    templates::page(caller, "dashboard", &title, body)
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

fn figures(caller: &Caller, card: &Card, _thresholds: &Thresholds) -> Markup {
    let (l, a) = (caller.locale, &card.scorecard.activity);
    html! {
        td.num data-kpi="cold_calls" { (l.count(a.cold_calls)) }
        td.num data-kpi="conversations" { (l.count(a.conversations)) }
        td.num data-kpi="appointments_set" { (l.count(a.appointments_set)) }
    }
}

fn ratios(caller: &Caller, card: &Card, thresholds: &Thresholds) -> Markup {
    let l = caller.locale;
    let s = &card.scorecard;
    let below = |value: Option<f64>, threshold: f64| value.is_some_and(|v| v < threshold);
    html! {
        td.num data-kpi="first_appointment_to_next_step" {
            (against(l.percent(s.funnel.first_appointment_to_next_step), below(s.funnel.first_appointment_to_next_step, thresholds.first_appointment_to_next_step)))
        }
        td.num data-kpi="first_appointment_to_proposal" {
            (against(l.percent(s.funnel.first_appointment_to_proposal), below(s.funnel.first_appointment_to_proposal, thresholds.first_appointment_to_proposal)))
        }
        td.num data-kpi="closing_ratio" {
            (against(l.percent(s.funnel.closing_ratio), below(s.funnel.closing_ratio, thresholds.closing_ratio)))
        }
        td.num data-kpi="top_level_contact_share" {
            (against(l.percent(card.top_level_contact_share), below(card.top_level_contact_share, thresholds.top_level_contact_share)))
        }
        td.num data-kpi="conversation_to_appointment" {
            (against(l.percent(s.activity.conversation_to_appointment), below(s.activity.conversation_to_appointment, thresholds.conversation_to_appointment)))
        }
        td.num data-kpi="revenue" { (caller.money(s.outcome.revenue)) }
        td.num data-kpi="attainment" { (l.percent(s.attainment.revenue)) }
        td.num data-kpi="magic_number" { (s.magic_number.per_week.map_or("–".to_string(), |m| l.number(m, 1))) }
        td.num data-kpi="barometer" {
            (against(barometer(l, s.barometer_pct), below(s.barometer_pct, thresholds.barometer_pct)))
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
