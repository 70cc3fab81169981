//! The pieces of the forecast page: the data forecast's tiles, a rep's call form and deals by
//! category, a manager's grid, the roll-up by team, the week's changes, the call against what was
//! won over the period's weeks, and the accuracy of past calls.

use crate::auth::Caller;
use crate::charts::{self, Line};
use crate::templates;
use maud::{Markup, PreEscaped, html};
use quotient_core::access::{Action, Resource};
use quotient_core::forecast::Category;
use quotient_core::forecast::accuracy::Accuracy;
use quotient_core::{Money, Period};
use quotient_store::ops::forecast::{DealCategory, Forecast, ForecastLine, WeekChanges};
use quotient_store::ops::forecast_model::{AccuracyReport, CallWeek, DataForecastReport};
use std::collections::HashMap;

/// What the forecast page shows.
pub struct View {
    pub period: Period,
    pub team: Option<i64>,
    pub rolled: Forecast,
    pub data: DataForecastReport,
    /// Each person's data forecast (their own and their subtree's deals).
    pub data_by_person: HashMap<i64, Money>,
    pub changes: WeekChanges,
    pub weeks: Vec<CallWeek>,
    pub accuracy: AccuracyReport,
    /// A rep's open deals' categories, by opportunity id.
    pub categories: HashMap<i64, DealCategory>,
}

fn cents(caller: &Caller, cents: i64) -> String {
    caller.money(Money::from_cents(cents))
}

fn optional(caller: &Caller, value: Option<i64>) -> String {
    value.map_or("–".to_string(), |c| cents(caller, c))
}

/// The data forecast: expected, its 10–90 % interval, and the naive forecasts beside it.
pub fn data_tiles(caller: &Caller, data: &DataForecastReport) -> Markup {
    let l = caller.locale;
    let total = &data.total;
    let interval = format!("{} – {}", caller.money(total.low), caller.money(total.high));
    html! {
        section.card #data-forecast {
            h2 { (l.t("forecast.page.data")) }
            div.tiles {
                (templates::tile(l.t("forecast.page.expected"), &caller.money(total.expected)))
                (templates::tile(l.t("forecast.page.interval"), &interval))
                (templates::tile(l.t("forecast.page.won"), &caller.money(total.won)))
                (templates::tile(l.t("forecast.page.weighted"), &caller.money(total.weighted_pipeline)))
                (templates::tile(l.t("forecast.page.last_period"), &caller.money(total.last_period_actual)))
            }
            p.muted { (l.tf("forecast.page.data_help", &[("deals", &l.count(total.open_deals)), ("pipeline", &caller.money(total.open_pipeline))])) }
        }
    }
}

/// The caller's own line of the roll-up.
fn own_line<'a>(caller: &Caller, view: &'a View) -> Option<&'a ForecastLine> {
    view.rolled.lines.iter().find(|line| line.rolled.person == caller.viewer.rep_id)
}

/// A rep's call: commit and best case, pre-filled from their current call or their categories.
pub fn call_form(caller: &Caller, view: &View) -> Markup {
    let l = caller.locale;
    let line = own_line(caller, view);
    let call = line.map(|line| line.rolled.call.unwrap_or(line.rolled.rolled_call)).unwrap_or_default();
    let show = |c: i64| l.money(Money::from_cents(c), "", false).trim().to_string();
    html! {
        section.card #your-call {
            h2 { (l.t("forecast.page.your_call")) }
            @if let Some(line) = line {
                p.muted {
                    @match line.call_updated_on {
                        Some(day) => { (l.tf("forecast.page.updated_on", &[("day", &l.date(day))])) }
                        None => { (l.t("forecast.page.not_submitted")) }
                    }
                    @if line.stale { " " span.badge.warn data-stale="true" { (l.t("forecast.page.stale")) } }
                }
                @if let (Some(adjusted), Some(note)) = (line.rolled.adjusted, line.adjustment_note.as_ref()) {
                    p #adjusted { (l.tf("forecast.page.adjusted_to", &[("commit", &cents(caller, adjusted.commit_cents)), ("note", note)])) }
                }
            }
            @if caller.viewer.may(Resource::Forecast, Action::Edit) {
                form.toolbar method="post" action="/forecast/call" {
                    (templates::csrf(caller))
                    input type="hidden" name="period" value=(view.period.to_string());
                    label { (l.t("forecast.page.commit")) " " input type="text" inputmode="decimal" name="commit" value=(show(call.commit_cents)) style="width: 9em"; }
                    label { (l.t("forecast.page.best_case")) " " input type="text" inputmode="decimal" name="best_case" value=(show(call.best_case_cents)) style="width: 9em"; }
                    button type="submit" #submit-call { (l.t("forecast.page.submit_call")) }
                }
            }
        }
    }
}

/// A rep's open deals by category, each with the override control and the data's chance.
pub fn deals_by_category(caller: &Caller, view: &View) -> Markup {
    let l = caller.locale;
    let category_of = |id: i64| view.categories.get(&id).map(|c| c.category).unwrap_or(Category::Pipeline);
    let may_edit = caller.viewer.may(Resource::Forecast, Action::Edit);
    html! {
        section.card #deals-by-category {
            h2 { (l.t("forecast.page.deals")) }
            @if view.data.deals.is_empty() { p.muted { (l.t("forecast.page.no_deals")) } }
            @for category in Category::ALL.iter().copied().filter(|c| c.open_choice()) {
                @let deals: Vec<_> = view.data.deals.iter().filter(|d| category_of(d.opportunity_id) == category).collect();
                @if !deals.is_empty() {
                    h3 data-category=(category.key()) { (l.t(&format!("forecast_category.{}", category.key()))) " · " (caller.money(deals.iter().map(|d| d.forecast.amount).sum())) }
                    table {
                        thead { tr {
                            th { (l.t("forecast.page.deal")) }
                            th { (l.t("forecast.page.step")) }
                            th.num { (l.t("forecast.page.amount")) }
                            th.num { (l.t("forecast.page.chance")) }
                            th.num { (l.t("forecast.page.expected")) }
                            th { (l.t("forecast.page.category")) }
                        } }
                        tbody {
                            @for deal in deals {
                                @let overridden = view.categories.get(&deal.opportunity_id).and_then(|c| c.overridden).is_some();
                                tr data-opportunity=(deal.opportunity_id) {
                                    td { a href={ "/records/opportunities/" (deal.opportunity_id) } { (deal.name) } }
                                    td { (l.t(&format!("forecast.step.{}", deal.forecast.step.key()))) " · " (l.tf("forecast.page.days", &[("days", &l.count(deal.forecast.age_days))])) }
                                    td.num { (caller.money(deal.forecast.amount)) }
                                    td.num { (l.percent(Some(deal.forecast.chance.value()))) }
                                    td.num { (caller.money(deal.forecast.expected)) }
                                    td {
                                        @if overridden { span.badge data-overridden="true" { (l.t("forecast.page.overridden")) } " " }
                                        @if may_edit {
                                            form.inline method="post" action={ "/forecast/deals/" (deal.opportunity_id) "/category" } {
                                                (templates::csrf(caller))
                                                input type="hidden" name="period" value=(view.period.to_string());
                                                select name="category" aria-label=(l.t("forecast.page.category")) {
                                                    option value="" { (l.t("forecast.page.stage_default")) }
                                                    @for choice in Category::ALL.iter().copied().filter(|c| c.open_choice()) {
                                                        option value=(choice.key()) selected[overridden && choice == category] { (l.t(&format!("forecast_category.{}", choice.key()))) }
                                                    }
                                                }
                                                " " button.secondary type="submit" { (l.t("forecast.page.set")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A manager's grid: each person beneath them by category, their call, the adjustment with its
/// note, quota, gap and the data forecast.
pub fn grid(caller: &Caller, view: &View) -> Markup {
    let l = caller.locale;
    let may_adjust = caller.viewer.may(Resource::Forecast, Action::Edit);
    let team = view.team.map(|t| t.to_string()).unwrap_or_default();
    html! {
        section.card #forecast-grid {
            h2 { (l.t("forecast.page.grid")) }
            div.table-wrap {
                table {
                    thead { tr {
                        th { (l.t("dashboard.rep")) }
                        @for category in Category::ALL { th.num { (l.t(&format!("forecast_category.{}", category.key()))) } }
                        th.num { (l.t("forecast.page.call")) }
                        th { (l.t("forecast.page.adjustment")) }
                        th.num { (l.t("forecast.page.quota")) }
                        th.num { (l.t("forecast.page.gap")) }
                        th.num { (l.t("forecast.page.data")) }
                    } }
                    tbody {
                        @for line in &view.rolled.lines {
                            @let person = line.rolled.person.unwrap_or_default();
                            @let deals = line.rolled.deals;
                            tr data-person=(line.external_id) {
                                td {
                                    (line.name)
                                    @if line.stale { " " span.badge.warn data-stale="true" { (l.t("forecast.page.stale")) } }
                                }
                                @for value in [deals.pipeline, deals.best_case, deals.commit, deals.closed, deals.omitted] { td.num { (cents(caller, value)) } }
                                td.num data-call="commit" {
                                    @match line.rolled.call {
                                        Some(call) => { (cents(caller, call.commit_cents)) " / " (cents(caller, call.best_case_cents)) }
                                        None => span.muted { (cents(caller, line.rolled.rolled_call.commit_cents)) }
                                    }
                                }
                                td {
                                    @if let Some(adjusted) = line.rolled.adjusted {
                                        span data-adjusted="true" { (cents(caller, adjusted.commit_cents)) " / " (cents(caller, adjusted.best_case_cents)) }
                                        @if let Some(note) = &line.adjustment_note { br; small.muted { (note) } }
                                    }
                                    @if may_adjust && line.rolled.person != caller.viewer.rep_id {
                                        details {
                                            summary { (l.t("forecast.page.adjust")) }
                                            form method="post" action="/forecast/adjust" {
                                                (templates::csrf(caller))
                                                input type="hidden" name="period" value=(view.period.to_string());
                                                input type="hidden" name="rep" value=(person);
                                                input type="hidden" name="team" value=(team);
                                                label { (l.t("forecast.page.commit")) " " input type="text" inputmode="decimal" name="commit" style="width: 8em"; }
                                                label { (l.t("forecast.page.best_case")) " " input type="text" inputmode="decimal" name="best_case" style="width: 8em"; }
                                                label { (l.t("forecast.page.note")) " " input type="text" name="note" maxlength="2000"; }
                                                button type="submit" { (l.t("forecast.page.adjust")) }
                                            }
                                        }
                                    }
                                }
                                td.num { (optional(caller, line.rolled.quota_cents)) }
                                td.num { (optional(caller, line.rolled.gap_cents)) }
                                td.num data-data-forecast=(line.external_id) { (caller.money(view.data_by_person.get(&person).copied().unwrap_or_default())) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An executive's roll-up: the organisation and each manager's team, with a link to its grid.
pub fn by_team(caller: &Caller, view: &View) -> Markup {
    let l = caller.locale;
    html! {
        section.card #forecast-by-team {
            h2 { (l.t("forecast.page.by_team")) }
            div.table-wrap {
                table {
                    thead { tr {
                        th { (l.t("forecast.page.team")) }
                        th.num { (l.t("forecast_category.closed")) }
                        th.num { (l.t("forecast_category.commit")) }
                        th.num { (l.t("forecast_category.best_case")) }
                        th.num { (l.t("forecast.page.call")) }
                        th.num { (l.t("forecast.page.quota")) }
                        th.num { (l.t("forecast.page.plan")) }
                        th.num { (l.t("forecast.page.gap")) }
                        th.num { (l.t("forecast.page.data")) }
                    } }
                    tbody {
                        @if let Some(organisation) = &view.rolled.organisation {
                            tr #organisation {
                                th { (caller.org_name) }
                                td.num { (cents(caller, organisation.deals.closed)) }
                                td.num { (cents(caller, organisation.deals.commit)) }
                                td.num { (cents(caller, organisation.deals.best_case)) }
                                td.num { (cents(caller, organisation.effective_call.commit_cents)) }
                                td.num { (optional(caller, organisation.quota_cents)) }
                                td.num { (optional(caller, organisation.plan_cents)) }
                                td.num { (optional(caller, organisation.gap_cents)) }
                                td.num { (caller.money(view.data.total.expected)) }
                            }
                        }
                        @for line in view.rolled.lines.iter().filter(|line| !line.is_rep) {
                            @let person = line.rolled.person.unwrap_or_default();
                            tr data-team=(line.external_id) {
                                td style={ "padding-left: " (line.rolled.depth) "em" } {
                                    a href={ "/forecast?period=" (view.period) "&team=" (person) } { (line.name) }
                                    @if line.stale { " " span.badge.warn data-stale="true" { (l.t("forecast.page.stale")) } }
                                }
                                td.num { (cents(caller, line.rolled.deals.closed)) }
                                td.num { (cents(caller, line.rolled.deals.commit)) }
                                td.num { (cents(caller, line.rolled.deals.best_case)) }
                                td.num { (cents(caller, line.rolled.effective_call.commit_cents)) }
                                td.num { (optional(caller, line.rolled.quota_cents)) }
                                td.num { (optional(caller, line.rolled.plan_cents)) }
                                td.num { (optional(caller, line.rolled.gap_cents)) }
                                td.num { (caller.money(view.data_by_person.get(&person).copied().unwrap_or_default())) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What changed in the pipeline since last week's snapshot, by kind.
pub fn changes(caller: &Caller, changes: &WeekChanges) -> Markup {
    let l = caller.locale;
    html! {
        section.card #changes {
            h2 { (l.t("forecast.page.changes")) }
            @match &changes.since {
                None => p.muted { (l.t("forecast.page.no_snapshot")) },
                Some(since) => {
                    p.muted { (l.tf("forecast.page.since", &[("week", since)])) }
                    @if changes.total.is_empty() { p.muted { (l.t("forecast.page.no_changes")) } }
                    @else {
                        ul.tiles {
                            @for (kind, count) in &changes.total {
                                li data-change=(kind.key()) { (l.t(&format!("forecast_change.{}", kind.key()))) ": " strong { (l.count(*count as i64)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The call (and the adjustment) against the data forecast and what was won, week by week.
pub fn call_chart(caller: &Caller, view: &View) -> Markup {
    let l = caller.locale;
    if view.weeks.is_empty() {
        return html! {};
    }
    let labels: Vec<String> = view.weeks.iter().map(|w| w.week_end.format("%m-%d").to_string()).collect();
    let money = |c: i64| c as f64 / 100.0;
    let lines = [
        Line {
            name: l.t("forecast.page.call").to_string(),
            dashed: false,
            values: view.weeks.iter().map(|w| w.commit_cents.map(money)).collect(),
        },
        Line {
            name: l.t("forecast.page.adjustment").to_string(),
            dashed: true,
            values: view.weeks.iter().map(|w: &CallWeek| w.adjusted_commit_cents.map(money)).collect(),
        },
        Line {
            name: l.t("forecast.page.data").to_string(),
            dashed: true,
            values: view.weeks.iter().map(|w| Some(money(w.data_expected.cents()))).collect(),
        },
        Line {
            name: l.t("forecast.page.won").to_string(),
            dashed: false,
            values: view.weeks.iter().map(|w| Some(money(w.won.cents()))).collect(),
        },
    ];
    let format = |v: f64| caller.money(Money::from_cents((v * 100.0).round() as i64));
    html! {
        section.card.chart #call-chart {
            h2 { (l.t("forecast.page.chart")) }
            (PreEscaped(charts::lines(l.t("forecast.page.chart"), &labels, &lines, &format)))
        }
    }
}

/// Each submitter's error on the closed periods, beside the data forecast's on the same days.
pub fn accuracy_table(caller: &Caller, report: &AccuracyReport) -> Markup {
    let l = caller.locale;
    let pct = |value: Option<f64>| value.map_or("–".to_string(), |v| format!("{} %", l.number(v, 1)));
    let cells = |accuracy: &Accuracy| {
        html! {
            td.num { (pct(accuracy.mean_absolute_pct_error)) }
            td.num { (pct(accuracy.bias_pct)) }
        }
    };
    html! {
        section.card #accuracy {
            h2 { (l.t("forecast.page.accuracy")) }
            p.muted { (l.tf("forecast.page.accuracy_help", &[("periods", &report.periods.join(", "))])) }
            @if report.submitters.is_empty() { p.muted { (l.t("forecast.page.no_calls")) } }
            @else {
                table {
                    thead {
                        tr {
                            th { (l.t("forecast.page.submitter")) }
                            th.num { (l.t("forecast.page.calls")) }
                            th.num { (l.t("forecast.page.mape")) }
                            th.num { (l.t("forecast.page.bias")) }
                            th.num { (l.t("forecast.page.data_mape")) }
                            th.num { (l.t("forecast.page.data_bias")) }
                        }
                    }
                    tbody {
                        @for submitter in &report.submitters {
                            tr data-submitter=(submitter.external_id) {
                                td { (submitter.name) }
                                td.num { (l.count(submitter.calls.calls)) }
                                (cells(&submitter.calls))
                                (cells(&submitter.data))
                            }
                        }
                    }
                }
            }
        }
    }
}
