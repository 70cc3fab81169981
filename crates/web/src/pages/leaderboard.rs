//! The leaderboard of the team or the organisation, by any KPI. A rep sees where they stand and
//! the figures, but not the other reps' names.

use super::dashboard::barometer;
use super::{as_of, encode, period_param, require, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{PageError, subject_missing};
use crate::templates::{self, period_picker};
use axum::extract::{Query, State};
use chrono::Datelike;
use maud::{Markup, html};
use quotient_core::access::{Action, Resource};
use quotient_core::model::UserRole;
use quotient_core::period::PeriodKind;
use quotient_store::kpi::Card;
use quotient_store::ops::incentives::{self, ContestStandings};
use quotient_store::ops::reports::{self, ReportOn, SubjectRequest};

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

fn shown(caller: &Caller, card: &Card, kpi: &str) -> String {
    let l = caller.locale;
    let s = &card.scorecard;
    match kpi {
        "revenue" => caller.money(s.outcome.revenue),
        "barometer" => barometer(l, s.barometer_pct),
        "attainment"
        | "win_rate"
        | "first_appointment_to_next_step"
        | "first_appointment_to_proposal"
        | "closing_ratio"
        | "top_level_contact_share"
        | "conversation_to_appointment" => l.percent(value(card, kpi)),
        _ => value(card, kpi).map_or("–".into(), |v| l.number(v, 0)),
    }
}

#[derive(serde::Deserialize)]
pub struct LeaderboardQuery {
    period: Option<String>,
    kpi: Option<String>,
    /// `team` (the caller's team) or `org`.
    scope: Option<String>,
}

pub async fn leaderboard(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<LeaderboardQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::Leaderboard, Action::Read)?;
    let l = caller.locale;
    let period = period_param(query.period.as_deref(), PeriodKind::Quarter).map_err(|e| PageError(e, l))?;
    let kpi = query.kpi.as_deref().filter(|k| KPIS.contains(k)).unwrap_or("revenue").to_string();
    let org_wide = caller.viewer.reaches_everyone() && query.scope.as_deref() != Some("team");
    let directories = state.directories.clone();
    let (cards, contests) = with_db(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        // The organisation, or those the caller is ranked among: a rep their manager's team.
        let subject = if org_wide { SubjectRequest::Organisation } else { SubjectRequest::Peers };
        let request = ReportOn { subject, period, as_of: as_of(period), lang: caller.locale };
        let reps = reports::report(db, &caller.viewer, &directory, &request).map_err(subject_missing)?.reps;
        let today = super::today();
        Ok((reps, incentives::contest_standings(db, &caller.viewer, today.year(), today)?))
    })
    .await?;
    let mut ranked: Vec<&Card> = cards.iter().collect();
    ranked.sort_by(|a, b| match (value(a, &kpi), value(b, &kpi)) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
    let hide_names = caller.user.role == UserRole::Rep;
    let keep = format!("&kpi={}{}", encode(&kpi), if org_wide { "" } else { "&scope=team" });
    let body = html! {
        h1 { (l.t("leaderboard.title")) }
        (period_picker(l, "/leaderboard", period, &keep))
        form.toolbar method="get" action="/leaderboard" {
            input type="hidden" name="period" value=(period.to_string());
            label for="kpi" { (l.t("leaderboard.by")) }
            select #kpi name="kpi" {
                @for key in KPIS { option value=(key) selected[*key == kpi] { (l.t(&format!("kpi.{key}"))) } }
            }
            @if caller.viewer.reaches_everyone() {
                select name="scope" aria-label=(l.t("leaderboard.scope")) {
                    option value="org" selected[org_wide] { (l.t("leaderboard.org")) }
                    option value="team" selected[!org_wide] { (l.t("leaderboard.team")) }
                }
            }
            button type="submit" { (l.t("form.show")) }
        }
        div.table-wrap {
            table #leaderboard {
                thead { tr { th.num { "#" } th { (l.t("dashboard.rep")) } th.num { (l.t(&format!("kpi.{kpi}"))) } } }
                tbody {
                    @for (rank, card) in ranked.iter().enumerate() {
                        @let mine = is_own(&caller, card);
                        tr class=[mine.then_some("total")] {
                            td.num { (rank + 1) }
                            td { @if hide_names && !mine { span.muted { "–" } } @else { (card.name) } }
                            td.num { (shown(&caller, card, &kpi)) }
                        }
                    }
                }
            }
        }
    };
    Ok(templates::page(
        &caller,
        "leaderboard",
        l.t("leaderboard.title"),
        html! { (body) (standings(&caller, &contests, hide_names)) },
    ))
}

/// The year's contests: live standings while one runs, its awards once decided, and the prizes.
fn standings(caller: &Caller, contests: &[ContestStandings], hide_names: bool) -> Markup {
    let l = caller.locale;
    html! {
        @for contest in contests {
            section.card.contest {
                h2 { (contest.name) " " span.muted { (l.date(contest.start)) " – " (l.date(contest.end)) " · "
                    (l.t(if contest.decided { "contests.decided" } else { "contests.live" })) } }
                table {
                    thead { tr { th.num { (l.t("contests.place")) } th { (l.t("dashboard.rep")) } th.num { (l.t("contests.value")) } th { (l.t("contests.wins")) } } }
                    tbody {
                        @for row in &contest.rows {
                            @let mine = caller.viewer.rep_id == Some(row.rep_id);
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

fn is_own(caller: &Caller, card: &Card) -> bool {
    card.rep_id.is_some() && card.rep_id == caller.own_external_id
}
