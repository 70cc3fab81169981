//! The organisation's settings: the diagnostics' thresholds, the standards, the method's
//! parameters, and the pipeline's stages and gateway types with their definitions and business
//! rules. Administrators change them; executives read them. A change the rollups depend on starts
//! their rebuild in the background, whose progress the page shows (`/assets/app.js` polls
//! `/api/v1/settings/rebuild`).

use super::{refused_fields, refused_list, require, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{FieldError, PageError};
use crate::i18n::Locale;
use crate::rebuilds::Status;
use crate::templates::{self, csrf};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use quotient_core::access::{Action, Resource};
use quotient_core::forecast::Category;
use quotient_core::model::{Evaluation, Milestone, StageOutcome};
use quotient_core::settings::{Group, Kind, Settings, Spec};
use quotient_core::standards::StandardKey;
use quotient_store::crm::pipeline_config::{GatewayTypeInput, GatewayTypeSetup, StageInput, StageSetup};
use quotient_store::ops::settings::{self as ops, PipelineSetup, SaveSettings};
use std::collections::HashMap;

#[derive(serde::Deserialize, Default)]
pub struct SettingsQuery {
    /// After a save: what was saved.
    saved: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SettingsQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::Settings, Action::Read)?;
    let (settings, setup) = read(&state, &caller).await?;
    let rebuild = state.rebuilds.status(caller.viewer.org);
    let shown = Shown { typed: HashMap::new(), errors: Vec::new(), saved: query.saved.is_some() };
    Ok(render(&caller, &settings, &setup, &rebuild, &shown))
}

async fn read(state: &AppState, caller: &Caller) -> Result<(Settings, PipelineSetup), PageError> {
    with_db(state, caller, |db, caller| {
        Ok((ops::read_settings(db, &caller.viewer)?, ops::pipeline_setup(db, &caller.viewer)?))
    })
    .await
}

/// What the page shows besides the stored settings: the values typed into a refused save, the
/// refusals, a saved notice.
struct Shown {
    typed: HashMap<String, String>,
    errors: Vec<FieldError>,
    saved: bool,
}

/// Saves every setting of the form at once (all or nothing); a change the rollups depend on starts
/// their rebuild in the background.
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Settings, Action::Edit)?;
    // A switch sends `false` from its hidden field and then `true` when ticked: the last one wins.
    let mut values: Vec<(String, String)> = Vec::new();
    for (key, value) in fields.into_iter().filter(|(key, _)| key != "_csrf") {
        values.retain(|(k, _)| *k != key);
        values.push((key, value));
    }
    let command = SaveSettings { values: values.clone() };
    let saved = with_db(&state, &caller, move |db, caller| Ok(ops::save_settings(db, &caller.viewer, &command)?)).await;
    match saved {
        Ok(saved) => {
            if saved.rebuild_rollups {
                state.rebuilds.start(&state.pool, caller.viewer.clone());
            }
            Ok(Redirect::to("/settings?saved=settings").into_response())
        }
        Err(error) => {
            let errors = refused_fields(error)?;
            let (settings, setup) = read(&state, &caller).await?;
            let rebuild = state.rebuilds.status(caller.viewer.org);
            let shown = Shown { typed: values.into_iter().collect(), errors, saved: false };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&caller, &settings, &setup, &rebuild, &shown)).into_response())
        }
    }
}

#[derive(serde::Deserialize)]
pub struct StageForm {
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    probability_pct: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    milestone: String,
    #[serde(default)]
    forecast_category: String,
    #[serde(default)]
    definition: String,
    #[serde(default)]
    business_rules: String,
}

pub async fn save_stage(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<StageForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Settings, Action::Edit)?;
    let stage = StageInput {
        key: form.key,
        name: form.name,
        probability_pct: form.probability_pct,
        position: form.position,
        milestone: form.milestone,
        forecast_category: form.forecast_category,
        definition: form.definition,
        business_rules: form.business_rules,
    };
    let saved = with_db(&state, &caller, move |db, caller| Ok(ops::save_stage(db, &caller.viewer, &stage)?)).await;
    answer(&state, &caller, saved.map(|_| ()), "stages").await
}

pub async fn remove_stage(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Settings, Action::Edit)?;
    let removed = with_db(&state, &caller, move |db, caller| Ok(ops::remove_stage(db, &caller.viewer, &key)?)).await;
    answer(&state, &caller, removed, "stages").await
}

#[derive(serde::Deserialize)]
pub struct GatewayTypeForm {
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    definition: String,
    #[serde(default)]
    business_rules: String,
    #[serde(default)]
    evaluation: String,
    /// Present when the box is ticked.
    #[serde(default)]
    retired: Option<String>,
}

pub async fn save_gateway_type(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<GatewayTypeForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Settings, Action::Edit)?;
    let gateway = GatewayTypeInput {
        key: form.key,
        name: form.name,
        definition: form.definition,
        business_rules: form.business_rules,
        evaluation: form.evaluation,
        retired: form.retired.is_some(),
    };
    let saved =
        with_db(&state, &caller, move |db, caller| Ok(ops::save_gateway_type(db, &caller.viewer, &gateway)?)).await;
    answer(&state, &caller, saved.map(|_| ()), "gateway_types").await
}

/// Back to the page after a pipeline change, or the page again with the refusals.
async fn answer(
    state: &AppState,
    caller: &Caller,
    result: Result<(), PageError>,
    saved: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/settings?saved={saved}#{saved}")).into_response()),
        Err(error) => {
            let errors = refused_fields(error)?;
            let (settings, setup) = read(state, caller).await?;
            let rebuild = state.rebuilds.status(caller.viewer.org);
            let shown = Shown { typed: HashMap::new(), errors, saved: false };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(caller, &settings, &setup, &rebuild, &shown)).into_response())
        }
    }
}

fn render(caller: &Caller, settings: &Settings, setup: &PipelineSetup, rebuild: &Status, shown: &Shown) -> Markup {
    let l = caller.locale;
    let edit = caller.viewer.may(Resource::Settings, Action::Edit);
    let entries = settings.entries();
    let value = |spec: &Spec, stored: &str| shown.typed.get(spec.key).cloned().unwrap_or_else(|| stored.to_string());
    let group = |group: Group| entries.iter().filter(move |(spec, _)| spec.group == group);
    let body = html! {
        h1 { (l.t("settings.title")) }
        @if shown.saved { p.notice role="status" { (l.t("settings.saved")) } }
        (refused_list(&shown.errors))
        (rebuild_status(l, rebuild))
        form #settings-form method="post" action="/settings" {
            (csrf(caller))
            section.card #thresholds {
                h2 { (l.t("settings.thresholds")) }
                p.muted { (l.t("settings.thresholds_help")) }
                table {
                    tbody {
                        @for (spec, stored) in group(Group::Threshold) {
                            tr { th { label for=(spec.key) { (l.t(&format!("settings.{}", spec.key))) } }
                                 td { (input(spec, &value(spec, stored), edit)) } }
                        }
                    }
                }
            }
            section.card #standards {
                h2 { (l.t("settings.standards")) }
                table {
                    thead { tr { th { } th { (l.t("settings.enabled")) } th { (l.t("settings.target")) } } }
                    tbody {
                        @for key in StandardKey::ALL {
                            @let enabled = format!("standard.{}.enabled", key.key());
                            @let target = format!("standard.{}.target", key.key());
                            tr {
                                th { (l.t(&format!("settings.standard.{}", key.key()))) }
                                @for name in [&enabled, &target] {
                                    @if let Some((spec, stored)) = entries.iter().find(|(spec, _)| spec.key == name.as_str()) {
                                        td { (input(spec, &value(spec, stored), edit)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.card #method {
                h2 { (l.t("settings.method")) }
                table {
                    tbody {
                        @for (spec, stored) in group(Group::Method) {
                            tr { th { label for=(spec.key) { (l.t(&format!("settings.{}", spec.key))) } }
                                 td { (input(spec, &value(spec, stored), edit))
                                      @if spec.rebuilds_rollups { br; small.muted { (l.t("settings.rebuilds")) } } } }
                        }
                    }
                }
            }
            @if edit { button #save-settings type="submit" { (l.t("form.save")) } }
        }
        (stages_section(caller, &setup.stages, edit))
        (gateway_types_section(caller, &setup.gateway_types, edit))
    };
    templates::page(caller, "settings", l.t("settings.title"), body)
}

/// One setting's field: a number, or a switch sent as `false` unless ticked.
fn input(spec: &Spec, value: &str, edit: bool) -> Markup {
    match spec.kind {
        Kind::Switch => html! {
            @if edit { input type="hidden" name=(spec.key) value="false"; }
            input type="checkbox" id=(spec.key) name=(spec.key) value="true" checked[value == "true"] disabled[!edit];
        },
        Kind::Number { min, max } => html! {
            input type="text" inputmode="decimal" id=(spec.key) name=(spec.key) value=(value) size="8"
                data-min=(min.to_string()) data-max=(max.to_string()) readonly[!edit];
        },
        Kind::Whole { min, max } => html! {
            input type="number" id=(spec.key) name=(spec.key) value=(value) min=(min) max=(max) readonly[!edit];
        },
    }
}

/// The rebuild in the background: a progress bar while it runs (polled by `app.js`).
fn rebuild_status(l: Locale, status: &Status) -> Markup {
    html! {
        @if status.running() {
            section.card #rebuild data-rebuild-status="/api/v1/settings/rebuild" {
                p role="status" { (l.t("settings.rebuilding")) }
                progress #rebuild-progress max="100" value=(status.percent()) { (status.percent()) "%" }
            }
        } @else if status.state == "done" {
            p.notice #rebuild role="status" { (l.t("settings.rebuilt")) }
        } @else if status.state == "failed" {
            p.alert #rebuild role="alert" { (l.t("settings.rebuild_failed")) }
        }
    }
}

fn stages_section(caller: &Caller, stages: &[StageSetup], edit: bool) -> Markup {
    let l = caller.locale;
    let milestone_options = |chosen: Option<Milestone>| {
        html! {
            option value="" selected[chosen.is_none()] { "–" }
            @for milestone in Milestone::ALL {
                option value=(milestone.key()) selected[chosen == Some(*milestone)] { (l.t(&format!("settings.milestone.{}", milestone.key()))) }
            }
        }
    };
    let category_options = |chosen: Option<Category>| {
        html! {
            @for category in Category::ALL.iter().filter(|c| c.open_choice()) {
                option value=(category.key()) selected[chosen.unwrap_or(Category::Pipeline) == *category] { (l.t(&format!("forecast_category.{}", category.key()))) }
            }
        }
    };
    html! {
        section.card #stages {
            h2 { (l.t("settings.stages")) }
            p.muted { (l.t("settings.stages_help")) }
            @for stage in stages {
                form.stage method="post" action="/settings/stages" data-stage=(stage.key) {
                    (csrf(caller))
                    input type="hidden" name="key" value=(stage.key);
                    fieldset disabled[!edit] {
                        legend { (stage.name) " " small.muted { "(" (stage.key) ", " (l.t(&format!("settings.outcome.{}", stage.outcome.key()))) ", "
                            (l.tf("settings.in_use", &[("count", &l.count(stage.opportunities))])) ")" } }
                        label { (l.t("field.name")) " " input type="text" name="name" value=(stage.name); }
                        label { (l.t("settings.probability_pct")) " " input type="number" name="probability_pct" min="0" max="100" value=(stage.probability_bp / 100); }
                        label { (l.t("settings.position")) " " input type="number" name="position" min="0" max="1000" value=(stage.position); }
                        @if stage.outcome == StageOutcome::Open {
                            label { (l.t("settings.milestone")) " " select name="milestone" { (milestone_options(stage.milestone)) } }
                            label { (l.t("settings.forecast_category")) " " select name="forecast_category" { (category_options(stage.forecast_category)) } }
                        }
                        label { (l.t("settings.definition")) textarea name="definition" rows="2" { (stage.definition) } }
                        label { (l.t("settings.business_rules")) textarea name="business_rules" rows="2" { (stage.business_rules) } }
                        @if edit { button type="submit" { (l.t("form.save")) } }
                    }
                }
                @if edit && stage.opportunities == 0 {
                    form method="post" action={ "/settings/stages/" (stage.key) "/remove" } {
                        (csrf(caller)) button.secondary type="submit" { (l.t("settings.remove_stage")) }
                    }
                }
            }
            @if edit {
                form.stage #new-stage method="post" action="/settings/stages" {
                    (csrf(caller))
                    fieldset {
                        legend { (l.t("settings.new_stage")) }
                        label { (l.t("settings.key")) " " input type="text" name="key" required; }
                        label { (l.t("field.name")) " " input type="text" name="name" required; }
                        label { (l.t("settings.probability_pct")) " " input type="number" name="probability_pct" min="0" max="100" required; }
                        label { (l.t("settings.position")) " " input type="number" name="position" min="0" max="1000"; }
                        label { (l.t("settings.milestone")) " " select name="milestone" { (milestone_options(None)) } }
                        label { (l.t("settings.forecast_category")) " " select name="forecast_category" { (category_options(None)) } }
                        label { (l.t("settings.definition")) textarea name="definition" rows="2" {} }
                        label { (l.t("settings.business_rules")) textarea name="business_rules" rows="2" {} }
                        button type="submit" { (l.t("settings.add")) }
                    }
                }
            }
        }
    }
}

fn gateway_types_section(caller: &Caller, gateway_types: &[GatewayTypeSetup], edit: bool) -> Markup {
    let l = caller.locale;
    let evaluation_options = |chosen: Option<Evaluation>| {
        html! {
            option value="" selected[chosen.is_none()] { "–" }
            @for kind in Evaluation::ALL {
                option value=(kind.key()) selected[chosen == Some(*kind)] { (l.t(&format!("settings.evaluation.{}", kind.key()))) }
            }
        }
    };
    let fields = |gateway: Option<&GatewayTypeSetup>| {
        html! {
            label { (l.t("field.name")) " " input type="text" name="name" value=[gateway.map(|g| g.name.as_str())] required; }
            label { (l.t("settings.evaluation")) " " select name="evaluation" { (evaluation_options(gateway.and_then(|g| g.evaluation))) } }
            label { (l.t("settings.definition")) textarea name="definition" rows="2" { (gateway.map_or("", |g| g.definition.as_str())) } }
            label { (l.t("settings.business_rules")) textarea name="business_rules" rows="2" { (gateway.map_or("", |g| g.business_rules.as_str())) } }
        }
    };
    html! {
        section.card #gateway_types {
            h2 { (l.t("settings.gateway_types")) }
            p.muted { (l.t("settings.gateway_types_help")) }
            @for gateway in gateway_types {
                form.gateway-type method="post" action="/settings/gateway-types" data-gateway-type=(gateway.key) {
                    (csrf(caller))
                    input type="hidden" name="key" value=(gateway.key);
                    fieldset disabled[!edit] {
                        legend { (gateway.name) " " small.muted { "(" (gateway.key) ", "
                            (l.tf("settings.in_use", &[("count", &l.count(gateway.opportunities))])) ")" } }
                        (fields(Some(gateway)))
                        label { input type="checkbox" name="retired" value="true" checked[gateway.retired]; " " (l.t("settings.retired")) }
                        @if edit { button type="submit" { (l.t("form.save")) } }
                    }
                }
            }
            @if edit {
                form.gateway-type #new-gateway-type method="post" action="/settings/gateway-types" {
                    (csrf(caller))
                    fieldset {
                        legend { (l.t("settings.new_gateway_type")) }
                        label { (l.t("settings.key")) " " input type="text" name="key" required; }
                        (fields(None))
                        button type="submit" { (l.t("settings.add")) }
                    }
                }
            }
        }
    }
}
