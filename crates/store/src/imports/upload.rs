//! A CRM export uploaded through the web, for administrators: its files (CSV files, or a zip of
//! them) saved into a folder of its own, the stage mapping proposed there for review, and the
//! import run from that folder as `quotient import --from` runs it.

use super::conversion::{self, VendorExport};
use super::salesforce;
use super::stages::{self, PreparedStages, StageMapping};
use super::{CrmImportError, CrmImportSummary, hubspot, pipedrive};
use crate::access::Viewer;
use crate::bundle::{Problem, Progress};
use crate::db::Db;
use crate::error::StoreError;
use crate::ops;
use crate::orgs;
use quotient_core::access::{Action, Resource};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The CRMs whose exports can be uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    Salesforce,
    Hubspot,
    Pipedrive,
}

impl Vendor {
    pub const ALL: [Vendor; 3] = [Vendor::Salesforce, Vendor::Hubspot, Vendor::Pipedrive];

    pub fn key(self) -> &'static str {
        match self {
            Vendor::Salesforce => "salesforce",
            Vendor::Hubspot => "hubspot",
            Vendor::Pipedrive => "pipedrive",
        }
    }

    pub fn parse(key: &str) -> Option<Vendor> {
        Vendor::ALL.into_iter().find(|vendor| vendor.key() == key)
    }
}

/// An uploaded file: its name as the browser sent it, and its bytes.
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A result of this module: a refusal, a problem located in the files, or the store's failure.
type Result<T> = std::result::Result<T, CrmImportError>;

/// Importing is changing the organisation's data wholesale: administrators only.
fn permit(viewer: &Viewer) -> Result<()> {
    Ok(ops::permit(viewer, Resource::Settings, Action::Edit)?)
}

/// Saves the uploaded files into a new folder (a zip's CSV files unpacked, flat) and answers it.
/// A file that is neither a CSV file nor a zip, or a zip that cannot be read, is a problem
/// located in that file; then nothing is kept.
pub fn save(viewer: &Viewer, files: Vec<UploadedFile>) -> Result<PathBuf> {
    permit(viewer)?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("quotient-upload-{}-{stamp}", viewer.org.0));
    std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
    let saved = save_into(&dir, files);
    if saved.is_err() {
        discard(&dir);
    }
    saved.map(|()| dir)
}

fn save_into(dir: &Path, files: Vec<UploadedFile>) -> Result<()> {
    let mut problems = Vec::new();
    let mut csv_files = 0;
    for file in files {
        let name = base_name(&file.name);
        let lower = name.to_lowercase();
        if is_export_file(&lower) {
            write_file(dir, &name, &file.bytes)?;
            csv_files += 1;
        } else if lower.ends_with(".zip") {
            match unzip(dir, &file.bytes) {
                Ok(count) => csv_files += count,
                Err(message) => problems.push(whole_file_problem(&name, &message)),
            }
        } else {
            problems.push(whole_file_problem(
                &name,
                "is neither a CSV or XLSX file nor a zip: upload the export's files or its zip",
            ));
        }
    }
    if problems.is_empty() && csv_files == 0 {
        problems
            .push(whole_file_problem("", "the upload holds no CSV or XLSX file: choose the export's files or its zip"));
    }
    if problems.is_empty() { Ok(()) } else { Err(conversion::invalid(problems)) }
}

/// The most files a zip may hold, and the most its CSV files may unpack to: an export of a large
/// CRM stays far below both, and a zip made to unpack without end is refused before it fills the
/// disk.
const ZIP_MAX_ENTRIES: usize = 10_000;
const ZIP_MAX_UNPACKED_BYTES: u64 = 8 << 30;

/// The CSV files of a zip, written flat into `dir`; answers how many, or what is wrong with it.
fn unzip(dir: &Path, bytes: &[u8]) -> std::result::Result<usize, String> {
    unzip_within(dir, bytes, ZIP_MAX_ENTRIES, ZIP_MAX_UNPACKED_BYTES)
}

fn unzip_within(dir: &Path, bytes: &[u8], max_entries: usize, max_bytes: u64) -> std::result::Result<usize, String> {
    let unreadable = |e: zip::result::ZipError| format!("cannot be read as a zip ({e}): export it again and upload it");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(unreadable)?;
    if archive.len() > max_entries {
        return Err(format!(
            "holds {} files, more than the {max_entries} an export has: zip only the export's CSV files",
            archive.len()
        ));
    }
    let mut left = max_bytes;
    let mut count = 0;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(unreadable)?;
        // The entry's own name only: a path in the zip never reaches outside the folder.
        let name = base_name(entry.name());
        if entry.is_dir() || !is_export_file(&name.to_lowercase()) || name.starts_with('.') {
            continue;
        }
        let path = dir.join(&name);
        let mut file = std::fs::File::create(&path).map_err(|e| StoreError::io(&path, e).to_string())?;
        // Streamed through a budget, whatever size the entry claims: one byte past it is refusal.
        let written = std::io::copy(&mut (&mut entry).take(left + 1), &mut file)
            .map_err(|e| format!("{name} in the zip cannot be read ({e})"))?;
        if written > left {
            return Err(format!(
                "unpacks to more than {max_bytes} bytes: import an export this large with `quotient import --from`"
            ));
        }
        left -= written;
        count += 1;
    }
    Ok(count)
}

/// Whether a (lower-case) file name is one an export holds: CSV, or XLSX (HubSpot's default).
fn is_export_file(lower: &str) -> bool {
    lower.ends_with(".csv") || lower.ends_with(".xlsx")
}

/// The last part of a name a browser or a zip gives, without any folder.
fn base_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    last.chars().filter(|c| !c.is_control()).collect()
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| StoreError::io(&path, e))?;
    Ok(())
}

fn whole_file_problem(file: &str, message: &str) -> Problem {
    Problem { file: file.to_string(), line: 0, column: None, field: None, message: message.to_string() }
}

/// Removes an uploaded folder (best effort: one left behind in the temporary folder is harmless).
pub fn discard(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

/// The stage mapping proposed for an uploaded export, as `stages.toml` reads, and the CRM stages
/// it leaves without a Quotient stage.
#[derive(Debug, Clone, Default)]
pub struct ProposedStages {
    pub text: String,
    pub unplaced: Vec<String>,
}

/// The stage mapping for the export in `dir`: proposed from the stages the export shows (and
/// written there) on the first call, as last confirmed after.
pub fn proposed_stages(db: &mut Db, viewer: &Viewer, vendor: Vendor, dir: &Path) -> Result<ProposedStages> {
    permit(viewer)?;
    let pipeline = orgs::pipeline_keys(db, viewer.org)?;
    let prepared = conversion::prepare_stages(read_export(vendor, dir)?.as_ref(), &stages_file(dir), &pipeline)?;
    let unplaced = prepared.mapping.unplaced().into_iter().map(str::to_string).collect();
    let text = match prepared.written {
        Some(text) => text,
        None => std::fs::read_to_string(&prepared.path).map_err(|e| StoreError::io(&prepared.path, e))?,
    };
    Ok(ProposedStages { text, unplaced })
}

/// Keeps the stage mapping as the administrator confirmed or edited it. A mapping that cannot be
/// read is refused with its lines, one that leaves a stage unplaced with those stages.
pub fn confirm_stages(viewer: &Viewer, dir: &Path, text: &str) -> Result<()> {
    permit(viewer)?;
    let mapping = StageMapping::parse(text, stages::FILE_NAME).map_err(conversion::invalid)?;
    let path = stages_file(dir);
    let unplaced: Vec<String> = mapping.unplaced().into_iter().map(str::to_string).collect();
    if !unplaced.is_empty() {
        return Err(CrmImportError::UnplacedStages { file: path, unplaced });
    }
    std::fs::write(&path, text).map_err(|e| StoreError::io(&path, e))?;
    Ok(())
}

/// Imports the export in `dir` with its confirmed stage mapping, all or nothing.
pub fn import(
    db: &mut Db,
    viewer: &Viewer,
    vendor: Vendor,
    dir: &Path,
    missing: super::Missing,
    progress: &mut dyn Progress,
) -> Result<CrmImportSummary> {
    permit(viewer)?;
    let export = read_export(vendor, dir)?;
    conversion::import(
        db,
        viewer.org,
        export.as_ref(),
        &stages_file(dir),
        missing,
        &mut |_: &PreparedStages| {},
        progress,
    )
}

fn stages_file(dir: &Path) -> PathBuf {
    dir.join(stages::FILE_NAME)
}

fn read_export(vendor: Vendor, dir: &Path) -> Result<Box<dyn VendorExport>> {
    let paths = [dir.to_path_buf()];
    Ok(match vendor {
        Vendor::Salesforce => Box::new(salesforce::read(dir, None)?),
        Vendor::Hubspot => Box::new(hubspot::read(&paths, None)?),
        Vendor::Pipedrive => Box::new(pipedrive::read(&paths, None)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_keep_no_folder() {
        assert_eq!(base_name("../../etc/Deals.csv"), "Deals.csv");
        assert_eq!(base_name("C:\\exports\\deals.csv"), "deals.csv");
        assert_eq!(base_name("deals.csv"), "deals.csv");
    }

    fn file(name: &str, bytes: &[u8]) -> UploadedFile {
        UploadedFile { name: name.to_string(), bytes: bytes.to_vec() }
    }

    fn problems(saved: Result<()>) -> Vec<String> {
        match saved {
            Err(CrmImportError::Invalid(problems)) => problems.list().iter().map(ToString::to_string).collect(),
            other => panic!("problems expected, got {other:?}"),
        }
    }

    #[test]
    fn a_zips_csv_files_are_unpacked_flat_and_the_rest_left_out() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, text) in [("export/deals.csv", "a\n1\n"), ("../users.csv", "b\n"), ("readme.txt", "x")] {
            zip.start_file(name, options).expect("entry");
            zip.write_all(text.as_bytes()).expect("written");
        }
        let bytes = zip.finish().expect("zip").into_inner();
        let dir = tempfile::tempdir().expect("temp dir");
        save_into(dir.path(), vec![file("export.zip", &bytes), file("Notes.CSV", b"c\n")]).expect("saved");
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into())
            .collect();
        names.sort();
        assert_eq!(names, ["Notes.CSV", "deals.csv", "users.csv"]);
        assert_eq!(std::fs::read_to_string(dir.path().join("deals.csv")).expect("read"), "a\n1\n");
    }

    /// A zip that unpacks past the budget (here 10 bytes: two entries of 6) or holds more files
    /// than allowed is refused, however small it is packed.
    #[test]
    fn a_zip_beyond_its_budget_is_refused() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for name in ["a.csv", "b.csv"] {
            zip.start_file(name, options).expect("entry");
            zip.write_all(b"x\n1234").expect("written");
        }
        let bytes = zip.finish().expect("zip").into_inner();
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(unzip_within(dir.path(), &bytes, 10, 12), Ok(2));
        let over = unzip_within(dir.path(), &bytes, 10, 10).expect_err("over the budget");
        assert!(over.contains("more than 10 bytes"), "{over}");
        let many = unzip_within(dir.path(), &bytes, 1, 100).expect_err("too many files");
        assert!(many.contains("holds 2 files"), "{many}");
    }

    #[test]
    fn what_is_no_export_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let listed = problems(save_into(dir.path(), vec![file("deals.zip", b"not a zip"), file("notes.txt", b"x")]));
        assert_eq!(listed.len(), 2, "{listed:?}");
        assert!(listed[0].contains("deals.zip") && listed[0].contains("cannot be read as a zip"), "{listed:?}");
        assert!(
            listed[1].contains("notes.txt") && listed[1].contains("neither a CSV or XLSX file nor a zip"),
            "{listed:?}"
        );
        let listed = problems(save_into(dir.path(), Vec::new()));
        assert!(listed[0].contains("holds no CSV or XLSX file"), "{listed:?}");
    }
}
