//! Creating and editing a record of any CRM resource from its declarative form, and converting a
//! lead. The store checks and scopes every field; this module shows the form and the refusals.

use super::{require, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, FieldError, PageError};
use crate::i18n::Locale;
use crate::templates::{self, csrf, field_error};
use axum::Form as Posted;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use quotient_core::access::Action;
use quotient_store::crm::forms::{self, Field, Form, Input, Target};
use quotient_store::crm::leads::{self, Conversion};
use quotient_store::crm::values::{self, Values};
use quotient_store::ops::records::{self, ConvertLead, CreateRecord, Unsent, UpdateRecord};
use quotient_store::{Db, Refusal, StoreError};
use std::collections::BTreeMap;

/// The most records a reference field offers; a longer list is searched on the list page instead.
const OPTIONS_LIMIT: i64 = 500;

fn resolve(caller: &Caller, resource: &str, action: Action) -> Result<&'static Form, PageError> {
    let form = forms::form(resource).ok_or(PageError(Error::NotFound, caller.locale))?;
    require(caller, form.resource, action)?;
    Ok(form)
}

/// The refused fields in the caller's words.
fn explain(locale: Locale, refusals: &[Refusal]) -> Vec<FieldError> {
    refusals.iter().map(|refusal| FieldError::refused(refusal, locale)).collect()
}

/// An operation's answer for a form: done, or refused with what the form needs to be shown again;
/// any other failure is the page's error.
fn refused_or<T, U>(
    done: Result<T, StoreError>,
    again: impl FnOnce() -> Result<U, Error>,
) -> Result<Result<T, (Vec<Refusal>, U)>, Error> {
    match done {
        Ok(done) => Ok(Ok(done)),
        Err(StoreError::Refused(refusals)) => Ok(Err((refusals, again()?))),
        Err(error) => Err(error.into()),
    }
}

/// The choices of every reference field of a form, within the caller's reach.
type Options = BTreeMap<&'static str, Vec<(i64, String)>>;

fn options(db: &mut Db, caller: &Caller, form: &Form) -> Result<Options, Error> {
    let mut options = Options::new();
    for field in form.fields {
        if let Input::Reference(target) = field.input {
            options.insert(field.key, values::options(db, &caller.viewer, target, OPTIONS_LIMIT)?);
        }
    }
    Ok(options)
}

/// `GET /records/{resource}/new`: the form with its defaults, and any field given in the query
/// (`?account=12` from an account's page).
pub async fn new(
    State(state): State<AppState>,
    caller: Caller,
    Path(resource): Path<String>,
    Query(given): Query<Values>,
) -> Result<Markup, PageError> {
    let form = resolve(&caller, &resource, Action::Create)?;
    let (values, options) = with_db(&state, &caller, move |db, caller| {
        let mut values = values::defaults(&caller.viewer, form);
        values.extend(given.into_iter().filter(|(key, _)| form.fields.iter().any(|f| f.key == key)));
        Ok((values, options(db, caller, form)?))
    })
    .await?;
    Ok(render(&caller, form, None, &values, &options, &[]))
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(resource): Path<String>,
    Posted(values): Posted<Values>,
) -> Result<Response, PageError> {
    let form = resolve(&caller, &resource, Action::Create)?;
    save(state, caller, form, None, values).await
}

pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path((resource, id)): Path<(String, i64)>,
) -> Result<Markup, PageError> {
    let form = resolve(&caller, &resource, Action::Edit)?;
    let (values, options) = with_db(&state, &caller, move |db, caller| {
        let values = values::current(db, &caller.viewer, form, id)?.ok_or(Error::NotFound)?;
        Ok((values, options(db, caller, form)?))
    })
    .await?;
    Ok(render(&caller, form, Some(id), &values, &options, &[]))
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path((resource, id)): Path<(String, i64)>,
    Posted(values): Posted<Values>,
) -> Result<Response, PageError> {
    let form = resolve(&caller, &resource, Action::Edit)?;
    save(state, caller, form, Some(id), values).await
}

async fn save(
    state: AppState,
    caller: Caller,
    form: &'static Form,
    id: Option<i64>,
    values: Values,
) -> Result<Response, PageError> {
    let lang = caller.locale;
    let sent = values.clone();
    let saved = with_db(&state, &caller, move |db, caller| {
        let saved = match id {
            Some(id) => {
                let command = UpdateRecord { form, id, values: sent, unsent: Unsent::Cleared, lang };
                records::update(db, &caller.viewer, &command).map(|()| id)
            }
            None => records::create(db, &caller.viewer, &CreateRecord { form, values: sent, lang }),
        };
        refused_or(saved, || options(db, caller, form))
    })
    .await?;
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/records/{}/{id}", form.table)).into_response()),
        Err((refusals, options)) => {
            let page = render(&caller, form, id, &values, &options, &explain(lang, &refusals));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn render(
    caller: &Caller,
    form: &Form,
    id: Option<i64>,
    values: &Values,
    options: &Options,
    errors: &[FieldError],
) -> Markup {
    let l = caller.locale;
    let list = format!("/records/{}", form.table);
    let (title, action, back) = match id {
        Some(id) => (l.t("records.edit"), format!("{list}/{id}/edit"), format!("{list}/{id}")),
        None => (l.t("records.new"), format!("{list}/new"), list.clone()),
    };
    let title = format!("{} · {}", l.t(&format!("nav.{}", form.table)), title);
    let body = html! {
        p.no-print { a href=(back) { "← " (l.t("form.cancel")) } }
        h1 { (title) }
        form.card method="post" action=(action) style="max-width: 640px" novalidate {
            (csrf(caller))
            @for field in form.fields {
                (input(l, field, values.get(field.key).map_or("", String::as_str), options.get(field.key), errors))
            }
            p { button type="submit" { (l.t(if id.is_some() { "form.save" } else { "form.create" })) } }
        }
    };
    templates::page(caller, form.table, &title, body)
}

/// One labelled field with its refusal under it.
fn input(l: Locale, field: &Field, value: &str, options: Option<&Vec<(i64, String)>>, errors: &[FieldError]) -> Markup {
    let key = field.key;
    let has_error = errors.iter().any(|e| e.field == key).then_some("has-error");
    let described = has_error.map(|_| format!("error-{key}"));
    html! {
        div class=[has_error] {
            label for=(key) {
                (l.t(&format!("field.{key}")))
                @if !field.required { " " span.muted { (l.t("form.optional")) } }
            }
            @match field.input {
                Input::Text { max } => input #(key) type="text" name=(key) value=(value) maxlength=(max) required[field.required] aria-describedby=[&described];
                Input::Int { min, max } => input #(key) type="number" name=(key) value=(value) min=(min) max=(max) step="1" required[field.required] aria-describedby=[&described];
                Input::Money => input #(key) type="text" inputmode="decimal" name=(key) value=(value) placeholder="1250.00" required[field.required] aria-describedby=[&described];
                Input::Date => input #(key) type="date" name=(key) value=(value) required[field.required] aria-describedby=[&described];
                Input::Time => input #(key) type="datetime-local" name=(key) value=(value) required[field.required] aria-describedby=[&described];
                Input::Choice(choices) => select #(key) name=(key) aria-describedby=[&described] {
                    @if !field.required { option value="" { "–" } }
                    @for choice in choices.keys() {
                        option value=(choice) selected[value == choice] { (choice_label(l, key, choice)) }
                    }
                },
                Input::Reference(target) => select #(key) name=(key) aria-describedby=[&described] {
                    @if !field.required || target != Target::Rep { option value="" { "–" } }
                    @for (id, name) in options.into_iter().flatten() {
                        option value=(id) selected[value == id.to_string()] { (name) }
                    }
                },
            }
            (field_error(errors, key))
        }
    }
}

fn choice_label(l: Locale, field: &str, choice: &str) -> String {
    let translated = l.t(&format!("key.{field}.{choice}"));
    if translated.starts_with("key.") { choice.replace('_', " ") } else { translated.to_string() }
}

fn may_convert(caller: &Caller) -> Result<(), PageError> {
    if records::may_convert(&caller.viewer) { Ok(()) } else { Err(PageError(Error::NotFound, caller.locale)) }
}

pub async fn conversion(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    may_convert(&caller)?;
    let (conversion, lines) = with_db(&state, &caller, move |db, caller| {
        let lead = leads::find(db, &caller.viewer, id)?.filter(|lead| !lead.is_converted());
        let lead = lead.ok_or(Error::NotFound)?;
        Ok((lead.proposal(), values::options(db, &caller.viewer, Target::ProductLine, OPTIONS_LIMIT)?))
    })
    .await?;
    Ok(render_conversion(&caller, id, &conversion, &lines, &[]))
}

/// The conversion the form confirms: every name as the form sends it.
fn conversion_command(lead: i64, conversion: &Conversion, lang: Locale) -> ConvertLead {
    ConvertLead {
        lead,
        account_name: Some(conversion.account_name.clone()),
        first_name: Some(conversion.first_name.clone()),
        last_name: Some(conversion.last_name.clone()),
        opportunity_name: Some(conversion.opportunity_name.clone()),
        amount: conversion.amount.clone(),
        product_line: conversion.product_line.clone(),
        lang,
    }
}

pub async fn convert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Posted(conversion): Posted<Conversion>,
) -> Result<Response, PageError> {
    may_convert(&caller)?;
    let command = conversion_command(id, &conversion, caller.locale);
    let converted = with_db(&state, &caller, move |db, caller| {
        let converted = records::convert_lead(db, &caller.viewer, &command);
        // The product lines only when the form is shown again.
        refused_or(converted, || Ok(values::options(db, &caller.viewer, Target::ProductLine, OPTIONS_LIMIT)?))
    })
    .await?;
    match converted {
        Ok(done) => Ok(Redirect::to(&format!("/records/opportunities/{}", done.opportunity)).into_response()),
        Err((refusals, lines)) => {
            let page = render_conversion(&caller, id, &conversion, &lines, &explain(caller.locale, &refusals));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn render_conversion(
    caller: &Caller,
    id: i64,
    conversion: &Conversion,
    lines: &[(i64, String)],
    errors: &[FieldError],
) -> Markup {
    let l = caller.locale;
    let text = |key: &'static str, value: &str, required: bool| {
        let field = Field { key, column: key, input: forms::NAME, required };
        input(l, &field, value, None, errors)
    };
    let body = html! {
        p.no-print { a href={ "/records/leads/" (id) } { "← " (l.t("form.cancel")) } }
        h1 { (l.t("convert.title")) }
        p.muted { (l.t("convert.help")) }
        form.card method="post" action={ "/records/leads/" (id) "/convert" } style="max-width: 640px" novalidate {
            (csrf(caller))
            (text("account_name", &conversion.account_name, true))
            (text("first_name", &conversion.first_name, false))
            (text("last_name", &conversion.last_name, true))
            (text("opportunity_name", &conversion.opportunity_name, true))
            (input(l, &Field { key: "amount", column: "amount", input: Input::Money, required: true }, &conversion.amount, None, errors))
            (input(l, &Field { key: "product_line", column: "product_line", input: Input::Reference(Target::ProductLine), required: false }, &conversion.product_line, Some(&lines.to_vec()), errors))
            p { button type="submit" { (l.t("convert.submit")) } }
        }
    };
    templates::page(caller, "leads", l.t("convert.title"), body)
}
