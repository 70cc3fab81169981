//! The open pipeline, as a board by stage and as a list. Moving a stage sets the milestone (asking
//! for the kind of next step when entering the gateway stage) and updates the KPIs at once.

use super::{encode, refusal, require, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::PageError;
use crate::templates::{self, csrf};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use quotient_core::access::{Action, Resource};
use quotient_core::model::StageOutcome;
use quotient_store::StoreError;
use quotient_store::crm::pipeline::{self, OpenDeal, Stage};
use quotient_store::crm::pipeline_config::GatewayTypeSetup;
use quotient_store::ids::OpportunityId;
use quotient_store::ops::pipeline::{self as ops, MoveStage};

/// The most deals a board shows (largest first); the list pages through them all.
/// The most deals a board column or the list shows, largest first.
const COLUMN_LIMIT: i64 = 50;
const LIST_LIMIT: i64 = 400;

/// The refusals a redirect back to the pipeline names by code, and their messages: a stage move's.
pub const REFUSALS: &[(&str, &str)] = &[
    ("stage_unknown", "refusal.stage_unknown"),
    ("stage_before_creation", "refusal.stage_before_creation"),
    ("gateway_type_required", "refusal.gateway_type_required"),
];

#[derive(serde::Deserialize, Default)]
pub struct PipelineQuery {
    view: Option<String>,
    /// The list's stage, when it shows one.
    stage: Option<String>,
    /// After a move: the id of the deal moved, or the code of the refusal.
    moved: Option<String>,
    error: Option<String>,
}

pub async fn pipeline(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<PipelineQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::Opportunities, Action::Read)?;
    let list = query.view.as_deref() == Some("list");
    let list_stage = query.stage.clone().filter(|s| !s.is_empty());
    let (stages, gateway_types, totals, (deals, total)) = with_db(&state, &caller, move |db, caller| {
        let stages = pipeline::stages(db, &caller.viewer)?;
        let deals = if list {
            pipeline::open_deals(db, &caller.viewer, None, list_stage.as_deref(), LIST_LIMIT)?
        } else {
            // Every column its largest deals, so that a full early stage does not crowd out the rest.
            let mut deals = vec![];
            let mut total = 0;
            for stage in stages.iter().filter(|s| s.outcome == StageOutcome::Open) {
                let (column, count) = pipeline::open_deals(db, &caller.viewer, None, Some(&stage.key), COLUMN_LIMIT)?;
                deals.extend(column);
                total += count;
            }
            (deals, total)
        };
        let definitions = pipeline::gateway_type_definitions(db, &caller.viewer)?;
        let gateway_types: Vec<(String, String)> =
            definitions.iter().map(|g| (g.key.clone(), g.name.clone())).collect();
        Ok((stages, (gateway_types, definitions), pipeline::stage_totals(db, &caller.viewer)?, deals))
    })
    .await?;
    let (gateway_types, definitions): (Vec<(String, String)>, Vec<GatewayTypeSetup>) = gateway_types;
    let l = caller.locale;
    let open_stages: Vec<&Stage> = stages.iter().filter(|s| s.outcome == StageOutcome::Open).collect();
    let body = html! {
        h1 { (l.t("pipeline.title")) }
        div.toolbar {
            @if list { a.button.secondary href="/pipeline" { (l.t("pipeline.board")) } span.button { (l.t("pipeline.list")) } }
            @else { span.button { (l.t("pipeline.board")) } a.button.secondary href="/pipeline?view=list" { (l.t("pipeline.list")) } }
            span.muted { (l.tf("pipeline.shown", &[("shown", &l.count(deals.len() as i64)), ("total", &l.count(total))])) }
        }
        @if let Some(moved) = query.moved.as_deref().and_then(|m| m.parse::<i64>().ok()) {
            p.notice role="status" { (l.tf("pipeline.moved", &[("name", &format!("#{moved}"))])) }
        }
        @if let Some(message) = refusal(l, query.error.as_deref(), REFUSALS) { p.alert role="alert" { (message) } }
        @if list {
            div.table-wrap {
                table #pipeline-list {
                    thead { tr {
                        th { (l.t("field.name")) } th { (l.t("field.account")) } th { (l.t("field.owner")) }
                        th { (l.t("field.stage")) } th.num { (l.t("field.amount")) } th { (l.t("field.expected_close_on")) } th { }
                    } }
                    tbody {
                        @for deal in &deals {
                            tr {
                                td { a href={ "/records/opportunities/" (deal.id) } { (deal.name) } }
                                td { (deal.account.as_deref().unwrap_or("–")) }
                                td { (deal.owner) }
                                td { (stage_name(&stages, &deal.stage)) }
                                td.num { (caller.money(deal.amount)) }
                                td { (deal.expected_close_on.map_or("–".into(), |d| l.date(d))) }
                                td { (move_form(&caller, deal, &stages, &gateway_types, "list")) }
                            }
                        }
                    }
                }
            }
        } @else {
            div.board #pipeline-board {
                @for stage in &open_stages {
                    @let column: Vec<&OpenDeal> = deals.iter().filter(|d| d.stage == stage.key).collect();
                    @let (count, amount) = totals.get(&stage.key).copied().unwrap_or_default();
                    section.column data-stage=(stage.key) {
                        h3 { span { (stage.name) } span.muted data-count=(count) { (l.count(count)) " · " (caller.money(amount)) } }
                        @for deal in &column {
                            div.deal data-opportunity=(deal.id) {
                                a href={ "/records/opportunities/" (deal.id) } { strong { (deal.name) } }
                                div.muted { (deal.account.as_deref().unwrap_or("–")) " · " (deal.owner) }
                                div { (caller.money(deal.amount)) @if let Some(d) = deal.expected_close_on { " · " (l.date(d)) } }
                                (move_form(&caller, deal, &stages, &gateway_types, "board"))
                            }
                        }
                        @if count > column.len() as i64 {
                            p { a href={ "/pipeline?view=list&stage=" (encode(&stage.key)) } {
                                (l.tf("pipeline.more", &[("count", &l.count(count - column.len() as i64))]))
                            } }
                        }
                    }
                }
            }
        }
        (definitions_section(&caller, &stages, &definitions))
    };
    Ok(templates::page(&caller, "pipeline", l.t("pipeline.title"), body))
}

/// What each stage and gateway type means and the business rules for putting a deal there, as the
/// organisation wrote them on the settings page: read where the rep chooses.
fn definitions_section(caller: &Caller, stages: &[Stage], gateway_types: &[GatewayTypeSetup]) -> Markup {
    let l = caller.locale;
    let written = |definition: &str, rules: &str| !definition.is_empty() || !rules.is_empty();
    html! {
        details #pipeline-definitions {
            summary { (l.t("pipeline.definitions")) }
            dl {
                @for stage in stages.iter().filter(|s| written(&s.definition, &s.business_rules)) {
                    dt { (stage.name) }
                    dd { (stage.definition) }
                    @if !stage.business_rules.is_empty() { dd.muted { (l.t("settings.business_rules")) ": " (stage.business_rules) } }
                }
                @for gateway in gateway_types.iter().filter(|g| written(&g.definition, &g.business_rules)) {
                    dt { (l.t("pipeline.gateway_type")) ": " (gateway.name)
                        @if let Some(kind) = gateway.evaluation { " (" (l.t(&format!("settings.evaluation.{}", kind.key()))) ")" } }
                    dd data-gateway-definition=(gateway.key) { (gateway.definition) }
                    @if !gateway.business_rules.is_empty() { dd.muted { (l.t("settings.business_rules")) ": " (gateway.business_rules) } }
                }
            }
        }
    }
}

fn stage_name<'a>(stages: &'a [Stage], key: &'a str) -> &'a str {
    stages.iter().find(|s| s.key == key).map_or(key, |s| s.name.as_str())
}

fn move_form(
    caller: &Caller,
    deal: &OpenDeal,
    stages: &[Stage],
    gateway_types: &[(String, String)],
    view: &str,
) -> Markup {
    let l = caller.locale;
    if !caller.viewer.may(Resource::Opportunities, Action::Edit) {
        return html! {};
    }
    html! {
        form method="post" action={ "/opportunities/" (deal.id) "/stage" } {
            (csrf(caller))
            input type="hidden" name="view" value=(view);
            label.sr-only for={ "stage-" (deal.id) } { (l.t("pipeline.move_to")) }
            select id={ "stage-" (deal.id) } name="stage" aria-label=(l.t("pipeline.move_to")) {
                @for stage in stages.iter().filter(|s| s.key != deal.stage) {
                    option value=(stage.key) title=(stage.definition) { (stage.name) }
                }
            }
            select name="gateway_type" aria-label=(l.t("pipeline.gateway_type")) title=(l.t("pipeline.gateway_type_help")) {
                option value="" { (l.t("pipeline.gateway_type")) "…" }
                @for (key, name) in gateway_types { option value=(key) { (name) } }
            }
            button type="submit" { (l.t("pipeline.move")) }
        }
    }
}

#[derive(serde::Deserialize)]
pub struct MoveForm {
    stage: String,
    #[serde(default)]
    gateway_type: String,
    #[serde(default)]
    view: String,
}

pub async fn move_stage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Opportunities, Action::Edit)?;
    let back = if form.view == "list" { "/pipeline?view=list&" } else { "/pipeline?" };
    let command = MoveStage {
        opportunity: OpportunityId(id),
        stage: form.stage.clone(),
        gateway_type: Some(form.gateway_type.clone()),
        at: chrono::Utc::now(),
    };
    let moved = with_db(&state, &caller, move |db, caller| match ops::move_stage(db, &caller.viewer, &command) {
        Ok(()) => Ok(None),
        Err(StoreError::Refused(refusals)) => Ok(refusals.first().map(|refusal| refusal.code)),
        Err(error) => Err(error.into()),
    })
    .await?;
    Ok(match moved {
        None => Redirect::to(&format!("{back}moved={id}")).into_response(),
        // The page shows the refusal's text by its code.
        Some(code) => Redirect::to(&format!("{back}error={}", code.key())).into_response(),
    })
}
