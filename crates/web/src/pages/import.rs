//! The import page, for administrators: a CRM's export uploaded (its zip, or its CSV files) with
//! the vendor chosen, the stage mapping the store proposes shown to confirm or edit, then the
//! import in the background with a progress bar (`/assets/app.js` polls `/import/status`), and
//! its summary or every problem it found, located. The store does the work
//! (`quotient_store::imports::upload`); this only carries the files and shows the outcome.

use super::{require, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, PageError};
use crate::i18n::Locale;
use crate::imports::{Job, JobProgress};
use crate::templates::{self, csrf};
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use maud::{Markup, html};
use quotient_core::access::{Action, Resource};
use quotient_store::bundle::Problem;
use quotient_store::imports::upload::{self, ProposedStages, UploadedFile, Vendor};
use quotient_store::imports::{CrmImportError, CrmImportSummary, Missing};

/// The largest upload: a zipped export of a large organisation. Only this route takes more than
/// the small bodies every other form sends.
pub const MAX_UPLOAD_BYTES: usize = 512 * 1024 * 1024;

/// Importing replaces the organisation's data wholesale: those who may change its settings.
fn require_admin(caller: &Caller) -> Result<(), PageError> {
    require(caller, Resource::Settings, Action::Edit)
}

pub async fn page(State(state): State<AppState>, caller: Caller) -> Result<Markup, PageError> {
    require_admin(&caller)?;
    let job = state.imports.job(caller.viewer.org);
    Ok(render(&caller, &job, job.stages.as_ref(), &[]))
}

/// Where the import in the background stands: `{"state", "step", "done", "total"}`.
pub async fn status(State(state): State<AppState>, caller: Caller) -> Result<Json<JobProgress>, PageError> {
    require_admin(&caller)?;
    Ok(Json(state.imports.job(caller.viewer.org).progress))
}

/// Saves the uploaded export and proposes its stage mapping; the page then shows it to confirm.
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    require_admin(&caller)?;
    let l = caller.locale;
    let multipart = multipart.map_err(|_| PageError(Error::Unreadable, l))?;
    let (vendor, files) = read_form(multipart).await.map_err(|e| PageError(unreadable(&e), l))?;
    let Some(vendor) = vendor else {
        let problem = whole_upload_problem(l.t("import.choose_vendor"));
        return Ok(refused(&caller, &state.imports.job(caller.viewer.org), &[problem]));
    };
    let saved = with_db(&state, &caller, move |db, caller| {
        let dir = match upload::save(&caller.viewer, files) {
            Ok(dir) => dir,
            Err(error) => return Ok(Err(error)),
        };
        let proposed = upload::proposed_stages(db, &caller.viewer, vendor, &dir);
        if proposed.is_err() {
            upload::discard(&dir);
        }
        Ok(proposed.map(|stages| (dir, stages)))
    })
    .await?;
    match saved {
        // While an import runs, the page shows its progress and the new upload is dropped.
        Ok((dir, stages)) => {
            state.imports.uploaded(caller.viewer.org, vendor, dir, stages);
            Ok(Redirect::to("/import").into_response())
        }
        Err(error) => Ok(refused(&caller, &state.imports.job(caller.viewer.org), &problems_of(error, l)?)),
    }
}

#[derive(serde::Deserialize)]
pub struct StagesForm {
    stages: String,
    /// The checkbox: present (`on`) when ticked.
    #[serde(default)]
    delete_missing: Option<String>,
}

/// Keeps the stage mapping as confirmed or edited, and starts the import in the background.
pub async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<StagesForm>,
) -> Result<Response, PageError> {
    require_admin(&caller)?;
    let l = caller.locale;
    let job = state.imports.job(caller.viewer.org);
    let Some(dir) = job.dir.clone().filter(|_| job.progress.state == "confirming") else {
        return Ok(Redirect::to("/import").into_response());
    };
    let text = form.stages.replace("\r\n", "\n");
    let missing = if form.delete_missing.is_some() { Missing::Delete } else { Missing::Keep };
    let shown = ProposedStages { text: text.clone(), unplaced: Vec::new() };
    let confirmed =
        with_db(&state, &caller, move |_, caller| Ok(upload::confirm_stages(&caller.viewer, &dir, &text))).await?;
    match confirmed {
        Ok(()) => {
            state.imports.start(&state.pool, caller.viewer.clone(), missing);
            Ok(Redirect::to("/import").into_response())
        }
        Err(error) => {
            let problems = problems_of(error, l)?;
            let page = render(&caller, &job, Some(&shown), &problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// The vendor chosen and the files sent.
async fn read_form(mut multipart: Multipart) -> Result<(Option<Vendor>, Vec<UploadedFile>), MultipartError> {
    let (mut vendor, mut files) = (None, Vec::new());
    while let Some(field) = multipart.next_field().await? {
        match field.name() {
            Some("vendor") => vendor = Vendor::parse(field.text().await?.trim()),
            Some("files") => {
                let name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await?.to_vec();
                // A file input left empty still sends a part, without a name.
                if !name.is_empty() || !bytes.is_empty() {
                    files.push(UploadedFile { name, bytes });
                }
            }
            _ => {}
        }
    }
    Ok((vendor, files))
}

fn unreadable(error: &MultipartError) -> Error {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE { Error::TooLarge } else { Error::Unreadable }
}

fn whole_upload_problem(message: &str) -> Problem {
    Problem { file: String::new(), line: 0, column: None, field: None, message: message.to_string() }
}

/// The problems to list for a refused upload or mapping; the store's own failure is the server's.
fn problems_of(error: CrmImportError, l: Locale) -> Result<Vec<Problem>, PageError> {
    match error {
        CrmImportError::Invalid(problems) => Ok(problems.list().to_vec()),
        CrmImportError::UnplacedStages { unplaced, .. } => {
            Ok(vec![whole_upload_problem(&format!("{}: {}", l.t("import.unplaced"), unplaced.join(", ")))])
        }
        CrmImportError::Store(error) => Err(PageError(Error::Store(error), l)),
    }
}

fn refused(caller: &Caller, job: &Job, problems: &[Problem]) -> Response {
    // The upload form again, with what is wrong with the files.
    let fresh = Job { progress: JobProgress { state: "idle", ..JobProgress::default() }, ..job.clone() };
    (StatusCode::UNPROCESSABLE_ENTITY, render(caller, &fresh, None, problems)).into_response()
}

fn render(caller: &Caller, job: &Job, stages: Option<&ProposedStages>, problems: &[Problem]) -> Markup {
    let l = caller.locale;
    let body = html! {
        h1 { (l.t("import.title")) }
        p.muted { (l.t("import.intro")) }
        @if !problems.is_empty() { (problem_list(l, problems)) }
        @match job.progress.state {
            "confirming" => (confirm_form(caller, job, stages)),
            "running" => (progress(l, &job.progress)),
            state => {
                @if state == "done" && let Some(summary) = &job.summary { (summary_of(l, summary)) }
                @if state == "failed" {
                    p.alert role="alert" { (l.t("import.failed")) }
                    @if !job.problems.is_empty() { (problem_list(l, &job.problems)) }
                }
                (upload_form(caller))
            }
        }
    };
    templates::page(caller, "import", l.t("import.title"), body)
}

fn upload_form(caller: &Caller) -> Markup {
    let l = caller.locale;
    html! {
        form.card method="post" action="/import" enctype="multipart/form-data" {
            // First: the authentication reads the token from the upload's first part.
            (csrf(caller))
            label for="vendor" { (l.t("import.vendor")) }
            select #vendor name="vendor" required {
                @for vendor in Vendor::ALL {
                    option value=(vendor.key()) { (l.t(&format!("import.vendor.{}", vendor.key()))) }
                }
            }
            label for="files" { (l.t("import.files")) }
            input #files type="file" name="files" multiple required accept=".zip,.csv,.xlsx";
            small.muted { (l.t("import.files_help")) }
            button type="submit" { (l.t("import.upload")) }
        }
    }
}

fn confirm_form(caller: &Caller, job: &Job, stages: Option<&ProposedStages>) -> Markup {
    let l = caller.locale;
    let unplaced = stages.map(|s| s.unplaced.clone()).filter(|u| !u.is_empty()).unwrap_or_else(|| job.unplaced.clone());
    html! {
        @if !unplaced.is_empty() {
            p.alert role="alert" { (l.t("import.unplaced")) ": " (unplaced.join(", ")) }
        }
        form.card method="post" action="/import/stages" {
            (csrf(caller))
            label for="stages" { (l.t("import.stages")) }
            small.muted { (l.t("import.stages_help")) }
            textarea #stages name="stages" rows="20" spellcheck="false" { (stages.map(|s| s.text.as_str()).unwrap_or_default()) }
            label {
                input type="checkbox" name="delete_missing" #delete-missing;
                " " (l.t("import.delete_missing"))
            }
            small.muted { (l.t("import.delete_missing_help")) }
            button type="submit" { (l.t("import.start")) }
        }
    }
}

fn progress(l: Locale, progress: &JobProgress) -> Markup {
    html! {
        // `app.js` polls the status the attribute names and shows the page again when it ends.
        section.card #import data-rebuild-status="/import/status" {
            p role="status" { (l.t("import.running")) " " (progress.step) }
            progress max="100" value=(progress.percent()) { (progress.percent()) "%" }
        }
    }
}

fn problem_list(l: Locale, problems: &[Problem]) -> Markup {
    html! {
        section.card #problems {
            h2 { (l.t("import.problems")) }
            p { (l.t("import.problems_help")) }
            table {
                thead { tr {
                    th { (l.t("import.file")) } th { (l.t("import.line")) } th { (l.t("import.column")) } th { (l.t("import.problem")) }
                } }
                tbody {
                    @for problem in problems {
                        tr {
                            td { (problem.file) }
                            td { @if problem.line > 0 { (problem.line) } }
                            td { @if let Some(column) = problem.column { (column) } @if let Some(field) = &problem.field { " (" (field) ")" } }
                            td { (problem.message) }
                        }
                    }
                }
            }
        }
    }
}

fn summary_of(l: Locale, summary: &CrmImportSummary) -> Markup {
    let kpis = &summary.kpis;
    html! {
        section.card #summary {
            h2 { (l.t("import.summary")) }
            p.notice role="status" { (l.t("import.done")) }
            table {
                thead { tr { th { (l.t("import.file")) } th { (l.t("import.read")) } th { (l.t("import.converted")) } } }
                tbody {
                    @for object in &summary.objects {
                        tr { td { (object.file) } td { (object.read) } td { (object.converted) } }
                    }
                }
            }
            @if !summary.skips.counts.is_empty() {
                h3 { (l.t("import.skipped")) }
                ul { @for ((file, reason), rows) in &summary.skips.counts { li { (file) ": " (rows) " × " (reason) } } }
            }
            @if summary.bundle.removed() > 0 {
                h3 { (l.t("import.removed")) }
                p { (l.t("import.removed_help")) }
                ul { @for file in summary.bundle.files.iter().filter(|f| f.removed > 0) { li { (file.file) ": " (file.removed) } } }
            }
            h3 { (l.t("import.stages_mapped")) }
            ul { @for (vendor, quotient) in &summary.stages { li { (vendor) " → " (quotient) } } }
            p { (l.t("import.reps")) ": " (summary.reps) }
            @if let Some((first, last)) = summary.date_range {
                p { (l.t("import.date_range")) ": " (first) " – " (last) }
            }
            p { (l.t("import.won")) ": " (kpis.won) " · " (l.t("import.lost")) ": " (kpis.lost) " · " (l.t("import.open")) ": " (kpis.open) }
        }
    }
}
