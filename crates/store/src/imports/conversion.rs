//! What the exports read whole (HubSpot, Pipedrive) share: the conversion under way (the bundle
//! being written, what was read and left out, the problems found), the CRM's users who become
//! reps keyed by e-mail, and the import itself — stage mapping proposed or read, conversion,
//! bundle import — all or nothing.

use super::bundle_out::NewRow;
use super::currency::Rates;
use super::sheet::{Row, Sheet};
use super::stages::{self, PreparedStages, Resolver, StageMapping, VendorStage};
use super::{BundleWriter, Converted, CrmImportError, CrmImportSummary, FirstKpis, ObjectCount, Skips, VendorFile};
use crate::bundle::{Problem, Problems, Progress};
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::orgs::{self, OrgId, PipelineKeys};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A CRM export, ready to be converted with a stage mapping.
pub trait VendorExport {
    /// The CRM's name as people write it (`HubSpot`).
    fn label(&self) -> &'static str;
    /// Every deal stage the export shows, in the CRM's order where it tells.
    fn stages_found(&self) -> std::result::Result<Vec<VendorStage>, CrmImportError>;
    fn convert(
        &self,
        mapping: &StageMapping,
        pipeline: &PipelineKeys,
    ) -> std::result::Result<Converted, CrmImportError>;
}

/// Imports `export`: the stage mapping in `stages_file` (proposed and written there on the first
/// run, shown to `on_stages`), then the conversion and the bundle import, all or nothing; the
/// source's records its complete files no longer hold are kept or deleted as `missing` says.
pub fn import(
    db: &mut Db,
    org: OrgId,
    export: &dyn VendorExport,
    stages_file: &Path,
    missing: super::Missing,
    on_stages: &mut dyn FnMut(&PreparedStages),
    progress: &mut dyn Progress,
) -> std::result::Result<CrmImportSummary, CrmImportError> {
    let pipeline = orgs::pipeline_keys(db, org)?;
    let prepared = prepare_stages(export, stages_file, &pipeline)?;
    on_stages(&prepared);
    let unplaced: Vec<String> = prepared.mapping.unplaced().into_iter().map(str::to_string).collect();
    if !unplaced.is_empty() {
        return Err(CrmImportError::UnplacedStages { file: prepared.path, unplaced });
    }
    progress.step(&format!("converting the {} export", export.label()));
    let mut converted = export.convert(&prepared.mapping, &pipeline)?;
    if missing == super::Missing::Keep {
        converted.complete.clear();
    }
    super::import_converted(db, org, converted, progress)
}

/// The stage mapping for `export` in `path`: read, completed or proposed ([`stages::prepare`]).
pub fn prepare_stages(
    export: &dyn VendorExport,
    path: &Path,
    pipeline: &PipelineKeys,
) -> std::result::Result<PreparedStages, CrmImportError> {
    stages::prepare(&export.stages_found()?, path, export.label(), pipeline)
}

pub fn invalid(problems: Vec<Problem>) -> CrmImportError {
    let mut all = Problems::default();
    problems.into_iter().for_each(|p| all.push(p));
    CrmImportError::Invalid(all)
}

/// Adds a stage to `found` unless a stage of that name is there already.
pub fn note_stage(found: &mut Vec<VendorStage>, stage: VendorStage) {
    if !found.iter().any(|known| known.name.eq_ignore_ascii_case(&stage.name)) {
        found.push(stage);
    }
}

/// Every stage named in the column `names` of `sheets`, once; `open` marks them open (for a CRM
/// whose won and lost are a deal's status, not a stage).
pub fn stages_in(sheets: &[Sheet], names: &[&str], open: bool) -> Vec<VendorStage> {
    let mut found = Vec::new();
    for sheet in sheets {
        let column = sheet.column(names);
        for row in sheet.rows().filter(|row| !row.get(column).is_empty()) {
            let stage = named_stage(row.get(column), None);
            let flags = if open { (Some(false), Some(false)) } else { (None, None) };
            note_stage(&mut found, VendorStage { closed: flags.0, won: flags.1, ..stage });
        }
    }
    found
}

/// A stage known only by its name and place in the export.
pub fn named_stage(name: &str, sort_order: Option<i64>) -> VendorStage {
    VendorStage { name: name.to_string(), sort_order, probability: None, closed: None, won: None }
}

/// The stage mapping file beside an export: in its folder, or beside its first file.
pub fn default_stages_file(paths: &[PathBuf]) -> PathBuf {
    let base = paths.first().map_or_else(PathBuf::new, |p| {
        if p.is_dir() { p.clone() } else { p.parent().map(Path::to_path_buf).unwrap_or_default() }
    });
    base.join(stages::FILE_NAME)
}

/// The CSV and XLSX files of an export folder, or the files given.
pub fn export_files(paths: &[PathBuf]) -> std::result::Result<Vec<PathBuf>, CrmImportError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).map_err(|e| StoreError::io(path, e))? {
                let entry = entry.map_err(|e| StoreError::io(path, e))?.path();
                if entry.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv") || x.eq_ignore_ascii_case("xlsx")) {
                    files.push(entry);
                }
            }
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    Ok(files)
}

/// Every sheet of the files of `paths`, and the problems of those that cannot be read.
pub fn read_sheets(paths: &[PathBuf]) -> std::result::Result<(Vec<Sheet>, Vec<Problem>), CrmImportError> {
    let (mut sheets, mut problems) = (Vec::new(), Vec::new());
    for path in export_files(paths)? {
        for sheet in Sheet::read_all(&path) {
            match sheet {
                Ok(sheet) => sheets.push(sheet),
                Err(problem) => problems.push(problem),
            }
        }
    }
    Ok((sheets, problems))
}

/// An export's sheets by the object each holds.
pub struct Objects<O> {
    sheets: BTreeMap<O, Vec<Sheet>>,
}

impl<O: Ord> Objects<O> {
    pub fn of(&self, object: O) -> &[Sheet] {
        self.sheets.get(&object).map(Vec::as_slice).unwrap_or_default()
    }

    /// Of `files` (a bundle file and the objects its rows come from), those whose objects all have
    /// a sheet in the export: it holds every row of them ([`Converted::complete`]).
    pub fn complete(&self, files: &[(&'static str, &[O])]) -> Vec<&'static str> {
        files
            .iter()
            .filter(|(_, objects)| objects.iter().all(|object| self.sheets.contains_key(object)))
            .map(|(file, _)| *file)
            .collect()
    }
}

/// Reads an export read whole: every sheet of the CSV and XLSX files of `paths`, filed under the
/// object `object_of` tells (a sheet it cannot tell is a problem saying `not_ours`, as is a file
/// that cannot be read), and the rates of `rates_file`. Every problem of them all, or both.
pub fn read_export<O: Ord>(
    paths: &[PathBuf],
    rates_file: Option<&Path>,
    object_of: impl Fn(&Sheet) -> Option<O>,
    not_ours: &str,
) -> std::result::Result<(Objects<O>, Rates), CrmImportError> {
    let mut sheets: BTreeMap<O, Vec<Sheet>> = BTreeMap::new();
    let (read, mut problems) = read_sheets(paths)?;
    for sheet in read {
        match object_of(&sheet) {
            Some(object) => sheets.entry(object).or_default().push(sheet),
            None => problems.push(Problem {
                file: sheet.file.clone(),
                line: 0,
                column: None,
                field: None,
                message: not_ours.to_string(),
            }),
        }
    }
    let mut rates = Rates::default();
    if let Some(path) = rates_file {
        problems.extend(rates.read(path)?);
    }
    if problems.is_empty() { Ok((Objects { sheets }, rates)) } else { Err(invalid(problems)) }
}

/// The columns of a users export: a name, or a first and last name, and an e-mail.
pub struct UserColumns<'a> {
    pub name: &'a [&'a str],
    pub first: &'a [&'a str],
    pub last: &'a [&'a str],
    pub email: &'a [&'a str],
}

/// A conversion of an export read whole, as it starts: the stages resolved, the owners' e-mails
/// read from the users export, the rates with the organisation's currency named.
pub struct Start<'u> {
    pub conversion: Conversion,
    pub resolver: Resolver,
    pub owners: Owners,
    pub rates: Rates,
    users: Option<&'u Sheet>,
}

/// Where an export read whole keeps its users and deals: the objects, the users' columns, and the
/// deals' currency column.
pub struct Parts<O> {
    pub users: O,
    pub user_columns: UserColumns<'static>,
    pub deals: O,
    pub currency: &'static [&'static str],
}

impl<O: Ord + Copy> Objects<O> {
    /// Starts converting this export of `source` with `mapping` and `rates`.
    pub fn start(
        &self,
        source: &'static str,
        mapping: &StageMapping,
        pipeline: &PipelineKeys,
        rates: &Rates,
        parts: &Parts<O>,
    ) -> Result<Start<'_>> {
        let mut owners = Owners::new(source);
        let users = self.of(parts.users);
        for sheet in users {
            owners.read_users(sheet, &parts.user_columns);
        }
        let rates = super::deals::organisation_rates(rates, self.of(parts.deals), parts.currency);
        let mut conversion = Conversion::new(source, mapping)?;
        conversion.currency = rates.corporate.clone();
        Ok(Start { conversion, resolver: Resolver::new(mapping, pipeline), owners, rates, users: users.first() })
    }
}

impl Start<'_> {
    /// The owners met written as reps, and the converted export, or its problems.
    pub fn finish(mut self) -> std::result::Result<Converted, CrmImportError> {
        self.owners.finish(&mut self.conversion, self.users)?;
        self.conversion.finish()
    }
}

/// A conversion under way.
pub struct Conversion {
    pub source: &'static str,
    pub writer: BundleWriter,
    pub problems: Vec<Problem>,
    pub skips: Skips,
    pub objects: Vec<ObjectCount>,
    pub kpis: FirstKpis,
    pub date_range: Option<(NaiveDate, NaiveDate)>,
    pub stages: Vec<(String, String)>,
    pub currency: Option<String>,
    /// The bundle files whose every source object the export has ([`Converted::complete`]).
    pub complete: Vec<&'static str>,
}

impl Conversion {
    pub fn new(source: &'static str, mapping: &StageMapping) -> Result<Conversion> {
        Ok(Conversion {
            source,
            writer: BundleWriter::create()?,
            problems: Vec::new(),
            skips: Skips::default(),
            objects: Vec::new(),
            kpis: FirstKpis::default(),
            date_range: None,
            stages: mapping.used(),
            currency: None,
            complete: Vec::new(),
        })
    }

    /// Registers `sheet` with the vendor column each bundle column comes from.
    pub fn vendor_file(&mut self, sheet: &Sheet, columns: &[(&'static str, Option<usize>)]) -> VendorFile {
        let named: Vec<(&'static str, &str)> = columns
            .iter()
            .filter_map(|(bundle, column)| Some((*bundle, sheet.headers().get((*column)?)?.as_str())))
            .collect();
        self.writer.vendor_file(&sheet.file, sheet.headers(), &named)
    }

    /// Writes `row`, converted from `from`'s row `line`.
    pub fn emit(&mut self, row: NewRow, from: VendorFile, line: u64) -> Result<()> {
        row.write(&mut self.writer, from, line)
    }

    pub fn skip(&mut self, sheet: &Sheet, reason: &str) {
        self.skips.skip(&sheet.file, reason);
    }

    /// Counts what was read of `sheet` and how much of it was converted.
    pub fn counted(&mut self, sheet: &Sheet, converted: u64) {
        self.objects.push(ObjectCount { file: sheet.file.clone(), read: sheet.len() as u64, converted });
    }

    pub fn saw_day(&mut self, day: NaiveDate) {
        self.date_range = Some(match self.date_range {
            None => (day, day),
            Some((first, last)) => (first.min(day), last.max(day)),
        });
    }

    /// The converted export, or its problems.
    pub fn finish(self) -> std::result::Result<Converted, CrmImportError> {
        Converted {
            source: self.source,
            bundle: self.writer,
            objects: self.objects,
            skips: self.skips,
            stages: self.stages,
            currency: self.currency,
            date_range: self.date_range,
            kpis: self.kpis,
            complete: self.complete,
        }
        .unless(self.problems)
    }

    /// A required column's position, or a problem for the file.
    pub fn required(&mut self, sheet: &Sheet, names: &[&str]) -> Option<usize> {
        let column = sheet.column(names);
        if column.is_none() {
            self.problems.push(sheet.missing(names));
        }
        column
    }

    /// The positions of required columns, each found by one of its names; `None` after a problem
    /// for each one the sheet lacks.
    pub fn required_columns<const N: usize>(&mut self, sheet: &Sheet, names: [&[&str]; N]) -> Option<[usize; N]> {
        let found = names.map(|names| self.required(sheet, names));
        found.iter().all(Option::is_some).then(|| found.map(Option::unwrap_or_default))
    }

    /// The time at `column` (layouts of [`super::cells::EXPORT_TIME_FORMATS`]), or a located
    /// problem; `None` for an empty cell too.
    pub fn time_at(&mut self, row: &Row<'_>, column: Option<usize>) -> Option<chrono::NaiveDateTime> {
        let text = row.get(column);
        if text.is_empty() {
            return None;
        }
        match super::cells::parse_time(text, &super::cells::export_time_formats()) {
            Ok(at) => Some(at),
            Err(message) => {
                self.problems.push(row.problem(column, message));
                None
            }
        }
    }
}

/// The CRM's users, who own deals, accounts and activities: found by name or e-mail.
pub struct Owners {
    source: &'static str,
    /// Lower-case name → e-mail, from the users export.
    emails: BTreeMap<String, String>,
    /// Rep id → (name, e-mail, without a known e-mail) of each owner met.
    used: BTreeMap<String, (String, String, bool)>,
}

impl Owners {
    pub fn new(source: &'static str) -> Owners {
        Owners { source, emails: BTreeMap::new(), used: BTreeMap::new() }
    }

    /// Reads a users export: a name (or first and last name) and an e-mail per row.
    pub fn read_users(&mut self, sheet: &Sheet, columns: &UserColumns<'_>) {
        let (name, first, last, email) = (
            sheet.column(columns.name),
            sheet.column(columns.first),
            sheet.column(columns.last),
            sheet.column(columns.email),
        );
        for row in sheet.rows() {
            let full = match name {
                Some(_) => row.get(name).to_string(),
                None => format!("{} {}", row.get(first), row.get(last)).trim().to_string(),
            };
            if !full.is_empty() && row.get(email).contains('@') {
                self.emails.insert(full.to_lowercase(), row.get(email).to_string());
            }
        }
    }

    /// The rep id of the owner written `owner` ("Ana Lopez", "ana@x.com" or "Ana Lopez (ana@x.com)");
    /// `None` when empty.
    pub fn rep(&mut self, owner: &str) -> Option<String> {
        let owner = owner.trim();
        if owner.is_empty() {
            return None;
        }
        let (name, email) = match owner.rsplit_once('(') {
            Some((name, rest)) if rest.contains('@') => (name.trim(), rest.trim_end_matches(')').trim().to_string()),
            _ if owner.contains('@') && !owner.contains(' ') => (owner, owner.to_string()),
            _ => (owner, self.emails.get(&owner.to_lowercase()).cloned().unwrap_or_default()),
        };
        let key = if email.is_empty() { slug(name) } else { email.to_lowercase() };
        let id = super::external_id(self.source, &format!("user:{key}"));
        self.used.entry(id.clone()).or_insert_with(|| {
            let unknown = email.is_empty();
            let email = if unknown { format!("{}@{}.invalid", slug(name), self.source) } else { email };
            (name.to_string(), email, unknown)
        });
        Some(id)
    }

    /// Writes the owners met as reps (from `users`, the users export, when given) and counts
    /// those without a known e-mail.
    pub fn finish(self, conversion: &mut Conversion, users: Option<&Sheet>) -> Result<()> {
        let from = match users {
            Some(sheet) => conversion.vendor_file(sheet, &[]),
            None => conversion.writer.vendor_file(&format!("{} owners", conversion.source), &[], &[]),
        };
        for (line, (id, (name, email, unknown))) in self.used.into_iter().enumerate() {
            if unknown {
                let file = users.map_or_else(|| "the users export".to_string(), |s| s.file.clone());
                conversion.skips.skip(
                    &file,
                    "owners not in the users export: given a placeholder e-mail (add the users export to import theirs)",
                );
            }
            let mut row = NewRow::of("reps.csv");
            row.set("rep_id", id).set("name", name).set("email", email);
            conversion.emit(row, from, line as u64 + 2)?;
        }
        Ok(())
    }
}

/// `Ana López` → `ana-lópez`.
pub fn slug(name: &str) -> String {
    let lower: String = name.to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
    lower.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

/// The first of a list of ids the export writes as `1;2;3` (associations).
pub fn first_id(ids: &str) -> &str {
    ids.split([';', ',']).map(str::trim).find(|id| !id.is_empty()).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_found_by_name_e_mail_or_both() {
        let mut owners = Owners::new("crm");
        owners.emails.insert("ana lopez".into(), "ana@x.example".into());
        // By name through the users export, by e-mail, and "Name (e-mail)": one rep each, keyed
        // by e-mail; a name alone without a known e-mail is keyed by its slug.
        assert_eq!(owners.rep("Ana Lopez").as_deref(), Some("crm:user:ana@x.example"));
        assert_eq!(owners.rep("ana@x.example").as_deref(), Some("crm:user:ana@x.example"));
        assert_eq!(owners.rep("Ben Okafor (Ben@Y.example)").as_deref(), Some("crm:user:ben@y.example"));
        assert_eq!(owners.rep("Cleo Díaz").as_deref(), Some("crm:user:cleo-díaz"));
        assert_eq!(owners.rep("  "), None);
        assert_eq!(owners.used.len(), 3);
        assert_eq!(owners.used["crm:user:cleo-díaz"].1, "cleo-díaz@crm.invalid");
        assert_eq!(first_id(" ;9002; 9003"), "9002");
    }
}
