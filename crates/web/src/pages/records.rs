//! The CRM screens of every resource from one declarative listing: list (search, sort, paging,
//! CSV export of the current view, the deleted rows to restore), detail with the activity
//! timeline and the audit history, soft delete and restore.

use super::{require, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, PageError};
use crate::params::{ListParams, encode};
use crate::templates::{self, csrf, sort_header};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use quotient_core::access::{Action, Resource};
use quotient_store::crm::browse::{self, Cell, ListPage, ListQuery, Listing, Record, Shown, TimelineEntry};
use quotient_store::ops::records::{self, RecordRef};
use quotient_store::{audit, bundle};

const PAGE_SIZE: i64 = 50;
/// The most rows one CSV export writes.
const EXPORT_LIMIT: i64 = 100_000;

fn resolve(caller: &Caller, resource: &str, action: Action) -> Result<&'static Listing, PageError> {
    let listing = browse::listing(resource).ok_or(PageError(Error::NotFound, caller.locale))?;
    require(caller, listing.resource, action)?;
    Ok(listing)
}

/// A cell as text in the caller's language.
pub fn cell_text(caller: &Caller, column: Shown, key: &str, cell: &Cell) -> String {
    let l = caller.locale;
    match cell {
        Cell::Null => "–".to_string(),
        Cell::Text(text) if column == Shown::Key => {
            let translated = l.t(&format!("key.{key}.{text}"));
            if translated.starts_with("key.") { text.replace('_', " ") } else { translated.to_string() }
        }
        Cell::Text(text) => text.clone(),
        Cell::Int(n) => l.count(*n),
        Cell::Money(money) => l.money(*money, &caller.currency, false),
        Cell::Date(date) => l.date(*date),
        Cell::Time(at) => l.timestamp(*at),
    }
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(resource): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Markup, PageError> {
    let listing = resolve(&caller, &resource, Action::Read)?;
    let params = params.within_pages();
    let query = params.query(PAGE_SIZE);
    let page =
        with_db(&state, &caller, move |db, caller| Ok(browse::list(db, &caller.viewer, listing, &query)?)).await?;
    Ok(render_list(&caller, listing, &params, &page))
}

fn render_list(caller: &Caller, listing: &Listing, params: &ListParams, page: &ListPage) -> Markup {
    let l = caller.locale;
    let title = l.t(&format!("nav.{}", listing.table));
    let path = format!("/records/{}", listing.table);
    let base = format!("{path}?{}", params.base());
    let sort = if params.sort.is_empty() { listing.default_sort } else { params.sort.as_str() };
    let descending = params.dir == "desc";
    let sorted = format!("&sort={}&dir={}", encode(&params.sort), encode(&params.dir));
    let pages = (page.total + PAGE_SIZE - 1) / PAGE_SIZE;
    let body = html! {
        h1 { (title) }
        div.toolbar {
            form method="get" action=(path) role="search" {
                input type="search" name="q" value=(params.q) placeholder=(l.t("records.search")) aria-label=(l.t("records.search"));
                input type="hidden" name="sort" value=(params.sort);
                input type="hidden" name="dir" value=(params.dir);
                label style="display:inline; font-weight: normal" {
                    input type="checkbox" name="deleted" value="true" checked[params.deleted]; " " (l.t("records.show_deleted"))
                }
                button type="submit" { (l.t("form.show")) }
            }
            @if caller.viewer.may(listing.resource, Action::Create) {
                a.button href={ (path) "/new" } { (l.t("records.new")) }
            }
            a.button.secondary href={ (path) "/export.csv?" (params.base()) (sorted) } download { (l.t("records.export_csv")) }
            span.muted { (l.tf("records.count", &[("count", &l.count(page.total))])) }
        }
        div.table-wrap {
            table #records {
                thead {
                    tr {
                        @for column in listing.columns {
                            (sort_header(l.t(&format!("field.{}", column.key)), column.key, &base, sort, descending,
                                matches!(column.shown, Shown::Int | Shown::Money)))
                        }
                    }
                }
                tbody {
                    @for record in &page.records {
                        tr {
                            @for (i, (column, cell)) in listing.columns.iter().zip(&record.cells).enumerate() {
                                td class=[matches!(column.shown, Shown::Int | Shown::Money).then_some("num")] {
                                    @if i == 0 {
                                        a href={ (path) "/" (record.id) } { (cell_text(caller, column.shown, column.key, cell)) }
                                    } @else {
                                        (cell_text(caller, column.shown, column.key, cell))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if pages > 1 {
            nav.pager aria-label=(l.t("records.pages")) {
                @if params.page > 0 { a href={ (base) (sorted) "&page=" (params.page - 1) } { "‹ " (l.t("records.previous")) } }
                span { (l.tf("records.page", &[("page", &params.page.saturating_add(1).to_string()), ("pages", &pages.to_string())])) }
                @if params.page.saturating_add(1) < pages { a href={ (base) (sorted) "&page=" (params.page + 1) } { (l.t("records.next")) " ›" } }
            }
        }
    };
    templates::page(caller, listing.table, title, body)
}

/// The current view (search, sort, deleted) as CSV, every page of it.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(resource): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    let listing = resolve(&caller, &resource, Action::Read)?;
    let query = ListQuery { page: 0, ..params.query(EXPORT_LIMIT) };
    let page =
        with_db(&state, &caller, move |db, caller| Ok(browse::list(db, &caller.viewer, listing, &query)?)).await?;
    let mut writer = csv::Writer::from_writer(vec![]);
    let mut header = vec!["id".to_string()];
    header.extend(listing.columns.iter().map(|c| c.key.to_string()));
    let rows = std::iter::once(header).chain(page.records.iter().map(|record| {
        let mut row = vec![bundle::neutralise_formula(&record.external_id).into_owned()];
        row.extend(record.cells.iter().map(csv_value));
        row
    }));
    for row in rows {
        writer
            .write_record(&row)
            .map_err(|e| PageError(Error::Store(quotient_store::StoreError::Decode(e.to_string())), caller.locale))?;
    }
    let bytes = writer.into_inner().unwrap_or_default();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.csv\"", listing.table)),
        ],
        bytes,
    )
        .into_response())
}

/// CSV values are written the way the bundle writes them: plain, not per language. Text people
/// typed is neutralised so that a spreadsheet opening the file shows it rather than runs it; the
/// numbers, dates and times the app writes itself (a negative amount, say) are data, left as they are.
fn csv_value(cell: &Cell) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Text(text) => bundle::neutralise_formula(text).into_owned(),
        Cell::Int(n) => n.to_string(),
        Cell::Money(money) => money.to_string(),
        Cell::Date(date) => date.to_string(),
        Cell::Time(at) => at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path((resource, id)): Path<(String, i64)>,
) -> Result<Markup, PageError> {
    let listing = resolve(&caller, &resource, Action::Read)?;
    let (record, timeline, history) = with_db(&state, &caller, move |db, caller| {
        let record = browse::detail(db, &caller.viewer, listing, id)?.ok_or(Error::NotFound)?;
        let timeline = browse::timeline(db, &caller.viewer, listing, id, 50)?;
        let history = audit::history(db, caller.user.org, listing.table, id)?;
        Ok((record, timeline, history))
    })
    .await?;
    Ok(render_detail(&caller, listing, &record, &timeline, &history))
}

fn render_detail(
    caller: &Caller,
    listing: &Listing,
    record: &Record,
    timeline: &[TimelineEntry],
    history: &[audit::Entry],
) -> Markup {
    let l = caller.locale;
    let path = format!("/records/{}/{}", listing.table, record.id);
    let title = record.cells.first().map(|c| cell_text(caller, listing.columns[0].shown, listing.columns[0].key, c));
    let title = title.filter(|t| t != "–").unwrap_or_else(|| record.external_id.clone());
    let body = html! {
        p.no-print { a href={ "/records/" (listing.table) } { "← " (l.t(&format!("nav.{}", listing.table))) } }
        h1 { (title) @if record.deleted { " " span.flag { (l.t("records.deleted")) } } }
        div.grid {
            section.card {
                dl.fields {
                    dt { (l.t("field.id")) } dd { (record.external_id) }
                    @for (column, cell) in listing.columns.iter().zip(&record.cells) {
                        dt { (l.t(&format!("field.{}", column.key))) }
                        dd { (cell_text(caller, column.shown, column.key, cell)) }
                    }
                }
                @if !record.deleted {
                    p.actions.no-print {
                        @if caller.viewer.may(listing.resource, Action::Edit) {
                            a.button href={ (path) "/edit" } { (l.t("records.edit")) }
                        }
                        @for (label, href) in related_links(caller, listing, record) {
                            " " a.button.secondary href=(href) { (label) }
                        }
                    }
                }
                @if caller.viewer.may(listing.resource, Action::Delete) {
                    @if record.deleted {
                        form method="post" action={ (path) "/restore" } { (csrf(caller)) p { button type="submit" { (l.t("records.restore")) } } }
                    } @else {
                        form method="post" action={ (path) "/delete" } { (csrf(caller)) p { button.secondary type="submit" { (l.t("records.delete")) } } }
                    }
                }
            }
            @if listing.timeline.is_some() {
                section.card {
                    h2 { (l.t("records.timeline")) }
                    @if timeline.is_empty() { p.muted { (l.t("records.no_activity")) } }
                    ul.timeline {
                        @for entry in timeline {
                            li {
                                strong { (cell_text(caller, Shown::Key, "type", &Cell::Text(entry.kind.clone()))) }
                                @if let Some(outcome) = &entry.outcome { " · " (cell_text(caller, Shown::Key, "outcome", &Cell::Text(outcome.clone()))) }
                                br; span.muted { (l.timestamp(entry.occurred_at)) " · " (entry.rep) }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { (l.t("records.history")) }
                @if history.is_empty() { p.muted { (l.t("records.no_history")) } }
                ul.timeline {
                    @for entry in history.iter().rev() {
                        li {
                            strong { (l.t(&format!("audit.{}", entry.action))) }
                            " · " span.muted { (l.timestamp(entry.at)) }
                            @if let Some(changes) = changed_fields(entry) { br; span.muted { (changes) } }
                        }
                    }
                }
            }
        }
    };
    templates::page(caller, listing.table, &title, body)
}

/// What is usually done next from a record: a contact or a deal for an account, converting an
/// unconverted lead.
fn related_links(caller: &Caller, listing: &Listing, record: &Record) -> Vec<(String, String)> {
    let l = caller.locale;
    let may = |resource| caller.viewer.may(resource, Action::Create);
    let mut links = vec![];
    match listing.resource {
        Resource::Accounts => {
            links.push((l.t("account_map.open").to_string(), format!("/accounts/{}/map", record.id)));
            if may(Resource::Contacts) {
                links.push((
                    l.t("records.new_contact").to_string(),
                    format!("/records/contacts/new?account={}", record.id),
                ));
            }
            if may(Resource::Opportunities) {
                let href = format!("/records/opportunities/new?account={}", record.id);
                links.push((l.t("records.new_opportunity").to_string(), href));
            }
        }
        Resource::Leads => {
            let status = listing.columns.iter().position(|c| c.key == "status").and_then(|i| record.cells.get(i));
            if status != Some(&Cell::Text("converted".into())) && may(Resource::Opportunities) {
                links.push((l.t("convert.title").to_string(), format!("/records/leads/{}/convert", record.id)));
            }
        }
        _ => {}
    }
    links
}

/// The fields whose values differ before and after a change.
fn changed_fields(entry: &audit::Entry) -> Option<String> {
    let (Some(before), Some(after)) = (entry.before.as_ref()?.as_object(), entry.after.as_ref()?.as_object()) else {
        return None;
    };
    let changed: Vec<String> = after
        .iter()
        .filter(|(key, value)| before.get(*key) != Some(value))
        .map(|(key, value)| format!("{key}: {} → {value}", before.get(key).cloned().unwrap_or_default()))
        .collect();
    (!changed.is_empty()).then(|| changed.join("; "))
}

async fn set_deleted(
    state: AppState,
    caller: Caller,
    resource: String,
    id: i64,
    deleted: bool,
) -> Result<Response, PageError> {
    let record = RecordRef::of(&resource, id).ok_or(PageError(Error::NotFound, caller.locale))?;
    with_db(&state, &caller, move |db, caller| {
        let scope = &caller.viewer;
        if deleted { records::delete(db, scope, &record) } else { records::restore(db, scope, &record) }
            .map_err(Error::from)
    })
    .await?;
    Ok(Redirect::to(&format!("/records/{resource}/{id}")).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path((resource, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    set_deleted(state, caller, resource, id, true).await
}

pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path((resource, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    set_deleted(state, caller, resource, id, false).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use quotient_core::Money;

    #[test]
    fn typed_text_that_starts_like_a_formula_is_neutralised_and_numbers_are_not() {
        let amount: Money = "-12.50".parse().expect("an amount");
        assert_eq!(csv_value(&Cell::Money(amount)), "-12.50");
        assert_eq!(csv_value(&Cell::Int(-3)), "-3");
        for typed in ["-12.50", "=1+1", "+1", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(csv_value(&Cell::Text(typed.to_string())), format!("'{typed}"));
        }
        assert_eq!(csv_value(&Cell::Text("Acme, Inc.".to_string())), "Acme, Inc.");
    }
}
