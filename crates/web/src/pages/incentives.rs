//! The plan editor (`INCENTIVES.md` §1, §5, §7, §8): the year's plans and contests as readable
//! tables, the plans file as a JSON editor whose problems are listed by path, and what a draft
//! would have paid each rep and team last year, as a share of revenue, before it is saved.

use super::{refused_fields, refused_list, require, today, with_db, writing};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{FieldError, PageError};
use crate::templates::{self, csrf};
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use maud::{Markup, html};
use quotient_core::Money;
use quotient_core::access::{Action, Resource};
use quotient_core::incentives::{Award, ComponentKind, PlansFile, Prize, read_plans_file};
use quotient_store::ops::incentives::{self as ops, PlanPreview, PlansChecked, SavePlans};

#[derive(serde::Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
    done: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct PlansForm {
    year: i32,
    file: String,
}

/// What the page shows besides the file: a preview, refusals, or that it was saved.
#[derive(Default)]
struct Shown {
    preview: Option<PlansChecked>,
    refused: Vec<FieldError>,
    saved: bool,
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<YearQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::IncentivePlans, Action::Read)?;
    let year = query.year.unwrap_or(today().year());
    let text = with_db(&state, &caller, move |db, caller| Ok(ops::plans_file(db, &caller.viewer, year)?)).await?;
    let text = text.unwrap_or_else(|| format!("{{ \"fiscal_year\": {year}, \"plans\": [], \"contests\": [] }}"));
    let shown = Shown { saved: query.done.as_deref() == Some("saved"), ..Shown::default() };
    Ok(render(&caller, year, &text, &shown))
}

/// `POST /incentives/preview`: checks the draft and shows what it would have paid last year.
pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PlansForm>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::IncentivePlans, Action::Read)?;
    let command = SavePlans { fiscal_year: form.year, file: form.file.clone() };
    let checked = with_db(&state, &caller, move |db, caller| Ok(ops::check_plans(db, &caller.viewer, &command)?)).await;
    let shown = match checked {
        Ok(checked) => Shown { preview: Some(checked), ..Shown::default() },
        Err(error) => Shown { refused: refused_fields(error)?, ..Shown::default() },
    };
    Ok(render(&caller, form.year, &form.file, &shown))
}

/// `POST /incentives`: saves the draft, replacing the year's plans and contests.
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PlansForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::IncentivePlans, Action::Edit)?;
    let command = SavePlans { fiscal_year: form.year, file: form.file.clone() };
    let saved = writing(&state, &caller, move |db, caller| Ok(ops::save_plans(db, &caller.viewer, &command)?)).await;
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/incentives?year={}&done=saved", form.year)).into_response()),
        Err(error) => {
            let shown = Shown { refused: refused_fields(error)?, ..Shown::default() };
            Ok(render(&caller, form.year, &form.file, &shown).into_response())
        }
    }
}

fn render(caller: &Caller, year: i32, text: &str, shown: &Shown) -> Markup {
    let l = caller.locale;
    let editable = caller.viewer.may(Resource::IncentivePlans, Action::Edit);
    let parsed = read_plans_file(text).ok();
    let body = html! {
        h1 { (l.t("incentives.title")) " " (year) }
        nav.toolbar {
            a.button.secondary href={ "/incentives?year=" (year.saturating_sub(1)) } { "‹ " (year.saturating_sub(1)) }
            a.button.secondary href={ "/incentives?year=" (year.saturating_add(1)) } { (year.saturating_add(1)) " ›" }
        }
        @if shown.saved { p.notice role="status" { (l.t("incentives.saved")) } }
        (refused_list(&shown.refused))
        @if let Some(checked) = &shown.preview { (preview_tables(caller, &checked.preview)) }
        @if let Some(file) = &parsed { (plans_tables(caller, file)) }
        section.card {
            h2 { (l.t("incentives.file")) }
            p.muted { (l.t("incentives.file_help")) }
            form method="post" action="/incentives" {
                (csrf(caller))
                input type="hidden" name="year" value=(year);
                textarea #plans-file name="file" rows="24" spellcheck="false" readonly[!editable] aria-label=(l.t("incentives.file")) { (text) }
                p {
                    button.secondary type="submit" formaction="/incentives/preview" { (l.t("incentives.preview")) }
                    @if editable { " " button type="submit" { (l.t("incentives.save")) } }
                }
            }
        }
    };
    templates::page(caller, "incentives", l.t("incentives.title"), body)
}

fn decimal(text: impl ToString) -> String {
    text.to_string()
}

/// The plans and contests of a file as tables: who is on each plan, each component's terms.
fn plans_tables(caller: &Caller, file: &PlansFile) -> Markup {
    let l = caller.locale;
    let money = |cents: i64| caller.money(Money::from_cents(cents));
    html! {
        @for plan in &file.plans {
            section.card.plan {
                h2 { (plan.name) }
                p.muted {
                    (l.t("incentives.assigned")) ": "
                    (plan.assignments.iter().map(|a| {
                        let draw = a.draw.map(|d| format!(" ({} {})", l.t("statements.draw"), money(d.amount_cents))).unwrap_or_default();
                        format!("{}{draw}", a.rep_id)
                    }).collect::<Vec<_>>().join(", "))
                }
                table {
                    thead { tr {
                        th { (l.t("incentives.component")) } th { (l.t("incentives.measure")) } th { (l.t("incentives.period")) }
                        th { (l.t("incentives.terms")) } th { (l.t("incentives.gate")) } th { (l.t("incentives.cap")) }
                    } }
                    tbody {
                        @for component in &plan.components {
                            tr {
                                td { strong { (component.key) } }
                                td { (format!("{:?}", component.metric).to_lowercase()) " · " (format!("{:?}", component.credit).to_lowercase())
                                     @if let Some(line) = &component.product_line_id { " · " (line) } }
                                td { (format!("{:?}", component.period).to_lowercase()) @if component.cumulative { " · " (l.t("incentives.cumulative")) } }
                                td { @match &component.kind {
                                    ComponentKind::Commission { tier_mode, tiers } => {
                                        (format!("{tier_mode:?}").to_lowercase()) ": "
                                        (tiers.iter().map(|t| format!("≥ {} → {}", decimal(t.from), decimal(t.rate))).collect::<Vec<_>>().join("; "))
                                    }
                                    ComponentKind::Bonus { target_cents, curve } => {
                                        (money(*target_cents)) " × "
                                        (curve.iter().map(|p| format!("{} → {}", decimal(p.attainment), decimal(p.payout))).collect::<Vec<_>>().join("; "))
                                    }
                                } }
                                td { (component.gate.map_or("–".into(), decimal)) }
                                td { (component.cap_cents.map_or("–".into(), money)) }
                            }
                        }
                    }
                }
            }
        }
        @if !file.contests.is_empty() {
            section.card #contests {
                h2 { (l.t("contests.title")) }
                table {
                    thead { tr { th { (l.t("field.name")) } th { (l.t("incentives.dates")) } th { (l.t("incentives.measure")) } th { (l.t("contests.prizes")) } } }
                    tbody {
                        @for contest in &file.contests {
                            tr {
                                td { (contest.name) }
                                td { (l.date(contest.start)) " – " (l.date(contest.end)) }
                                td { (format!("{:?}", contest.measure.kpi)) @if let Some(line) = &contest.measure.product_line_id { " · " (line) } }
                                td { (award_text(caller, &contest.award)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn award_text(caller: &Caller, award: &Award) -> String {
    let l = caller.locale;
    match award {
        Award::PerUnit { per_unit_cents, threshold } => {
            let above = threshold.map(|t| format!(" > {t}")).unwrap_or_default();
            format!("{} {}{above}", caller.money(Money::from_cents(*per_unit_cents)), l.t("contests.per_unit"))
        }
        Award::Ranking { prizes } => prizes
            .iter()
            .enumerate()
            .map(|(place, prize)| match prize {
                Prize::Cents(cents) => format!("#{} {}", place + 1, caller.money(Money::from_cents(*cents))),
                Prize::Text(text) => format!("#{} {text}", place + 1),
            })
            .collect::<Vec<_>>()
            .join(" · "),
    }
}

/// What the draft would have paid over the year before: per team, in total, and per rep.
fn preview_tables(caller: &Caller, preview: &PlanPreview) -> Markup {
    let l = caller.locale;
    let money = |cents: i64| caller.money(Money::from_cents(cents));
    let share = |text: &Option<String>| l.percent(text.as_deref().and_then(|t| t.parse::<f64>().ok()));
    html! {
        section.card #preview {
            h2 { (l.t("incentives.preview_title")) " " (preview.year) }
            table {
                thead { tr { th { (l.t("incentives.team")) } th.num { (l.t("incentives.paid")) } th.num { (l.t("kpi.revenue")) } th.num { (l.t("statements.cost_of_sales")) } } }
                tbody {
                    @for team in &preview.teams {
                        tr { td { (team.name) } td.num { (money(team.earnings_cents)) } td.num { (money(team.revenue_cents)) } td.num { (share(&team.cost_share)) } }
                    }
                }
                tfoot { tr {
                    th { (l.t("statements.total")) } td.num { strong { (money(preview.total.earnings_cents)) } }
                    td.num { (money(preview.total.revenue_cents)) } td.num { strong #preview-cost { (share(&preview.total.cost_share)) } }
                } }
            }
            details {
                summary { (l.t("incentives.per_rep")) }
                table {
                    thead { tr { th { (l.t("field.rep")) } th.num { (l.t("incentives.paid")) } th.num { (l.t("kpi.revenue")) } } }
                    tbody {
                        @for rep in &preview.reps {
                            tr { td { (rep.name) " " span.muted { (rep.rep_external_id) } } td.num { (money(rep.earnings_cents)) } td.num { (money(rep.revenue_cents)) } }
                        }
                    }
                }
            }
        }
    }
}
