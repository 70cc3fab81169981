//! The leaderboard of the team or the organisation, by any KPI. A rep sees where they stand and
//! the figures, but not the other reps' names.

use super::dashboard::barometer;
use super::{as_of, encode, period_param, require, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::cache;
use crate::error::{PageError, subject_missing};
use crate::templates::{self, Paged, pager, period_picker};
use axum::extract::{Query, State};
use chrono::Datelike;
use maud::{Markup, html};
use quotient_core::access::{Action, Resource};
use quotient_core::model::UserRole;
use quotient_core::period::PeriodKind;
use quotient_core::{Money, Period};
use quotient_store::kpi::Card;
use quotient_store::ops::incentives::{self, ContestStandings};
use quotient_store::ops::reports::{self, ReportOn, SubjectRequest};
use std::sync::Arc;

/// The KPIs one can rank by, best first when higher.
const KPIS: &[&str] = &[
    "revenue",
    "attainment",
    "deals_won",
    "win_rate",
    "first_appointments",
    "first_appointment_to_next_step",
    "first_appointment_to_proposal",
    "closing_ratio",
    "top_level_contact_share",
    "conversation_to_appointment",
    "barometer",
    "cold_calls",
    "conversations",
    "appointments_set",
];

fn value(card: &Card, kpi: &str) -> Option<f64> {
    let s = &card.scorecard;
    match kpi {
        "revenue" => Some(s.outcome.revenue.cents() as f64),
        "attainment" => s.attainment.revenue,
        "deals_won" => Some(s.outcome.deals as f64),
        "win_rate" => s.outcome.win_rate,
        "first_appointments" => Some(s.funnel.new_first_appointments as f64),
        "first_appointment_to_next_step" => s.funnel.first_appointment_to_next_step,
        "first_appointment_to_proposal" => s.funnel.first_appointment_to_proposal,
        "closing_ratio" => s.funnel.closing_ratio,
        "top_level_contact_share" => card.top_level_contact_share,
        "conversation_to_appointment" => s.activity.conversation_to_appointment,
        "barometer" => s.barometer_pct,
        "cold_calls" => Some(s.activity.cold_calls as f64),
        "conversations" => Some(s.activity.conversations as f64),
        "appointments_set" => Some(s.activity.appointments_set as f64),
        _ => None,
    }
}

#[derive(serde::Deserialize)]
pub struct LeaderboardQuery {
    period: Option<String>,
    kpi: Option<String>,
    /// `team` (the caller's team) or `org`.
    scope: Option<String>,
    /// The page of the ranking, from 1.
    page: Option<i64>,
}

/// What a leaderboard shows, computed once per subject, period and day until the data changes:
/// every ranked rep's figures and, per KPI, the order they rank in; the year's contests.
pub struct Leaderboard {
    rows: Vec<Ranked>,
    /// Per KPI of [`KPIS`], the indexes of `rows` best first.
    order: Vec<Vec<u32>>,
    contests: Vec<ContestStandings>,
}

/// A ranked rep: who, and the value of each KPI of [`KPIS`].
struct Ranked {
    rep_id: Option<String>,
    name: String,
    values: Vec<Option<f64>>,
}

impl Leaderboard {
    fn new(cards: &[Card], contests: Vec<ContestStandings>) -> Leaderboard {
        let rows: Vec<Ranked> = cards
            .iter()
            .map(|card| Ranked {
                rep_id: card.rep_id.clone(),
                name: card.name.clone(),
                values: KPIS.iter().map(|kpi| value(card, kpi)).collect(),
            })
            .collect();
        let order = (0..KPIS.len())
            .map(|k| {
                let mut order: Vec<u32> = (0..rows.len() as u32).collect();
                order.sort_by(|&a, &b| {
                    let (a, b) = (&rows[a as usize], &rows[b as usize]);
                    match (a.values[k], b.values[k]) {
                        (Some(x), Some(y)) => y.total_cmp(&x),
                        (Some(_), None) => std::cmp::Ordering::Less,
                        (None, Some(_)) => std::cmp::Ordering::Greater,
                        (None, None) => a.name.cmp(&b.name),
                    }
                });
                order
            })
            .collect();
        Leaderboard { rows, order, contests }
    }
}

pub async fn leaderboard(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<LeaderboardQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::Leaderboard, Action::Read)?;
    let l = caller.locale;
    let period = period_param(query.period.as_deref(), PeriodKind::Quarter).map_err(|e| PageError(e, l))?;
    let kpi = KPIS.iter().position(|k| Some(*k) == query.kpi.as_deref()).unwrap_or(0);
    let org_wide = caller.viewer.reaches_everyone() && query.scope.as_deref() != Some("team");
    let directories = state.directories.clone();
    let leaderboards = Arc::clone(&state.leaderboards);
    let pool = state.pool.clone();
    let board = with_db(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        // The organisation, or those the caller is ranked among: a rep their manager's team.
        let asked = if org_wide { SubjectRequest::Organisation } else { SubjectRequest::Peers };
        let subject = reports::subject(&caller.viewer, &directory, &asked).map_err(subject_missing)?;
        let request = ReportOn { subject: asked, period, as_of: as_of(period), lang: caller.locale };
        let today = super::today();
        // The contests show a rep only their own name: the role is part of what is kept.
        let key = format!("{subject:?}|{period}|{}|{today}|{:?}", request.as_of, caller.user.role);
        let large = cache::large(&directory, &subject);
        let caller = caller.clone();
        leaderboards.get_or_refresh(db, caller.user.org, key, large, &pool, move |db| {
            let reps = reports::report(db, &caller.viewer, &directory, &request).map_err(subject_missing)?.reps;
            let contests = incentives::contest_standings(db, &caller.viewer, &directory, today.year(), today)?;
            Ok(Leaderboard::new(&reps, contests))
        })
    })
    .await?;
    Ok(render(&caller, &query, period, kpi, org_wide, &board))
}

fn render(
    caller: &Caller,
    query: &LeaderboardQuery,
    period: Period,
    kpi: usize,
    org_wide: bool,
    board: &Leaderboard,
) -> Markup {
    let l = caller.locale;
    let key = KPIS[kpi];
    let order = &board.order[kpi];
    let hide_names = caller.user.role == UserRole::Rep;
    let own = order.iter().position(|&i| is_own(caller, &board.rows[i as usize]));
    let paged = Paged::of(order.len(), query.page);
    let keep = format!("&kpi={}{}", encode(key), if org_wide { "" } else { "&scope=team" });
    let base = format!("/leaderboard?period={}{keep}", encode(&period.to_string()));
    let row = |rank: usize| {
        let ranked = &board.rows[order[rank] as usize];
        let mine = own == Some(rank);
        html! {
            tr class=[mine.then_some("total")] data-rank=(rank + 1) {
                td.num { (rank + 1) }
                td { @if hide_names && !mine { span.muted { "–" } } @else { (ranked.name) } }
                td.num { (shown(caller, key, ranked.values[kpi])) }
            }
        }
    };
    let body = html! {
        h1 { (l.t("leaderboard.title")) }
        (period_picker(l, "/leaderboard", period, &keep))
        form.toolbar method="get" action="/leaderboard" {
            input type="hidden" name="period" value=(period.to_string());
            label for="kpi" { (l.t("leaderboard.by")) }
            select #kpi name="kpi" {
                @for k in KPIS { option value=(k) selected[*k == key] { (l.t(&format!("kpi.{k}"))) } }
            }
            @if caller.viewer.reaches_everyone() {
                select name="scope" aria-label=(l.t("leaderboard.scope")) {
                    option value="org" selected[org_wide] { (l.t("leaderboard.org")) }
                    option value="team" selected[!org_wide] { (l.t("leaderboard.team")) }
                }
            }
            button type="submit" { (l.t("form.show")) }
        }
        @if let Some(own) = own {
            p #own-position { (l.tf("leaderboard.own_position", &[("rank", &l.count(own as i64 + 1)), ("count", &l.count(order.len() as i64))])) }
        }
        div.table-wrap {
            table #leaderboard {
                thead { tr { th.num { "#" } th { (l.t("dashboard.rep")) } th.num { (l.t(&format!("kpi.{key}"))) } } }
                tbody {
                    @for rank in paged.rows() { (row(rank)) }
                    // The caller's own place, when the page shown is another.
                    @if let Some(own) = own.filter(|own| !paged.rows().contains(own)) {
                        tr.gap { td colspan="3" { "…" } }
                        (row(own))
                    }
                }
            }
        }
        (pager(l, "leaderboard-pages", &base, paged, "page"))
    };
    templates::page(
        caller,
        "leaderboard",
        l.t("leaderboard.title"),
        html! { (body) (standings(caller, &board.contests, hide_names)) },
    )
}

/// A KPI's value as the leaderboard shows it.
fn shown(caller: &Caller, kpi: &str, value: Option<f64>) -> String {
    let l = caller.locale;
    match kpi {
        "revenue" => value.map_or("–".into(), |cents| caller.money(Money::from_cents(cents as i64))),
        "barometer" => barometer(l, value),
        "attainment"
        | "win_rate"
        | "first_appointment_to_next_step"
        | "first_appointment_to_proposal"
        | "closing_ratio"
        | "top_level_contact_share"
        | "conversation_to_appointment" => l.percent(value),
        _ => value.map_or("–".into(), |v| l.number(v, 0)),
    }
}

/// The places of a contest shown: the first, and the caller's own below them.
const CONTEST_PLACES: usize = 10;

/// The year's contests: live standings while one runs, its awards once decided, and the prizes —
/// the first places and the caller's own.
fn standings(caller: &Caller, contests: &[ContestStandings], hide_names: bool) -> Markup {
    let l = caller.locale;
    html! {
        @for contest in contests {
            @let own = contest.rows.iter().position(|row| caller.viewer.rep_id == Some(row.rep_id));
            @let shown = contest.rows.iter().enumerate().filter(|(i, _)| *i < CONTEST_PLACES || Some(*i) == own);
            section.card.contest {
                h2 { (contest.name) " " span.muted { (l.date(contest.start)) " – " (l.date(contest.end)) " · "
                    (l.t(if contest.decided { "contests.decided" } else { "contests.live" })) } }
                table {
                    @if contest.rows.len() > CONTEST_PLACES {
                        caption.muted style="caption-side: bottom; text-align: left" {
                            (l.tf("contests.first_places", &[("shown", &l.count(CONTEST_PLACES as i64)), ("count", &l.count(contest.rows.len() as i64))]))
                        }
                    }
                    thead { tr { th.num { (l.t("contests.place")) } th { (l.t("dashboard.rep")) } th.num { (l.t("contests.value")) } th { (l.t("contests.wins")) } } }
                    tbody {
                        @for (i, row) in shown {
                            @let mine = own == Some(i);
                            @if mine && i > CONTEST_PLACES { tr.gap { td colspan="4" { "…" } } }
                            tr class=[mine.then_some("total")] {
                                td.num { (row.place.map_or("–".into(), |p| p.to_string())) }
                                td { @if hide_names && !mine { span.muted { "–" } } @else { (row.name) } }
                                td.num { (row.value) }
                                td {
                                    @if row.amount_cents != 0 { (caller.money(quotient_core::Money::from_cents(row.amount_cents))) " " }
                                    (row.prizes.join(", "))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn is_own(caller: &Caller, ranked: &Ranked) -> bool {
    ranked.rep_id.is_some() && ranked.rep_id == caller.own_external_id
}
