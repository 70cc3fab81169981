//! Breakdowns for marketing and product feedback: the team's (an executive's: the organisation's)
//! opportunities in a period by gateway type and by lead source, and what was lost per lost reason.

use super::{encode, period_param, require, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{PageError, subject_missing};
use crate::templates::{self, period_picker};
use axum::extract::{Query, State};
use maud::{Markup, html};
use quotient_core::Money;
use quotient_core::access::{Action, Resource};
use quotient_core::period::PeriodKind;
use quotient_store::ids::RepId;
use quotient_store::kpi::{Breakdowns, Segment};
use quotient_store::ops::reports::{self, BreakdownsOn, Named, SubjectRequest};

#[derive(serde::Deserialize, Default)]
pub struct BreakdownsQuery {
    period: Option<String>,
    /// A manager's id (internal) whose team to break down, within the caller's reach.
    team: Option<i64>,
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<BreakdownsQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::TeamDashboard, Action::Read)?;
    let period = period_param(query.period.as_deref(), PeriodKind::Quarter).map_err(|e| PageError(e, caller.locale))?;
    let directories = state.directories.clone();
    let subject = query.team.map_or(SubjectRequest::Own, |id| SubjectRequest::Team(Named::Id(RepId(id))));
    let breakdowns = with_db(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        let request = BreakdownsOn { subject, period };
        reports::breakdowns(db, &caller.viewer, &directory, &request).map_err(subject_missing)
    })
    .await?;
    let keep = query.team.map(|team| format!("&team={}", encode(&team.to_string()))).unwrap_or_default();
    Ok(render(&caller, &breakdowns, period_picker(caller.locale, "/breakdowns", period, &keep)))
}

fn render(caller: &Caller, breakdowns: &Breakdowns, picker: Markup) -> Markup {
    let l = caller.locale;
    let source_name = |segment: &Segment| match segment.key.as_str() {
        "" => l.t("breakdowns.no_lead").to_string(),
        key => l.t(&format!("key.source.{key}")).to_string(),
    };
    let gateway_name = |segment: &Segment| {
        if segment.key.is_empty() { l.t("breakdowns.no_gateway").to_string() } else { segment.name.clone() }
    };
    let body = html! {
        h1 { (l.tf("breakdowns.title", &[("subject", &breakdowns.subject)])) }
        (picker)
        p.muted { (l.t("breakdowns.help")) }
        section.card #by-gateway-type {
            h2 { (l.t("breakdowns.by_gateway_type")) }
            (segments(caller, &breakdowns.by_gateway_type, gateway_name))
        }
        section.card #by-lead-source {
            h2 { (l.t("breakdowns.by_lead_source")) }
            (segments(caller, &breakdowns.by_lead_source, source_name))
        }
        section.card #by-lost-reason {
            h2 { (l.t("breakdowns.by_lost_reason")) }
            @if breakdowns.by_lost_reason.is_empty() { p.muted { (l.t("breakdowns.nothing_lost")) } }
            @else {
                table {
                    thead { tr { th { (l.t("breakdowns.lost_reason")) } th.num { (l.t("breakdowns.lost")) } th.num { (l.t("breakdowns.amount")) } } }
                    tbody {
                        @for row in &breakdowns.by_lost_reason {
                            tr data-reason=(row.reason) {
                                td { @if row.reason.is_empty() { (l.t("breakdowns.no_reason")) } @else { (row.reason) } }
                                td.num { (l.count(row.lost)) }
                                td.num { (caller.money(row.amount)) }
                            }
                        }
                    }
                }
            }
        }
    };
    templates::page(caller, "dashboard", l.t("breakdowns.nav"), body)
}

/// One breakdown's table: per segment, its first appointments and how far they went, and its
/// outcome.
fn segments(caller: &Caller, rows: &[Segment], name: impl Fn(&Segment) -> String) -> Markup {
    let l = caller.locale;
    let money =
        |cents: Option<f64>| cents.map_or("–".to_string(), |c| caller.money(Money::from_cents(c.round() as i64)));
    html! {
        @if rows.is_empty() { p.muted { (l.t("breakdowns.none")) } }
        @else {
            table {
                thead { tr {
                    th { }
                    th.num { (l.t("kpi.first_appointments")) }
                    th.num { (l.t("kpi.first_appointment_to_next_step")) }
                    th.num { (l.t("kpi.first_appointment_to_proposal")) }
                    th.num { (l.t("kpi.deals_won")) }
                    th.num { (l.t("kpi.win_rate")) }
                    th.num { (l.t("kpi.revenue")) }
                    th.num { (l.t("breakdowns.average_revenue_per_sale")) }
                } }
                tbody {
                    @for row in rows {
                        tr data-segment=(row.key) {
                            td { (name(row)) }
                            td.num { (l.count(row.first_appointments)) }
                            td.num { (l.percent(row.first_appointment_to_next_step)) }
                            td.num { (l.percent(row.first_appointment_to_proposal)) }
                            td.num { (l.count(row.won)) }
                            td.num { (l.percent(row.win_rate)) }
                            td.num { (caller.money(row.revenue)) }
                            td.num { (money(row.average_revenue_per_sale_cents)) }
                        }
                    }
                }
            }
        }
    }
}
