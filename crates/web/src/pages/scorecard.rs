//! A rep's scorecard (a rep's home page, a manager's drill-down): attainment per quota metric, the
//! funnel, trends, activity against the goals from the magic number, the standards, the flags with
//! causes and prescriptions, and the comparison with peers.

use super::dashboard::{barometer, flags};
use super::{as_of, encode, period_param, require, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::charts::{self, Bar};
use crate::error::{Error, PageError};
use crate::templates::{self, flag_badges, period_picker, tile};
use axum::extract::{Path, Query, State};
use maud::{Markup, PreEscaped, html};
use quotient_core::Period;
use quotient_core::access::{Action, Resource};
use quotient_core::coaching::KeyAccountCoverage;
use quotient_core::kpi::RateSource;
use quotient_core::kpi::Tally;
use quotient_core::period::PeriodKind;
use quotient_store::StoreError;
use quotient_store::ids::RepId;
use quotient_store::kpi::{self, Card, ReportRequest, Subject};
use quotient_store::ops::incentives;
use quotient_store::planning::account_maps;

#[derive(serde::Deserialize)]
pub struct ScorecardQuery {
    period: Option<String>,
}

struct Data {
    card: Card,
    /// The key-account coverage of the rep's territory plan of the evaluation day's year.
    key_accounts: KeyAccountCoverage,
    /// The organisation's working days a week: the weekly conversations goal is the daily one times it.
    working_days: i64,
    months: Vec<(Period, Tally)>,
    weeks: Vec<(Period, Tally)>,
    as_of: chrono::NaiveDate,
    /// What the month is worth so far and the next tiers, when the rep has a plan (`INCENTIVES.md` §8).
    earnings: Option<quotient_store::ops::incentives::Earnings>,
}

const TREND_FIELDS: &[&str] = &["won", "won_amount", "first_appointments", "conversations", "cold_calls"];

pub async fn scorecard(
    State(state): State<AppState>,
    caller: Caller,
    Path(rep): Path<i64>,
    Query(query): Query<ScorecardQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::Scorecards, Action::Read)?;
    let period = period_param(query.period.as_deref(), PeriodKind::Week).map_err(|e| PageError(e, caller.locale))?;
    let directories = state.directories.clone();
    let data = with_db(&state, &caller, move |db, caller| {
        if !caller.viewer.reaches(rep) {
            return Err(Error::NotFound);
        }
        let directory = directories.get(db, caller.user.org)?;
        let person = directory.person(rep).filter(|p| p.is_rep).ok_or(Error::NotFound)?;
        let as_of = as_of(period);
        let request =
            ReportRequest { subject: Subject::Rep(person.external_id.clone()), period, as_of, lang: caller.locale };
        let report = kpi::report_with(db, caller.user.org, &directory, &request)?;
        let working_days = report.method.working_days_per_week;
        let card = report.reps.into_iter().next().ok_or(Error::NotFound)?;
        // Trends: the 12 months and the 13 ISO weeks up to the evaluation day.
        let mut months = vec![Period::containing(PeriodKind::Month, as_of)];
        while months.len() < 12 {
            let earlier = months[months.len() - 1].previous();
            months.push(earlier);
        }
        months.reverse();
        let mut weeks = vec![Period::week_of(as_of)];
        while weeks.len() < 13 {
            let earlier = weeks[weeks.len() - 1].previous();
            weeks.push(earlier);
        }
        weeks.reverse();
        let year = chrono::Datelike::year(&as_of);
        let key_accounts = account_maps::key_account_coverage(db, caller.user.org, &[rep], year, as_of)?
            .remove(&rep)
            .unwrap_or_default();
        let month_tallies = kpi::trend(db, &caller.viewer, rep, &months, TREND_FIELDS)?;
        let week_tallies = kpi::trend(db, &caller.viewer, rep, &weeks, TREND_FIELDS)?;
        let earnings = match incentives::earnings(db, &caller.viewer, RepId(rep), super::today()) {
            Ok(earnings) => Some(earnings),
            // No plan this year, or statements not the caller's to read: the scorecard goes without.
            Err(StoreError::Refused(_) | StoreError::NotPermitted) => None,
            Err(error) => return Err(error.into()),
        };
        Ok(Data {
            earnings,
            card,
            key_accounts,
            working_days,
            months: months.into_iter().zip(month_tallies).collect(),
            weeks: weeks.into_iter().zip(week_tallies).collect(),
            as_of,
        })
    })
    .await?;
    Ok(render(&caller, rep, period, &data))
}

fn render(caller: &Caller, rep: i64, period: Period, data: &Data) -> Markup {
    let l = caller.locale;
    let card = &data.card;
    let s = &card.scorecard;
    let title = l.tf("scorecard.title", &[("name", &card.name)]);
    let svg = |markup: String| PreEscaped(markup);
    let attainment_bars: Vec<Bar> = [
        ("kpi.revenue", s.attainment.revenue),
        ("kpi.margin", s.attainment.margin),
        ("kpi.deals_won", s.attainment.deals),
        ("kpi.first_appointments", s.attainment.first_appointments),
        ("kpi.estimates", s.attainment.estimates),
    ]
    .into_iter()
    .filter_map(|(key, share)| {
        share.map(|share| Bar {
            label: l.t(key).to_string(),
            value: share,
            text: l.percent(Some(share)),
            goal: Some(s.attainment.expected),
        })
    })
    .collect();
    let t = &card.tally;
    let funnel_bars: Vec<Bar> = [
        ("kpi.first_appointments", t.first_appointments),
        ("kpi.to_next_step", t.first_appointments_to_gateway),
        ("kpi.to_proposal", t.first_appointments_to_proposal),
        ("kpi.deals_won", t.won),
    ]
    .into_iter()
    .map(|(key, n)| Bar { label: l.t(key).to_string(), value: n as f64, text: l.count(n), goal: None })
    .collect();
    let month_label = |p: &Period| p.start().format("%m/%y").to_string();
    let week_label = |p: &Period| format!("W{}", p.start().format("%V"));
    let revenue_points: Vec<(String, f64)> =
        data.months.iter().map(|(p, t)| (month_label(p), t.won_amount as f64 / 100.0)).collect();
    let appointment_points: Vec<(String, f64)> =
        data.weeks.iter().map(|(p, t)| (week_label(p), t.first_appointments as f64)).collect();
    let conversation_points: Vec<(String, f64)> =
        data.weeks.iter().map(|(p, t)| (week_label(p), t.conversations as f64)).collect();
    let money_axis = |v: f64| l.number(v / 1000.0, 0) + "k";
    let count_axis = |v: f64| l.number(v, 0);
    let goal_label = l.t("chart.goal");
    let body = html! {
        h1 { (title) }
        p.no-print.links {
            @if caller.viewer.may(Resource::TeamDashboard, Action::Read) {
                a href={ "/dashboard?period=" (encode(&period.to_string())) } { "← " (l.t("nav.dashboard")) } " · "
            }
            a href={ "/territory-plans/" (rep) } #territory-plan-link { (l.t("nav.territory_plans")) } " · "
            a href={ "/reps/" (rep) "/one-on-ones" } #one-on-ones-link { (l.t("nav.one_on_ones")) }
        }
        (period_picker(l, &format!("/reps/{rep}"), period, ""))
        p.muted { (l.tf("dashboard.as_of", &[("date", &l.date(data.as_of))])) }
        div.tiles {
            (tile(l.t("kpi.revenue"), &caller.money(s.outcome.revenue)))
            (tile(l.t("kpi.attainment"), &l.percent(s.attainment.revenue)))
            (tile(l.t("kpi.deals_won"), &l.count(s.outcome.deals)))
            (tile(l.t("kpi.win_rate"), &l.percent(s.outcome.win_rate)))
            (tile(l.t("kpi.magic_number"), &s.magic_number.per_week.map_or("–".into(), |m| l.number(m, 1))))
            (tile(l.t("kpi.barometer"), &barometer(l, s.barometer_pct)))
            (tile(l.t("kpi.pipeline"), &caller.money(s.pipeline.pipeline)))
            (tile(l.t("kpi.coverage"), &s.pipeline.coverage.map_or("–".into(), |c| format!("{}×", l.number(c, 1)))))
            (tile(l.t("kpi.key_account_coverage"), &l.percent(data.key_accounts.covered)))
            (tile(l.t("kpi.key_account_score"), &l.percent(data.key_accounts.mean_score)))
        }
        @if !s.flags.is_empty() {
            p { (flag_badges(l, &flags(card))) }
        }
        @if let Some(earnings) = &data.earnings {
            div.tiles #scorecard-earnings {
                (tile(l.t("scorecard.earnings"), &caller.money(quotient_core::Money::from_cents(earnings.month.payable_cents))))
                @if let Some(step) = earnings.next_steps.first() {
                    (tile(l.t("earnings.next_tier"), &format!("+{} ({} {})", caller.money(quotient_core::Money::from_cents(step.worth_cents)), step.key, l.percent(step.attainment.parse::<f64>().ok()))))
                }
            }
            p.no-print { a href={ "/reps/" (rep) "/earnings" } { (l.t("nav.earnings")) " →" } }
        }
        div.grid {
            section.card.chart #attainment {
                h2 { (l.t("scorecard.attainment")) }
                @if attainment_bars.is_empty() {
                    p.muted { (l.t("scorecard.no_quota")) }
                } @else {
                    (svg(charts::bars(l.t("scorecard.attainment_chart"), &attainment_bars, l.t("chart.on_pace"))))
                }
            }
            section.card.chart #funnel {
                h2 { (l.t("scorecard.funnel")) }
                (svg(charts::bars(l.t("scorecard.funnel_chart"), &funnel_bars, goal_label)))
                table {
                    tr { td { (l.t("kpi.first_appointment_to_next_step")) } td.num data-kpi="first_appointment_to_next_step" { (l.percent(s.funnel.first_appointment_to_next_step)) } }
                    tr { td { (l.t("kpi.first_appointment_to_proposal")) } td.num data-kpi="first_appointment_to_proposal" { (l.percent(s.funnel.first_appointment_to_proposal)) } }
                    tr { td { (l.t("kpi.closing_ratio")) } td.num data-kpi="closing_ratio" { (l.percent(s.funnel.closing_ratio)) } }
                    tr { td { (l.t("kpi.top_level_contact_share")) } td.num data-kpi="top_level_contact_share" { (l.percent(card.top_level_contact_share)) } }
                    tr { td { (l.t("kpi.conversation_to_appointment")) } td.num data-kpi="conversation_to_appointment" { (l.percent(s.activity.conversation_to_appointment)) } }
                    tr { td { (l.t("kpi.gateway_to_won")) } td.num data-kpi="gateway_to_won" { (l.percent(card.gateway_to_won.share)) } }
                }
            }
            section.card.chart #trend {
                h2 { (l.t("scorecard.trend")) }
                (svg(charts::columns(l.t("scorecard.revenue_by_month"), &revenue_points, None, &money_axis)))
            }
            section.card.chart #activity {
                h2 { (l.t("scorecard.activity")) }
                (svg(charts::columns(
                    l.t("scorecard.first_appointments_by_week"),
                    &appointment_points,
                    s.magic_number.per_week.map(|m| (m, goal_label)),
                    &count_axis,
                )))
                (svg(charts::columns(
                    l.t("scorecard.conversations_by_week"),
                    &conversation_points,
                    s.magic_number.daily_conversations.map(|d| (d * data.working_days as f64, goal_label)),
                    &count_axis,
                )))
            }
        }
        div.grid {
            section.card #activity-counts {
                h2 { (l.t("scorecard.activity_counts")) }
                table {
                    @for (key, n) in [
                        ("kpi.cold_calls", s.activity.cold_calls), ("kpi.call_backs", s.activity.call_backs),
                        ("kpi.emails", s.activity.emails), ("kpi.appointments", s.activity.appointments),
                        ("kpi.field_visits", s.activity.field_visits), ("kpi.demos", s.activity.demos),
                        ("kpi.meetings", s.activity.meetings), ("kpi.events", s.activity.events),
                        ("kpi.conversations", s.activity.conversations), ("kpi.appointments_set", s.activity.appointments_set),
                    ] {
                        tr { td { (l.t(key)) } td.num data-kpi=(key.trim_start_matches("kpi.")) { (l.count(n)) } }
                    }
                }
            }
            (goals(caller, card, data))
            (activity_goals(caller, card))
            section.card #standards {
                h2 { (l.t("scorecard.standards")) }
                ul.timeline {
                    @for evaluation in &card.standards {
                        li class=(if evaluation.passed { "pass" } else { "fail" }) {
                            span.sr-only { (if evaluation.passed { l.t("standard.passed") } else { l.t("standard.failed") }) ": " }
                            (evaluation.text)
                        }
                    }
                }
            }
            section.card #peers {
                h2 { (l.t("scorecard.peers")) }
                @match &s.peers {
                    Some(peers) => table {
                        tr { td { (l.t("kpi.average_revenue_per_sale")) } td.num { (s.outcome.average_revenue_per_sale.map_or("–".into(), |c| caller.money(quotient_core::Money::from_cents(c as i64)))) } td.num.muted { (peers.peers_average_revenue_per_sale_cents.map_or("–".into(), |c| caller.money(quotient_core::Money::from_cents(c as i64)))) } }
                        tr { td { (l.t("kpi.mean_cycle_days")) } td.num { (s.outcome.mean_cycle_days.map_or("–".into(), |d| l.number(d, 0))) } td.num.muted { (peers.peers_mean_cycle_days.map_or("–".into(), |d| l.number(d, 0))) } }
                        tr { td { (l.t("kpi.closing_ratio")) } td.num { (l.percent(s.funnel.closing_ratio)) } td.num.muted { (peers.closing_ratio_points.map_or("–".into(), |p| format!("{:+}", l.number(p, 0)))) " pp" } }
                    },
                    None => p.muted { (l.t("scorecard.no_peers")) },
                }
            }
        }
        @if !card.diagnoses.is_empty() {
            section #diagnoses {
                h2 { (l.t("scorecard.diagnoses")) }
                @for diagnosis in &card.diagnoses {
                    div class=(if diagnosis.best_practice { "diagnosis best" } else { "diagnosis" }) {
                        strong { (diagnosis.diagnosis.title) }
                        @if !diagnosis.diagnosis.causes.is_empty() {
                            div.muted { (l.t("scorecard.causes")) }
                            ul { @for cause in diagnosis.diagnosis.causes { li { (cause) } } }
                        }
                        div.muted { (l.t("scorecard.prescriptions")) }
                        ul { @for step in diagnosis.diagnosis.prescriptions { li { (step) } } }
                    }
                }
            }
        }
    };
    templates::page(caller, "scorecard", &title, body)
}

/// The activity goals set for the period (prorated by days) against what was done.
fn activity_goals(caller: &Caller, card: &Card) -> Markup {
    let l = caller.locale;
    html! {
        @if !card.activity_goals.is_empty() {
            section.card #activity-goals {
                h2 { (l.t("scorecard.activity_goals")) }
                table {
                    thead { tr { th { } th.num { (l.t("goals.goal")) } th.num { (l.t("scorecard.done")) } th.num { (l.t("kpi.attainment")) } } }
                    tbody {
                        @for goal in &card.activity_goals {
                            tr data-goal=(goal.metric.key()) {
                                td { (l.t(&format!("goal_metric.{}", goal.metric.key()))) }
                                td.num { (l.number(goal.goal, 1)) }
                                td.num { (l.count(goal.actual)) }
                                td.num data-kpi={ "goal_" (goal.metric.key()) } {
                                    (crate::templates::against(l.percent(goal.attainment), goal.attainment.is_some_and(|a| a < 1.0)))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The week's and the day's activity goals, derived backwards from the remaining revenue quota
/// through the magic number (`KPIS.md`), against this week so far.
fn goals(caller: &Caller, card: &Card, data: &Data) -> Markup {
    let l = caller.locale;
    let magic = &card.scorecard.magic_number;
    let this_week = data.weeks.last().map_or(0, |(_, t)| t.first_appointments);
    let rates = match magic.rate_source {
        RateSource::Own => l.t("goals.rates_own"),
        RateSource::Team => l.t("goals.rates_team"),
    };
    html! {
        section.card #goals {
            h2 { (l.t("scorecard.goals")) }
            @match (magic.per_week, magic.remaining_quota) {
                (Some(per_week), Some(remaining)) => {
                    p { (l.tf("goals.remaining", &[("amount", &caller.money(remaining)), ("weeks", &l.number(magic.weeks_remaining, 1))])) }
                    table {
                        tr { td { (l.t("goals.weekly")) } td.num data-kpi="weekly_first_appointments" { (l.number(per_week, 1)) } }
                        tr { td { (l.t("goals.daily")) } td.num data-kpi="daily_conversations" { (magic.daily_conversations.map_or("–".into(), |d| l.number(d, 1))) } }
                        tr { td { (l.t("goals.this_week")) } td.num { (l.count(this_week)) } }
                    }
                    p.muted { (rates) }
                }
                _ => p.muted { (l.t("goals.none")) },
            }
        }
    }
}
