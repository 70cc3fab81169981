//! A rep's earnings (`INCENTIVES.md` §3, §8): this month so far, the year to date, what the next
//! tier of each component is worth, what closing each open deal this month would add, and the
//! statement line by line — each deal linked, each quota linked to the scorecard it is measured
//! on — with a dispute form on every line of one's own statement.

use super::statements::{month_param, state_label};
use super::{encode, refusal, require, today, with_db, writing};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, PageError};
use crate::templates::{self, csrf};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use quotient_core::Money;
use quotient_core::access::{Action, Resource};
use quotient_store::ids::RepId;
use quotient_store::incentives::sheet::{ComponentSheet, StatementSheet};
use quotient_store::ops::incentives::{self as ops, DisputeLine, Earnings, StatementsOf};
use quotient_store::ops::reports::{Named, SubjectRequest};
use quotient_store::{Code, StoreError};

#[derive(serde::Deserialize, Default)]
pub struct EarningsQuery {
    /// A month's statement to show instead of this month's (`YYYY-MM`).
    period: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

/// `/earnings`: the caller's own.
pub async fn own(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<EarningsQuery>,
) -> Result<Markup, PageError> {
    let rep = caller.viewer.rep_id.ok_or(PageError(Error::NotFound, caller.locale))?;
    render_for(state, caller, rep, query).await
}

/// `/reps/{rep}/earnings`: a rep in the caller's reach.
pub async fn of_rep(
    State(state): State<AppState>,
    caller: Caller,
    Path(rep): Path<i64>,
    Query(query): Query<EarningsQuery>,
) -> Result<Markup, PageError> {
    render_for(state, caller, rep, query).await
}

async fn render_for(state: AppState, caller: Caller, rep: i64, query: EarningsQuery) -> Result<Markup, PageError> {
    require(&caller, Resource::Statements, Action::Read)?;
    if !caller.viewer.reaches(rep) {
        return Err(PageError(Error::NotFound, caller.locale));
    }
    let period = query.period.as_deref().map(|p| month_param(Some(p), caller.locale)).transpose()?;
    let (earnings, shown) = with_db(&state, &caller, move |db, caller| {
        let earnings = match ops::earnings(db, &caller.viewer, RepId(rep), today()) {
            Ok(earnings) => Some(earnings),
            Err(StoreError::Refused(refusals)) if refusals.iter().any(|r| r.code == Code::StatementNoPlan) => None,
            Err(error) => return Err(error.into()),
        };
        // Another month's statement: the rep's own of that month.
        let shown = match period {
            Some(period) => {
                let query =
                    StatementsOf { period, subject: SubjectRequest::Rep(Named::Id(RepId(rep))), today: today() };
                ops::statements(db, &caller.viewer, &query)?.into_iter().find(|s| s.rep_id == rep)
            }
            None => None,
        };
        Ok((earnings, shown))
    })
    .await?;
    let l = caller.locale;
    let message = refusal(l, query.error.as_deref(), super::statements::REFUSALS);
    let own = caller.viewer.rep_id == Some(rep);
    let body = html! {
        h1 { (l.t("earnings.title")) @if let Some(earnings) = &earnings { " · " (earnings.month.name) } }
        @if let Some(message) = message { p.alert role="alert" { (message) } }
        @if query.done.as_deref() == Some("disputed") { p.notice role="status" { (l.t("statements.done_disputed")) } }
        @match &earnings {
            Some(earnings) => {
                (summary(&caller, earnings))
                (next_tiers(&caller, earnings))
                (what_ifs(&caller, earnings))
                (statement(&caller, shown.as_ref().unwrap_or(&earnings.month), own))
            }
            None => p.muted #no-plan { (l.t("earnings.no_plan")) },
        }
    };
    Ok(templates::page(&caller, if own { "earnings" } else { "statements" }, l.t("earnings.title"), body))
}

fn summary(caller: &Caller, earnings: &Earnings) -> Markup {
    let l = caller.locale;
    let money = |cents: i64| caller.money(Money::from_cents(cents));
    html! {
        div.tiles #earnings-summary {
            div.tile {
                span.muted { (l.t("earnings.month_so_far")) " · " (earnings.month.period) }
                strong.big { (money(earnings.month.payable_cents)) }
                (state_label(l, earnings.month.state))
            }
            div.tile {
                span.muted { (l.t("earnings.year_to_date")) }
                strong.big { (money(earnings.year_to_date_cents)) }
            }
        }
    }
}

/// A credited amount or quota as it reads: money for money metrics, else a count of deals.
fn amount(caller: &Caller, metric: &str, text: &str) -> String {
    let value: f64 = text.parse().unwrap_or(0.0);
    if metric == "deals" {
        caller.locale.number(value, 2)
    } else {
        caller.money(Money::from_cents(value.round() as i64))
    }
}

fn percent(caller: &Caller, text: Option<&str>) -> String {
    caller.locale.percent(text.and_then(|t| t.parse::<f64>().ok()))
}

fn next_tiers(caller: &Caller, earnings: &Earnings) -> Markup {
    let l = caller.locale;
    let metric = |key: &str| {
        earnings.month.components.iter().find(|c| c.key == key).map_or("revenue", |c| c.metric.as_str()).to_string()
    };
    html! {
        section.card #next-tiers {
            h2 { (l.t("earnings.next_tier")) }
            @if earnings.next_steps.is_empty() {
                p.muted { (l.t("earnings.no_next_tier")) }
            } @else {
                table {
                    thead { tr { th { (l.t("earnings.component")) } th.num { (l.t("earnings.at_attainment")) } th.num { (l.t("earnings.still_to_credit")) } th.num { (l.t("earnings.worth")) } } }
                    tbody {
                        @for step in &earnings.next_steps {
                            tr {
                                td { (step.plan) " · " (step.key) }
                                td.num { (percent(caller, Some(&step.attainment))) }
                                td.num { (amount(caller, &metric(&step.key), &step.credited_needed)) }
                                td.num { strong { (caller.money(Money::from_cents(step.worth_cents))) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn what_ifs(caller: &Caller, earnings: &Earnings) -> Markup {
    let l = caller.locale;
    html! {
        section.card #what-ifs {
            h2 { (l.t("earnings.what_if")) }
            p.muted { (l.t("earnings.what_if_help")) }
            @if earnings.what_ifs.is_empty() {
                p.muted { (l.t("earnings.no_open_deals")) }
            } @else {
                table {
                    thead { tr { th { (l.t("field.opportunity")) } th.num { (l.t("field.amount")) } th.num { (l.t("earnings.adds")) } } }
                    tbody {
                        @for deal in &earnings.what_ifs {
                            tr {
                                td { a href={ "/records/opportunities/" (deal.opportunity_id) } { (deal.name.as_deref().unwrap_or(&deal.opportunity_external_id)) } }
                                td.num { (caller.money(Money::from_cents(deal.amount_cents))) }
                                td.num { strong { (caller.money(Money::from_cents(deal.adds_cents))) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn statement(caller: &Caller, sheet: &StatementSheet, own: bool) -> Markup {
    let l = caller.locale;
    let money = |cents: i64| caller.money(Money::from_cents(cents));
    let period = &sheet.period;
    html! {
        section.card #statement {
            h2 { (l.t("earnings.statement")) " " (period) " " (state_label(l, sheet.state)) }
            @for component in &sheet.components {
                (component_block(caller, sheet, component, own))
            }
            @if !sheet.adjustments.is_empty() {
                h3 { (l.t("statements.adjustments")) }
                table { tbody {
                    @for (index, adjustment) in sheet.adjustments.iter().enumerate() {
                        tr {
                            td { @match adjustment.opportunity_id {
                                Some(id) => a href={ "/records/opportunities/" (id) } { (adjustment.opportunity_external_id.as_deref().unwrap_or_default()) },
                                None => "–",
                            } }
                            td { (l.t(&format!("earnings.cause.{}", adjustment.cause))) " " span.muted { (adjustment.note) } }
                            td.num { (money(adjustment.amount_cents)) }
                            td { @if own { (dispute_form(caller, sheet, &format!("adjustment:{index}"))) } }
                        }
                    }
                } }
            }
            @if !sheet.awards.is_empty() {
                h3 { (l.t("statements.awards")) }
                table { tbody {
                    @for (index, award) in sheet.awards.iter().enumerate() {
                        tr {
                            td { (award.contest) @if let Some(place) = award.place { " · #" (place) } }
                            td { (award.prizes.join(", ")) }
                            td.num { (money(award.amount_cents)) }
                            td { @if own { (dispute_form(caller, sheet, &format!("award:{index}"))) } }
                        }
                    }
                } }
            }
            @if let Some(draw) = &sheet.draw {
                p { (l.t("statements.draw")) " (" (l.t(&format!("earnings.draw.{}", draw.kind))) "): "
                    (money(draw.advanced_cents - draw.recovered_cents)) span.muted { " · " (l.t("earnings.draw_balance")) " " (money(draw.balance_after_cents)) } }
            }
            p.total { (l.t("statements.payable")) ": " strong #payable { (money(sheet.payable_cents)) } }
        }
    }
}

fn component_block(caller: &Caller, sheet: &StatementSheet, component: &ComponentSheet, own: bool) -> Markup {
    let l = caller.locale;
    let money = |cents: i64| caller.money(Money::from_cents(cents));
    let metric = component.metric.as_str();
    html! {
        h3 { (component.plan) " · " (component.key) span.muted { " " (component.window) } }
        p {
            (l.t("earnings.credited")) " " (amount(caller, metric, &component.credited)) " · "
            (l.t("earnings.quota")) " "
            @match &component.quota {
                Some(quota) => a href={ "/reps/" (sheet.rep_id) "?period=" (encode(&component.window)) } { (amount(caller, metric, quota)) },
                None => "–",
            }
            " · " (l.t("kpi.attainment")) " " (percent(caller, component.attainment.as_deref()))
            " · " (l.t("earnings.earned")) " " (money(component.earnings_cents))
            @if component.cumulative { " − " (money(component.paid_before_cents)) }
            " = " strong { (money(component.due_cents)) }
            @if let Some(why) = &component.no_pay { " " span.muted { (l.t(&format!("earnings.no_pay.{why}"))) } }
            @if component.capped { " " span.muted { (l.t("earnings.capped")) } }
            @if own { " " (dispute_form(caller, sheet, &component.key)) }
        }
        @if !component.lines.is_empty() {
            table.lines {
                thead { tr { th { (l.t("field.opportunity")) } th { (l.t("earnings.closed_on")) } th.num { (l.t("earnings.credited")) } th.num { (l.t("earnings.earned")) } th { } } }
                tbody {
                    @for line in &component.lines {
                        tr {
                            td { a href={ "/records/opportunities/" (line.opportunity_id) } { (line.name.as_deref().unwrap_or(&line.opportunity_external_id)) } }
                            td { (line.closed_on) }
                            td.num { (amount(caller, metric, &line.credited)) }
                            td.num { (money(line.earnings_cents)) }
                            td { @if own { (dispute_form(caller, sheet, &line.opportunity_external_id)) } }
                        }
                    }
                }
            }
        }
    }
}

/// A small form to dispute one line of one's own statement.
fn dispute_form(caller: &Caller, sheet: &StatementSheet, line: &str) -> Markup {
    let l = caller.locale;
    html! {
        details.dispute {
            summary { (l.t("earnings.dispute")) }
            form method="post" action={ "/statements/" (sheet.rep_id) "/" (sheet.period) "/disputes" } {
                (csrf(caller))
                input type="hidden" name="line" value=(line);
                label { (l.t("statements.comment")) textarea name="comment" required maxlength="2000" rows="2" {} }
                button type="submit" { (l.t("earnings.send_dispute")) }
            }
        }
    }
}

#[derive(serde::Deserialize)]
pub struct DisputeForm {
    line: String,
    #[serde(default)]
    comment: String,
}

/// `POST /statements/{rep}/{period}/disputes`: the rep disputes a line; back to their earnings.
pub async fn dispute(
    State(state): State<AppState>,
    caller: Caller,
    Path((rep, period)): Path<(i64, String)>,
    Form(form): Form<DisputeForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Statements, Action::Create)?;
    let period = month_param(Some(&period), caller.locale)?;
    let command = DisputeLine { rep: RepId(rep), period, line: form.line, comment: form.comment, today: today() };
    let done = writing(&state, &caller, move |db, caller| Ok(ops::dispute_line(db, &caller.viewer, &command)?)).await;
    let to = format!("/earnings?period={period}");
    match done {
        Ok(_) => Ok(Redirect::to(&format!("{to}&done=disputed")).into_response()),
        Err(PageError(Error::Store(StoreError::Refused(refusals)), _)) => {
            let code = refusals.first().map_or("required", |r| r.code.key());
            Ok(Redirect::to(&format!("{to}&error={code}")).into_response())
        }
        Err(error) => Err(error),
    }
}
