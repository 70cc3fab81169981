//! The import page: an administrator uploads a HubSpot export (as a zip), confirms the proposed
//! stage mapping, and sees the import's summary once it ran in the background; a bad export shows
//! every problem with its file, line and column; managers do not reach the page.

use super::{TestApp, block_on};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use std::io::Write;
use std::path::PathBuf;

const BOUNDARY: &str = "quotient-test-boundary";
const DEALS: &str = "hubspot-crm-exports-all-deals-2024-06-30.csv";

/// The HubSpot fixture's CSV files, `(name, bytes)`.
fn hubspot_files() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures/hubspot");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("the fixture")
        .flatten()
        .map(|entry| (entry.file_name().to_string_lossy().into_owned(), std::fs::read(entry.path()).expect("read")))
        .filter(|(name, _)| name.ends_with(".csv"))
        .collect();
    files.sort();
    files
}

fn zipped(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        out.start_file(format!("export/{name}"), zip::write::SimpleFileOptions::default()).expect("entry");
        out.write_all(bytes).expect("written");
    }
    out.finish().expect("zip").into_inner()
}

/// A multipart form as the page's form sends it: the CSRF token first, the vendor, then each file
/// as a part named `files`.
fn multipart(csrf: &str, vendor: &str, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    if !csrf.is_empty() {
        body.extend(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n").bytes(),
        );
    }
    body.extend(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"vendor\"\r\n\r\n{vendor}\r\n").bytes());
    for (name, bytes) in files {
        let head = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        );
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts a multipart `body` to `path` with the session `cookie`.
async fn post_multipart(app: &TestApp, path: &str, cookie: &str, body: Body) -> super::Answer {
    let request = Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .expect("request");
    app.send(request).await
}

/// Uploads the export files as the page's form does, the CSRF token its first part.
async fn upload(
    app: &TestApp,
    (cookie, csrf): &(String, String),
    vendor: &str,
    files: &[(String, Vec<u8>)],
) -> super::Answer {
    post_multipart(app, "/import", cookie, Body::from(multipart(csrf, vendor, files))).await
}

/// A body handed over `chunk` bytes at a time, as a browser's upload arrives.
struct Trickle {
    bytes: Vec<u8>,
    chunk: usize,
}

impl http_body::Body for Trickle {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let n = self.chunk.min(self.bytes.len());
        let next: Vec<u8> = self.bytes.drain(..n).collect();
        std::task::Poll::Ready((n > 0).then(|| Ok(http_body::Frame::data(next.into()))))
    }
}

/// Confirms the proposed mapping with HubSpot's unplaced stage placed, and waits for the import.
async fn confirm_and_wait(app: &TestApp, admin: &(String, String)) -> serde_json::Value {
    let page = app.get("/import", &admin.0).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Decision Maker Bought-In"), "the unplaced stage is named: {}", page.body);
    assert!(
        page.body.contains("&quot;Decision Maker Bought-In&quot; = &quot;&quot;"),
        "the proposal leaves the stage for the administrator: {}",
        page.body
    );
    confirm_proposed(app, admin, &page.body, false).await
}

/// Confirms the mapping proposed on `page` (HubSpot's unplaced stage placed where it is named),
/// with "delete what the export no longer has" ticked when `delete_missing`, and waits for the
/// import.
async fn confirm_proposed(
    app: &TestApp,
    admin: &(String, String),
    page: &str,
    delete_missing: bool,
) -> serde_json::Value {
    let start = page.find("name=\"stages\"").expect("the mapping's field");
    let text_start = page[start..].find('>').expect("the field's text") + start + 1;
    let text_end = page[text_start..].find("</textarea>").expect("its end") + text_start;
    let proposed = page[text_start..text_end].replace("&quot;", "\"").replace("&amp;", "&");
    let placed =
        proposed.replace("\"Decision Maker Bought-In\" = \"\"", "\"Decision Maker Bought-In\" = \"negotiation\"");
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("stages", &placed).append_pair("_csrf", &admin.1);
    if delete_missing {
        form.append_pair("delete_missing", "on");
    }
    let confirmed = app.post("/import/stages", &admin.0, &form.finish()).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.body);
    let mut status = serde_json::Value::Null;
    for _ in 0..400 {
        status = super::json(&app.get("/import/status", &admin.0).await);
        if status["state"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    status
}

async fn an_administrator_uploads_a_hubspot_zip_and_sees_the_summary(app: &TestApp) {
    let admin = app.sign_in("admin@acme.test").await;
    let uploaded = upload(app, &admin, "hubspot", &[("export.zip".into(), zipped(&hubspot_files()))]).await;
    assert_eq!(
        (uploaded.status, uploaded.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/import")),
        "{}",
        uploaded.body
    );
    let status = confirm_and_wait(app, &admin).await;
    assert_eq!(status["state"], "done", "{status}");
    let page = app.get("/import", &admin.0).await;
    assert!(page.body.contains("id=\"summary\""), "{}", page.body);
    // The fixture: 1 won, 1 lost, 3 open deals of 2 reps, from 2024-02-01 to 2024-06-10.
    assert!(page.body.contains("Won: 1 · Lost: 1 · Open: 3"), "{}", page.body);
    assert!(page.body.contains("Reps found: 2"), "{}", page.body);
    assert!(page.body.contains("2024-02-01 – 2024-06-10"), "{}", page.body);
    assert!(page.body.contains("Decision Maker Bought-In → negotiation"), "{}", page.body);
    assert!(page.body.contains(&format!("<td>{DEALS}</td>")), "rows per file: {}", page.body);
}

async fn a_manager_is_refused_the_import_page(app: &TestApp) {
    let manager = app.sign_in("manager@acme.test").await;
    assert_eq!(app.get("/import", &manager.0).await.status, StatusCode::NOT_FOUND);
    let uploaded = upload(app, &manager, "hubspot", &hubspot_files()).await;
    assert_eq!(uploaded.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/import/status", &manager.0).await.status, StatusCode::NOT_FOUND);
    let admin = app.sign_in("admin@acme.test").await;
    assert!(app.get("/me", &admin.0).await.body.contains("href=\"/import\""), "administrators see the link");
    assert!(!app.get("/me", &manager.0).await.body.contains("href=\"/import\""), "managers do not");
}

async fn a_bad_export_shows_each_problem_located(app: &TestApp) {
    let admin = app.sign_in("admin@acme.test").await;
    // A file that is no export is refused at once, named.
    let refused = upload(app, &admin, "hubspot", &[("notes.txt".into(), b"hello".to_vec())]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("<td>notes.txt</td>") && refused.body.contains("neither a CSV or XLSX file nor a zip"),
        "{}",
        refused.body
    );
    // The lost deal's amount (line 3, column 5) is no amount: nothing is imported, the problem is placed.
    let files: Vec<(String, Vec<u8>)> = hubspot_files()
        .into_iter()
        .map(|(name, bytes)| {
            let text = String::from_utf8(bytes).expect("UTF-8");
            let text = if name == DEALS {
                text.replace("\"Closed Lost\",\"8000\"", "\"Closed Lost\",\"eight\"")
            } else {
                text
            };
            (name, text.into_bytes())
        })
        .collect();
    let uploaded = upload(app, &admin, "hubspot", &files).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let status = confirm_and_wait(app, &admin).await;
    assert_eq!(status["state"], "failed", "{status}");
    let page = app.get("/import", &admin.0).await;
    let row = format!("<td>{DEALS}</td><td>3</td><td>5 (Amount)</td>");
    assert!(page.body.contains(&row), "{}", page.body);
    assert!(
        page.body.contains("&#39;eight&#39; is not an amount") || page.body.contains("'eight' is not an amount"),
        "{}",
        page.body
    );
}

async fn the_upload_keeps_the_csrf_token_out_of_the_address(app: &TestApp) {
    let admin = app.sign_in("admin@acme.test").await;
    let (cookie, csrf) = (&admin.0, &admin.1);
    let form = app.get("/import", cookie).await;
    assert!(form.body.contains("action=\"/import\" enctype=\"multipart/form-data\""), "{}", form.body);
    let hidden = format!("name=\"_csrf\" value=\"{csrf}\"");
    let upload_form = &form.body[form.body.find("enctype=\"multipart/form-data\"").expect("the upload form")..];
    assert!(upload_form.find(&hidden) < upload_form.find("name=\"vendor\""), "the token is the form's first field");
    // A refused upload shows the form again at /import: nowhere a token in an address.
    let notes = [("notes.txt".to_string(), b"hello".to_vec())];
    let refused = upload(app, &admin, "hubspot", &notes).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("<td>notes.txt</td>"), "{}", refused.body);
    assert!(!refused.body.contains("_csrf="), "no address carries the token: {}", refused.body);
    assert!(refused.body.contains("action=\"/import\" enctype"), "{}", refused.body);
    // The token in the address is not taken, nor one sent after the other parts, nor none.
    let without = Body::from(multipart("", "hubspot", &notes));
    let in_address = post_multipart(app, &format!("/import?_csrf={csrf}"), cookie, without).await;
    assert_eq!(in_address.status, StatusCode::FORBIDDEN, "{}", in_address.body);
    let mut late = multipart("", "hubspot", &notes);
    let end = late.len() - format!("--{BOUNDARY}--\r\n").len();
    late.splice(
        end..end,
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n").into_bytes(),
    );
    assert_eq!(post_multipart(app, "/import", cookie, Body::from(late)).await.status, StatusCode::FORBIDDEN);
    let wrong = Body::from(multipart(&"0".repeat(csrf.len()), "hubspot", &notes));
    assert_eq!(post_multipart(app, "/import", cookie, wrong).await.status, StatusCode::FORBIDDEN);
    // An upload arriving a few bytes at a time: the token is found across them, and the files after
    // it reach the page whole.
    let zip = [("export.zip".to_string(), zipped(&hubspot_files()))];
    let trickled = Body::new(Trickle { bytes: multipart(csrf, "hubspot", &zip), chunk: 7 });
    let uploaded = post_multipart(app, "/import", cookie, trickled).await;
    assert_eq!(
        (uploaded.status, uploaded.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/import")),
        "{}",
        uploaded.body
    );
    let page = app.get("/import", cookie).await;
    assert!(page.body.contains("Decision Maker Bought-In"), "the stages to confirm: {}", page.body);
}

async fn a_newer_upload_deletes_what_it_lacks_only_when_asked(app: &TestApp) {
    let admin = app.sign_in("admin@acme.test").await;
    let files = hubspot_files();
    let uploaded = upload(app, &admin, "hubspot", &files).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    assert_eq!(confirm_and_wait(app, &admin).await["state"], "done");
    // The same export without the deal "Acme add-on" (7004), as a filtered view gives it.
    let filtered: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(name, bytes)| {
            let text = String::from_utf8_lossy(bytes);
            let kept: String = text.split_inclusive('\n').filter(|line| !line.starts_with("\"7004\"")).collect();
            (name.clone(), if name == DEALS { kept.into_bytes() } else { bytes.clone() })
        })
        .collect();
    assert_ne!(filtered, files, "the deal is left out");
    // Unticked, the filtered export deletes nothing; ticked, the deal it lacks is deleted.
    for delete_missing in [false, true] {
        let uploaded = upload(app, &admin, "hubspot", &filtered).await;
        assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
        let page = app.get("/import", &admin.0).await;
        assert!(page.body.contains("name=\"delete_missing\""), "the choice is offered: {}", page.body);
        let status = confirm_proposed(app, &admin, &page.body, delete_missing).await;
        assert_eq!(status["state"], "done", "{status}");
        let summary = app.get("/import", &admin.0).await.body;
        assert_eq!(summary.contains("opportunities.csv: 1"), delete_missing, "{summary}");
    }
}

on_both_backends!(
    a_newer_upload_deletes_what_it_lacks_only_when_asked,
    the_upload_keeps_the_csrf_token_out_of_the_address,
    an_administrator_uploads_a_hubspot_zip_and_sees_the_summary,
    a_manager_is_refused_the_import_page,
    a_bad_export_shows_each_problem_located,
);
