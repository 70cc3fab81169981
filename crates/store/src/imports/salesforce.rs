//! Salesforce's Data Export service: one CSV file per object, API field names as headers
//! (`docs/IMPORTS.md` has the field-by-field mapping; `tests/fixtures/salesforce/SOURCES.md` where
//! each field is documented).
//!
//! `User.csv` is required, every other object optional. Each file is streamed; memory holds the
//! ids of the records others refer to (as 128-bit numbers) and, per opportunity, the milestones
//! found in its stage history.

use super::conversion::{self, VendorExport, invalid};
use super::currency::Rates;
use super::stages::{self, PreparedStages, Resolver, StageMapping, VendorStage};
use super::text::{self, VendorCsv, field, parse_bool, record_id};
use super::{BundleWriter, Converted, CrmImportError, CrmImportSummary, FirstKpis, ObjectCount, Skips, VendorFile};
use crate::bundle::{Problem, Progress, format_timestamp};
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::orgs::{OrgId, PipelineKeys};
use chrono::{DateTime, NaiveDate, Utc};
use quotient_core::model::StageOutcome;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The source's name, before every external id.
pub const SOURCE: &str = "salesforce";

/// What `quotient import --from salesforce` is given besides the export folder.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The stage mapping to use; default `stages.toml` in the export folder, proposed when missing.
    pub stages: Option<PathBuf>,
    /// A rates file (`IsoCode,ConversionRate[,StartDate][,IsCorporate]`).
    pub rates: Option<PathBuf>,
    /// Whether records the export no longer has are deleted.
    pub missing: super::Missing,
}

/// A Salesforce export folder and the rates its amounts convert with.
pub struct SalesforceExport {
    dir: PathBuf,
    rates: Rates,
}

/// The export in `dir`, with the rates of its `CurrencyType.csv` and `DatedConversionRate.csv`
/// and of `rates_file`.
pub fn read(dir: &Path, rates_file: Option<&Path>) -> std::result::Result<SalesforceExport, CrmImportError> {
    Ok(SalesforceExport { dir: dir.to_path_buf(), rates: read_rates(dir, rates_file)? })
}

/// Imports the Salesforce export in `dir`: prepares the stage mapping (proposing and writing it
/// on the first run), converts, and imports all or nothing. `on_stages` is shown the mapping
/// before the conversion starts.
pub fn import(
    db: &mut Db,
    org: OrgId,
    dir: &Path,
    options: &Options,
    on_stages: &mut dyn FnMut(&PreparedStages),
    progress: &mut dyn Progress,
) -> std::result::Result<CrmImportSummary, CrmImportError> {
    let export = read(dir, options.rates.as_deref())?;
    let stages = options.stages.clone().unwrap_or_else(|| dir.join(stages::FILE_NAME));
    conversion::import(db, org, &export, &stages, options.missing, on_stages, progress)
}

impl VendorExport for SalesforceExport {
    fn label(&self) -> &'static str {
        "Salesforce"
    }

    fn stages_found(&self) -> std::result::Result<Vec<VendorStage>, CrmImportError> {
        stages_found(&self.dir)
    }

    fn convert(
        &self,
        mapping: &StageMapping,
        pipeline: &PipelineKeys,
    ) -> std::result::Result<Converted, CrmImportError> {
        convert(&self.dir, mapping, &self.rates, pipeline)
    }
}

/// The export's file for `object` (`Opportunity` → `Opportunity.csv`, in any case).
fn find(dir: &Path, object: &str) -> Result<Option<PathBuf>> {
    let wanted = format!("{object}.csv");
    let entries = std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(dir, e))?;
        if entry.file_name().to_string_lossy().eq_ignore_ascii_case(&wanted) {
            return Ok(Some(entry.path()));
        }
    }
    Ok(None)
}

/// Every stage the export uses: `OpportunityStage.csv` when exported (its order, probability and
/// flags), then the stage names of opportunities and their history.
fn stages_found(dir: &Path) -> std::result::Result<Vec<VendorStage>, CrmImportError> {
    let mut found: Vec<VendorStage> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut note = |stage: VendorStage| {
        let key = stage.name.to_lowercase();
        match index.get(&key) {
            Some(&at) => {
                let known = &mut found[at];
                known.sort_order = known.sort_order.or(stage.sort_order);
                known.probability = known.probability.or(stage.probability);
                known.closed = known.closed.or(stage.closed);
                known.won = known.won.or(stage.won);
            }
            None => {
                index.insert(key, found.len());
                found.push(stage);
            }
        }
    };
    let mut problems = Vec::new();
    for (object, name_column) in
        [("OpportunityStage", "MasterLabel"), ("Opportunity", "StageName"), ("OpportunityHistory", "StageName")]
    {
        let Some(path) = find(dir, object)? else { continue };
        each_record(&path, &mut problems, |csv, record, _| {
            let columns =
                csv.columns(&[name_column, "SortOrder", "DefaultProbability", "Probability", "IsClosed", "IsWon"]);
            let name = field(record, columns[0]);
            if name.is_empty() {
                return Ok(());
            }
            let probability = field(record, columns[2].or(columns[3]));
            note(VendorStage {
                name: name.into_owned(),
                sort_order: field(record, columns[1]).parse().ok(),
                probability: text::Decimal::parse(&probability)
                    .ok()
                    .and_then(|d| u32::try_from(d.mantissa / 10i128.pow(d.scale)).ok()),
                // The history's rows tell no flags.
                closed: if object == "OpportunityHistory" { None } else { parse_bool(&field(record, columns[4])) },
                won: if object == "OpportunityHistory" { None } else { parse_bool(&field(record, columns[5])) },
            });
            Ok(())
        })?;
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    Ok(found)
}

/// The rates of the export (`CurrencyType.csv`, `DatedConversionRate.csv`) and of `rates_file`.
pub fn read_rates(dir: &Path, rates_file: Option<&Path>) -> std::result::Result<Rates, CrmImportError> {
    let mut files = Vec::new();
    for object in ["CurrencyType", "DatedConversionRate"] {
        files.extend(find(dir, object)?);
    }
    files.extend(rates_file.map(Path::to_path_buf));
    Rates::read_files(&files.iter().map(PathBuf::as_path).collect::<Vec<_>>())
}

/// Streams the records of `path` to `each` (the file, the record, its line); unreadable records
/// become problems. Returns the number of records read.
fn each_record(
    path: &Path,
    problems: &mut Vec<Problem>,
    mut each: impl FnMut(&VendorCsv, &csv::ByteRecord, u64) -> Result<()>,
) -> Result<u64> {
    let mut csv = match VendorCsv::open(path)? {
        Ok(csv) => csv,
        Err(problem) => {
            problems.push(problem);
            return Ok(0);
        }
    };
    let mut record = csv::ByteRecord::new();
    let mut rows = 0;
    loop {
        match csv.next_record(&mut record) {
            Ok(Some(line)) => {
                rows += 1;
                each(&csv, &record, line)?;
            }
            Ok(None) => break,
            Err((problem, fatal)) => {
                problems.push(problem);
                if fatal {
                    break;
                }
            }
        }
    }
    Ok(rows)
}

/// The 15-character id in a field, owned.
fn sf_id(record: &csv::ByteRecord, column: Option<usize>) -> std::result::Result<Option<String>, String> {
    record_id(&field(record, column)).map(|id| id.map(str::to_string))
}

/// A 15-character id as a number (62 symbols a character), to keep millions of them compactly.
fn id_key(id: impl AsRef<str>) -> u128 {
    id.as_ref().bytes().fold(0u128, |key, b| {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'A'..=b'Z' => b - b'A' + 10,
            _ => b.wrapping_sub(b'a').wrapping_add(36),
        };
        key * 62 + u128::from(digit)
    })
}

/// Columns looked up once per file.
struct Columns(Vec<Option<usize>>);

impl Columns {
    fn of(csv: &VendorCsv, names: &[&str]) -> Columns {
        Columns(csv.columns(names))
    }
}

/// The records of the export others refer to, and the converted opportunities' tracks.
#[derive(Default)]
struct Known {
    users: HashSet<u128>,
    accounts: HashSet<u128>,
    contacts: HashSet<u128>,
    leads: HashSet<u128>,
}

/// The opportunities of the export, each with its track: sorted keys and tracks side by side,
/// found by binary search. A hash map of a million tracks took twice the memory (its slack, and
/// both tables while it grew), and memory is what bounds an import of this size.
#[derive(Default)]
struct Tracks {
    keys: Vec<u128>,
    tracks: Vec<Track>,
}

impl Tracks {
    fn of(mut keys: Vec<u128>) -> Tracks {
        keys.sort_unstable();
        keys.dedup();
        let tracks = vec![Track::default(); keys.len()];
        Tracks { keys, tracks }
    }

    fn contains(&self, key: u128) -> bool {
        self.keys.binary_search(&key).is_ok()
    }

    fn get(&self, key: u128) -> Option<&Track> {
        self.tracks.get(self.keys.binary_search(&key).ok()?)
    }

    fn get_mut(&mut self, key: u128) -> Option<&mut Track> {
        self.tracks.get_mut(self.keys.binary_search(&key).ok()?)
    }
}

/// What one opportunity's stage history tells, and what its conversion decided.
#[derive(Clone, Copy)]
struct Track {
    /// First appointment, gateway, proposal: the earliest entry into an open stage at or past the
    /// milestone's (seconds; `i64::MAX` when never).
    reached: [i64; 3],
    /// The gateway type of the stage that reached the gateway first (index into the pipeline's).
    gateway_type: Option<u8>,
    /// The latest change seen: when, and to which outcome.
    last_at: i64,
    last_outcome: Option<StageOutcome>,
    /// Set by the opportunity's conversion: its status, closing time and line.
    status: Option<StageOutcome>,
    closed_at: i64,
    created_at: i64,
    line: u64,
    /// The stage of the previous change written (index into the pipeline), to drop rows that
    /// only changed the amount or close date.
    written_stage: Option<u8>,
}

impl Default for Track {
    fn default() -> Self {
        Track {
            reached: [i64::MAX; 3],
            gateway_type: None,
            last_at: i64::MIN,
            last_outcome: None,
            status: None,
            closed_at: 0,
            created_at: 0,
            line: 0,
            written_stage: None,
        }
    }
}

struct Conversion<'a> {
    dir: &'a Path,
    pipeline: &'a PipelineKeys,
    resolver: Resolver,
    rates: &'a Rates,
    out: BundleWriter,
    known: Known,
    tracks: Tracks,
    problems: Vec<Problem>,
    skips: Skips,
    objects: Vec<ObjectCount>,
    kpis: FirstKpis,
    date_range: Option<(NaiveDate, NaiveDate)>,
}

/// Converts the export in `dir` into bundle rows with the stage `mapping` and `rates`.
pub fn convert(
    dir: &Path,
    mapping: &StageMapping,
    rates: &Rates,
    pipeline: &PipelineKeys,
) -> std::result::Result<Converted, CrmImportError> {
    let Some(users) = find(dir, "User")? else {
        return Err(CrmImportError::problem(Problem {
            file: "User.csv".to_string(),
            line: 0,
            column: None,
            field: None,
            message: format!("is missing from {}: the export needs its users, who become the reps", dir.display()),
        }));
    };
    let mut conversion = Conversion {
        dir,
        pipeline,
        resolver: Resolver::new(mapping, pipeline),
        rates,
        out: BundleWriter::create()?,
        known: Known::default(),
        tracks: Tracks::default(),
        problems: Vec::new(),
        skips: Skips::default(),
        objects: Vec::new(),
        kpis: FirstKpis::default(),
        date_range: None,
    };
    conversion.users(&users)?;
    let product_lines = conversion.products()?;
    let opportunity_products = conversion.line_items(&product_lines)?;
    let buying_roles = conversion.contact_roles()?;
    conversion.accounts()?;
    conversion.contacts(&buying_roles)?;
    conversion.opportunity_ids()?;
    conversion.leads()?;
    conversion.history_milestones()?;
    conversion.opportunities(&opportunity_products)?;
    conversion.stage_changes()?;
    conversion.tasks()?;
    conversion.events()?;
    let Conversion { out, problems, skips, objects, kpis, date_range, .. } = conversion;
    let complete = complete_files(dir)?;
    Converted {
        source: SOURCE,
        bundle: out,
        objects,
        skips,
        stages: mapping.used(),
        currency: rates.corporate.clone(),
        date_range,
        kpis,
        complete,
    }
    .unless(problems)
}

/// The bundle files the export holds every row of: those whose objects' files are all in it (an
/// export without `Event.csv` says nothing of the events, and so of the activities).
fn complete_files(dir: &Path) -> Result<Vec<&'static str>> {
    let mut complete = Vec::new();
    for (file, objects) in [
        ("accounts.csv", &["Account"][..]),
        ("contacts.csv", &["Contact"]),
        ("leads.csv", &["Lead"]),
        ("opportunities.csv", &["Opportunity"]),
        ("activities.csv", &["Task", "Event"]),
    ] {
        let mut all = true;
        for object in objects {
            all &= find(dir, object)?.is_some();
        }
        if all {
            complete.push(file);
        }
    }
    Ok(complete)
}

fn ext(id: impl AsRef<str>) -> String {
    super::external_id(SOURCE, id.as_ref())
}

fn timestamp(at: DateTime<Utc>) -> String {
    format_timestamp(at)
}

fn seconds_to_text(at: i64) -> String {
    DateTime::from_timestamp(at, 0).map(timestamp).unwrap_or_default()
}

fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.unsigned_abs() / 100, cents.unsigned_abs() % 100)
}

impl Conversion<'_> {
    /// Opens an optional object's file; `None` when the export lacks it.
    fn path(&self, object: &str) -> Result<Option<PathBuf>> {
        find(self.dir, object)
    }

    /// Counts a file's records read and converted.
    fn counted(&mut self, file: &str, read: u64, converted: u64) {
        self.objects.push(ObjectCount { file: file.to_string(), read, converted });
    }

    /// A required id, or a problem.
    fn required_id(
        &mut self,
        csv: &VendorCsv,
        record: &csv::ByteRecord,
        line: u64,
        column: Option<usize>,
        what: &str,
    ) -> Option<String> {
        let Some(id) = self.id_at(csv, record, line, column)? else {
            let message = match column {
                Some(_) => format!("is empty: every {what} needs it"),
                None => "the column is missing from the header".to_string(),
            };
            self.problems.push(csv.problem(line, column, message));
            return None;
        };
        Some(id)
    }

    /// The id at `column` (`Some(None)` when empty); `None` after a problem with it.
    fn id_at(
        &mut self,
        csv: &VendorCsv,
        record: &csv::ByteRecord,
        line: u64,
        column: Option<usize>,
    ) -> Option<Option<String>> {
        match record_id(&field(record, column)) {
            Ok(id) => Some(id.map(str::to_string)),
            Err(message) => {
                self.problems.push(csv.problem(line, column, message));
                None
            }
        }
    }

    /// An optional reference, kept only when it points to a record of the export; a dangling
    /// one (a record not exported, or deleted) is left empty and counted.
    fn reference(
        &mut self,
        csv: &VendorCsv,
        record: &csv::ByteRecord,
        line: u64,
        column: Option<usize>,
        known: fn(&Self, u128) -> bool,
    ) -> Option<String> {
        let id = self.id_at(csv, record, line, column)??;
        if known(self, id_key(&id)) {
            return Some(id);
        }
        let name = column.and_then(|c| csv.header.get(c)).map_or("", String::as_str);
        self.skips.skip(&csv.name, &format!("{name} points to a record not in the export: left empty"));
        None
    }

    fn datetime(
        &mut self,
        csv: &VendorCsv,
        record: &csv::ByteRecord,
        line: u64,
        column: Option<usize>,
    ) -> Option<DateTime<Utc>> {
        let text = field(record, column);
        if text.is_empty() {
            return None;
        }
        match text::parse_datetime(&text) {
            Ok(at) => Some(at),
            Err(message) => {
                self.problems.push(csv.problem(line, column, message));
                None
            }
        }
    }

    fn users(&mut self, path: &Path) -> Result<()> {
        struct User {
            id: String,
            name: String,
            email: String,
            manager: Option<String>,
            role: Option<String>,
            hired_on: Option<NaiveDate>,
            line: u64,
        }
        let parents = self.role_parents()?;
        let mut users: Vec<User> = Vec::new();
        let mut problems = Vec::new();
        let mut bad = Vec::new();
        let mut skips = Vec::new();
        let mut header = Vec::new();
        let read = each_record(path, &mut problems, |csv, record, line| {
            if header.is_empty() {
                header = csv.header.clone();
            }
            let c = Columns::of(
                csv,
                &[
                    "Id",
                    "Name",
                    "FirstName",
                    "LastName",
                    "Email",
                    "ManagerId",
                    "UserRoleId",
                    "CreatedDate",
                    "UserType",
                    "IsDeleted",
                ],
            )
            .0;
            let id = match record_id(&field(record, c[0])) {
                Ok(Some(id)) => id.to_string(),
                Ok(None) => {
                    bad.push(csv.problem(line, c[0], "is empty: every user needs an id".to_string()));
                    return Ok(());
                }
                Err(message) => {
                    bad.push(csv.problem(line, c[0], message));
                    return Ok(());
                }
            };
            let user_type = field(record, c[8]);
            if !user_type.is_empty() && !user_type.eq_ignore_ascii_case("Standard") {
                skips.push("not a standard (licensed) user");
                return Ok(());
            }
            if parse_bool(&field(record, c[9])) == Some(true) {
                skips.push("deleted");
                return Ok(());
            }
            let name = match field(record, c[1]) {
                name if !name.is_empty() => name.into_owned(),
                _ => format!("{} {}", field(record, c[2]), field(record, c[3])).trim().to_string(),
            };
            let email = field(record, c[4]).into_owned();
            if email.is_empty() {
                bad.push(csv.problem(line, c[4], "is empty: a rep needs an e-mail address to sign in".to_string()));
            }
            users.push(User {
                id,
                name,
                email,
                manager: record_id(&field(record, c[5])).ok().flatten().map(str::to_string),
                role: record_id(&field(record, c[6])).ok().flatten().map(str::to_string),
                hired_on: text::parse_date(&field(record, c[7])).ok(),
                line,
            });
            Ok(())
        })?;
        self.problems.extend(problems);
        self.problems.extend(bad);
        let name = "User.csv";
        for reason in skips {
            self.skips.skip(name, reason);
        }
        self.known.users = users.iter().map(|u| id_key(&u.id)).collect();
        // The manager: ManagerId when it is an imported user, else the first user (by id) holding
        // the parent of the user's role.
        let mut holder: HashMap<&str, &str> = HashMap::new();
        let mut by_id: Vec<&User> = users.iter().collect();
        by_id.sort_by(|a, b| a.id.cmp(&b.id));
        for user in &by_id {
            if let Some(role) = &user.role {
                holder.entry(role.as_str()).or_insert(user.id.as_str());
            }
        }
        let managers: Vec<Option<String>> = users
            .iter()
            .map(|user| {
                user.manager.clone().filter(|m| self.known.users.contains(&id_key(m)) && *m != user.id).or_else(|| {
                    let parent = parents.get(user.role.as_deref()?)?;
                    holder.get(parent.as_str()).map(|m| (*m).to_string()).filter(|m| *m != user.id)
                })
            })
            .collect();
        let has_reports: HashSet<&str> = managers.iter().flatten().map(String::as_str).collect();
        let columns = ["rep_id", "name", "email", "manager_id", "role", "hired_on"];
        self.out.declare("reps.csv", &columns)?;
        let from = self.out.vendor_file(
            name,
            &header,
            &[
                ("rep_id", "Id"),
                ("name", "Name"),
                ("email", "Email"),
                ("manager_id", "ManagerId"),
                ("hired_on", "CreatedDate"),
            ],
        );
        for (user, manager) in users.iter().zip(&managers) {
            let role = match (has_reports.contains(user.id.as_str()), manager.is_some()) {
                (true, false) => "executive",
                (true, true) => "manager",
                _ => "rep",
            };
            let hired = user.hired_on.map(|d| d.to_string()).unwrap_or_default();
            let manager = manager.as_deref().map(ext).unwrap_or_default();
            self.out.write(
                "reps.csv",
                &[&ext(&user.id), &user.name, &user.email, &manager, role, &hired],
                from,
                user.line,
            )?;
        }
        self.counted(name, read, users.len() as u64);
        Ok(())
    }

    /// `UserRole.csv`: role → parent role.
    fn role_parents(&mut self) -> Result<HashMap<String, String>> {
        let mut parents = HashMap::new();
        let Some(path) = self.path("UserRole")? else { return Ok(parents) };
        let mut problems = Vec::new();
        each_record(&path, &mut problems, |csv, record, _| {
            let (id, parent) = (field(record, csv.column("Id")), field(record, csv.column("ParentRoleId")));
            if let (Ok(Some(id)), Ok(Some(parent))) = (record_id(&id), record_id(&parent)) {
                parents.insert(id.to_string(), parent.to_string());
            }
            Ok(())
        })?;
        self.problems.extend(problems);
        Ok(parents)
    }

    /// `Product2.csv` → product lines: a product's `Family` when it has one, else the product.
    /// Returns product id → product line id.
    fn products(&mut self) -> Result<HashMap<u128, String>> {
        let mut lines = HashMap::new();
        let Some(path) = self.path("Product2")? else { return Ok(lines) };
        self.out.declare("product_lines.csv", &["product_line_id", "name"])?;
        let mut problems = Vec::new();
        let mut rows: Vec<(String, String, u64)> = Vec::new();
        let mut bad = Vec::new();
        let mut header = Vec::new();
        let read = each_record(&path, &mut problems, |csv, record, line| {
            header.clone_from(&csv.header);
            let c = Columns::of(csv, &["Id", "Name", "Family", "IsDeleted"]).0;
            let Ok(Some(id)) = sf_id(record, c[0]) else {
                bad.push(csv.problem(line, c[0], "is not a record id: every product needs its id".to_string()));
                return Ok(());
            };
            if parse_bool(&field(record, c[3])) == Some(true) {
                return Ok(());
            }
            let family = field(record, c[2]);
            let (line_id, name) = if family.is_empty() {
                (ext(&id), field(record, c[1]).into_owned())
            } else {
                (ext(format!("family:{family}")), family.into_owned())
            };
            lines.insert(id_key(&id), line_id.clone());
            rows.push((line_id, name, line));
            Ok(())
        })?;
        self.problems.extend(problems);
        self.problems.extend(bad);
        let from = self.out.vendor_file("Product2.csv", &header, &[("product_line_id", "Id"), ("name", "Name")]);
        let mut written = HashSet::new();
        for (id, name, line) in &rows {
            if written.insert(id.clone()) {
                self.out.write("product_lines.csv", &[id, name], from, *line)?;
            }
        }
        self.counted("Product2.csv", read, rows.len() as u64);
        Ok(lines)
    }

    /// `OpportunityLineItem.csv`: an opportunity's product line is that of its largest line.
    fn line_items(&mut self, product_lines: &HashMap<u128, String>) -> Result<HashMap<u128, String>> {
        let mut best: HashMap<u128, (i64, &String)> = HashMap::new();
        let Some(path) = self.path("OpportunityLineItem")? else { return Ok(HashMap::new()) };
        let mut problems = Vec::new();
        let read = each_record(&path, &mut problems, |csv, record, _| {
            let c = Columns::of(csv, &["OpportunityId", "Product2Id", "TotalPrice"]).0;
            let (Ok(Some(opportunity)), Ok(Some(product))) = (sf_id(record, c[0]), sf_id(record, c[1])) else {
                return Ok(());
            };
            let Some(line) = product_lines.get(&id_key(product)) else { return Ok(()) };
            let total = text::parse_cents(&field(record, c[2])).unwrap_or(0);
            let entry = best.entry(id_key(opportunity)).or_insert((total, line));
            if total > entry.0 {
                *entry = (total, line);
            }
            Ok(())
        })?;
        self.problems.extend(problems);
        self.counted("OpportunityLineItem.csv", read, 0);
        Ok(best.into_iter().map(|(k, (_, line))| (k, line.clone())).collect())
    }

    /// `OpportunityContactRole.csv`: a contact's buying role, the primary role first.
    fn contact_roles(&mut self) -> Result<HashMap<u128, &'static str>> {
        let mut roles: HashMap<u128, (&'static str, bool)> = HashMap::new();
        let Some(path) = self.path("OpportunityContactRole")? else { return Ok(HashMap::new()) };
        let mut problems = Vec::new();
        let read = each_record(&path, &mut problems, |csv, record, _| {
            let c = Columns::of(csv, &["ContactId", "Role", "IsPrimary"]).0;
            let Ok(Some(contact)) = sf_id(record, c[0]) else { return Ok(()) };
            let Some(role) = buying_role(&field(record, c[1])) else { return Ok(()) };
            let primary = parse_bool(&field(record, c[2])) == Some(true);
            let entry = roles.entry(id_key(contact)).or_insert((role, primary));
            if primary && !entry.1 {
                *entry = (role, true);
            }
            Ok(())
        })?;
        self.problems.extend(problems);
        self.counted("OpportunityContactRole.csv", read, 0);
        Ok(roles.into_iter().map(|(k, (role, _))| (k, role)).collect())
    }

    fn accounts(&mut self) -> Result<()> {
        // Account ids are registered first: accounts refer to no other account here, but        // contacts and opportunities read later do.
        self.convert_object(&ACCOUNTS, |this, csv, record, line, c, from| {
            let Some(id) = this.required_id(csv, record, line, c[0], "account") else { return Ok(false) };
            let owner = this
                .reference(csv, record, line, c[3], |this, key| this.known.users.contains(&key))
                .map(|o| ext(&o))
                .unwrap_or_default();
            let revenue = match field(record, c[5]).as_ref() {
                "" => String::new(),
                text => {
                    let on = text::parse_date(&field(record, c[10])).unwrap_or_else(|_| Utc::now().date_naive());
                    match text::parse_cents(text).and_then(|cents| this.rates.convert(cents, &field(record, c[9]), on))
                    {
                        Ok(cents) => cents_text(cents),
                        Err(message) => {
                            this.problems.push(csv.problem(line, c[5], message));
                            return Ok(false);
                        }
                    }
                }
            };
            // Salesforce exports whole numbers of a number field as "250" or "250.0".
            let employees = field(record, c[4]);
            let employees = employees.strip_suffix(".0").unwrap_or(&employees);
            this.known.accounts.insert(id_key(&id));
            this.out.write(
                "accounts.csv",
                &[
                    &ext(&id),
                    &field(record, c[1]),
                    &field(record, c[2]),
                    &owner,
                    employees,
                    &revenue,
                    &field(record, c[6]),
                    &field(record, c[7]),
                ],
                from,
                line,
            )?;
            Ok(true)
        })
    }

    /// Converts one object's file row by row with `each` (given the record, its line, the
    /// object's fields' columns and the file as registered), leaving out rows marked deleted;
    /// `each` says whether it wrote a row.
    fn convert_object(
        &mut self,
        spec: &ObjectFile,
        mut each: impl FnMut(&mut Self, &VendorCsv, &csv::ByteRecord, u64, &[Option<usize>], VendorFile) -> Result<bool>,
    ) -> Result<()> {
        let Some(path) = self.path(spec.object)? else { return Ok(()) };
        self.out.declare(spec.bundle, spec.columns)?;
        let mut problems = Vec::new();
        let mut from = None;
        let mut converted = 0;
        let read = self.stream(&path, &mut problems, |this, csv, record, line| {
            let from = *from.get_or_insert_with(|| this.out.vendor_file(&csv.name, &csv.header, spec.sources));
            if parse_bool(&field(record, csv.columns(&["IsDeleted"])[0])) == Some(true) {
                this.skips.skip(&csv.name, "deleted");
                return Ok(());
            }
            if each(this, csv, record, line, &csv.columns(spec.fields), from)? {
                converted += 1;
            }
            Ok(())
        })?;
        self.problems.extend(problems);
        self.counted(&format!("{}.csv", spec.object), read, converted);
        Ok(())
    }

    /// Streams `path` with access to the conversion.
    fn stream(
        &mut self,
        path: &Path,
        problems: &mut Vec<Problem>,
        mut each: impl FnMut(&mut Self, &VendorCsv, &csv::ByteRecord, u64) -> Result<()>,
    ) -> Result<u64> {
        each_record(path, problems, |csv, record, line| each(self, csv, record, line))
    }

    /// Streams the file of `object`, when the export has it, with access to the conversion; its
    /// unreadable records become problems when `report` (a later pass reports them otherwise).
    fn stream_object(
        &mut self,
        object: &str,
        report: bool,
        each: impl FnMut(&mut Self, &VendorCsv, &csv::ByteRecord, u64) -> Result<()>,
    ) -> Result<()> {
        let Some(path) = self.path(object)? else { return Ok(()) };
        let mut problems = Vec::new();
        self.stream(&path, &mut problems, each)?;
        if report {
            self.problems.extend(problems);
        }
        Ok(())
    }

    /// The ids of the opportunities, which leads and activities read before them may refer to.
    fn opportunity_ids(&mut self) -> Result<()> {
        let mut keys = Vec::new();
        // Unreadable records are reported when the opportunities are converted.
        self.stream_object("Opportunity", false, |_, csv, record, _| {
            if parse_bool(&field(record, csv.column("IsDeleted"))) == Some(true) {
                return Ok(());
            }
            if let Ok(Some(id)) = record_id(&field(record, csv.column("Id"))) {
                keys.push(id_key(id));
            }
            Ok(())
        })?;
        self.tracks = Tracks::of(keys);
        Ok(())
    }

    fn contacts(&mut self, buying_roles: &HashMap<u128, &'static str>) -> Result<()> {
        self.convert_object(&CONTACTS, |this, csv, record, line, c, from| {
            let Some(id) = this.required_id(csv, record, line, c[0], "contact") else { return Ok(false) };
            let Some(account) = this.reference(csv, record, line, c[1], |this, key| this.known.accounts.contains(&key))
            else {
                this.skips.skip(&csv.name, "no account (a private contact, or its account is not in the export)");
                return Ok(false);
            };
            let address: Vec<String> =
                c[7..=10].iter().map(|&column| field(record, column).into_owned()).filter(|p| !p.is_empty()).collect();
            let role = buying_roles.get(&id_key(&id)).copied().unwrap_or("");
            this.known.contacts.insert(id_key(&id));
            this.out.write(
                "contacts.csv",
                &[
                    &ext(&id),
                    &ext(&account),
                    &field(record, c[2]),
                    &field(record, c[3]),
                    &field(record, c[4]),
                    role,
                    &field(record, c[5]),
                    &field(record, c[6]),
                    &address.join(", "),
                ],
                from,
                line,
            )?;
            Ok(true)
        })
    }

    fn leads(&mut self) -> Result<()> {
        self.convert_object(&LEADS, |this, csv, record, line, c, from| {
            let Some(id) = this.required_id(csv, record, line, c[0], "lead") else { return Ok(false) };
            let Some(created) = this.datetime(csv, record, line, c[1]) else {
                if field(record, c[1]).is_empty() {
                    this.problems.push(csv.problem(
                        line,
                        c[1],
                        "is empty: every lead needs its creation time".to_string(),
                    ));
                }
                return Ok(false);
            };
            // A lead its owner created is the rep's own; one created by anybody else (marketing,
            // a web form, an import) came from the company.
            let (owner_text, creator_text) = (field(record, c[2]), field(record, c[3]));
            let self_generated = !owner_text.is_empty()
                && record_id(&owner_text).ok().flatten() == record_id(&creator_text).ok().flatten();
            // Leads owned by a queue have no rep yet.
            let owner = this
                .reference(csv, record, line, c[2], |this, key| this.known.users.contains(&key))
                .map(|o| ext(&o))
                .unwrap_or_default();
            let name = match field(record, c[5]) {
                name if !name.is_empty() => name.into_owned(),
                _ => format!("{} {}", field(record, c[6]), field(record, c[7])).trim().to_string(),
            };
            let converted_flag = parse_bool(&field(record, c[10])) == Some(true);
            let status = if converted_flag { "converted" } else { lead_status(&field(record, c[9])) };
            let opportunity = this
                .reference(csv, record, line, c[11], |this, key| this.tracks.contains(key))
                .map(|o| ext(&o))
                .unwrap_or_default();
            this.known.leads.insert(id_key(&id));
            this.out.write(
                "leads.csv",
                &[
                    &ext(&id),
                    &timestamp(created),
                    if self_generated { "self" } else { "company" },
                    &owner,
                    &field(record, c[4]),
                    &name,
                    &field(record, c[8]),
                    status,
                    &opportunity,
                ],
                from,
                line,
            )?;
            Ok(true)
        })
    }

    /// First pass over `OpportunityHistory.csv`: per opportunity, when it first reached each
    /// milestone, and its latest change.
    fn history_milestones(&mut self) -> Result<()> {
        self.stream_object("OpportunityHistory", true, |this, csv, record, line| {
            let c = Columns::of(csv, &["OpportunityId", "StageName", "CreatedDate", "IsDeleted"]).0;
            if parse_bool(&field(record, c[3])) == Some(true) {
                return Ok(());
            }
            let Ok(Some(opportunity)) = sf_id(record, c[0]) else { return Ok(()) };
            let key = id_key(opportunity);
            if !this.tracks.contains(key) {
                return Ok(());
            }
            let Some(at) = this.datetime(csv, record, line, c[2]) else { return Ok(()) };
            let Some(stage) = this.resolver.get(&field(record, c[1])).cloned() else { return Ok(()) };
            let reached = this.resolver.reached(&stage);
            let gateway_type = stage
                .gateway_type
                .as_ref()
                .and_then(|k| this.pipeline.gateway_types.iter().position(|g| g == k))
                .and_then(|i| u8::try_from(i).ok());
            let Some(track) = this.tracks.get_mut(key) else { return Ok(()) };
            let at = at.timestamp();
            for (milestone, reached) in reached.iter().enumerate() {
                if *reached && at < track.reached[milestone] {
                    track.reached[milestone] = at;
                    if milestone == 1 {
                        track.gateway_type = gateway_type;
                    }
                }
            }
            if at >= track.last_at {
                track.last_at = at;
                track.last_outcome = Some(stage.outcome);
            }
            Ok(())
        })
    }

    fn opportunities(&mut self, products: &HashMap<u128, String>) -> Result<()> {
        self.convert_object(&OPPORTUNITIES, |this, csv, record, line, c, from| {
            let Some(id) = this.required_id(csv, record, line, c[0], "opportunity") else { return Ok(false) };
            let key = id_key(&id);
            let Some(owner) = this.required_id(csv, record, line, c[2], "opportunity") else { return Ok(false) };
            if !this.known.users.contains(&id_key(&owner)) {
                this.problems.push(csv.problem(line, c[2], format!("'{owner}' is not a user of User.csv: export all users, or give the opportunity an owner who is one")));
                return Ok(false);
            }
            let account = this.reference(csv, record, line, c[1], |this, key| this.known.accounts.contains(&key)).map(|a| ext(&a)).unwrap_or_default();
            let Some(created) = this.datetime(csv, record, line, c[5]) else {
                if field(record, c[5]).is_empty() {
                    this.problems.push(csv.problem(line, c[5], "is empty: every opportunity needs its creation time".to_string()));
                }
                return Ok(false);
            };
            let close_date = match field(record, c[6]).as_ref() {
                "" => None,
                text => match text::parse_date(text) {
                    Ok(date) => Some(date),
                    Err(message) => {
                        this.problems.push(csv.problem(line, c[6], message));
                        return Ok(false);
                    }
                },
            };
            let stage_name = field(record, c[7]);
            let stage = this.resolver.get(&stage_name).cloned();
            let status = match (parse_bool(&field(record, c[8])), parse_bool(&field(record, c[9]))) {
                (_, Some(true)) => StageOutcome::Won,
                (Some(true), _) => StageOutcome::Lost,
                (Some(false), _) => StageOutcome::Open,
                (None, _) => stage.as_ref().map_or(StageOutcome::Open, |s| s.outcome),
            };
            let closed_at = match (status, close_date) {
                (StageOutcome::Open, _) => None,
                // Closed on its close date; one back-dated before its creation closes when created.
                (_, Some(date)) => Some(date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().max(created)),
                (_, None) => {
                    this.problems.push(csv.problem(line, c[6], "is empty but the opportunity is closed: fill in when it closed".to_string()));
                    return Ok(false);
                }
            };
            // Amount in the organisation's currency; the original kept when it was another.
            let currency = field(record, c[10]).to_ascii_uppercase();
            let original = match field(record, c[4]).as_ref() {
                "" => 0,
                text => match text::parse_cents(text) {
                    Ok(cents) if cents >= 0 => cents,
                    Ok(_) => {
                        this.problems.push(csv.problem(line, c[4], "is negative: an opportunity's amount is 0 or more".to_string()));
                        return Ok(false);
                    }
                    Err(message) => {
                        this.problems.push(csv.problem(line, c[4], message));
                        return Ok(false);
                    }
                },
            };
            let on = close_date.unwrap_or_else(|| created.date_naive());
            let amount = match this.rates.convert(original, &currency, on) {
                Ok(cents) => cents,
                Err(message) => {
                    this.problems.push(csv.problem(line, c[10], message));
                    return Ok(false);
                }
            };
            let foreign = !currency.is_empty() && this.rates.corporate.as_deref() != Some(currency.as_str()) && !this.rates.is_empty();
            let Some(track) = this.tracks.get_mut(key) else { return Ok(false) };
            track.status = Some(status);
            track.created_at = created.timestamp();
            track.closed_at = closed_at.map_or(0, |at| at.timestamp());
            track.line = line;
            let track = *track;
            let milestone = |index: usize| {
                let at = track.reached[index];
                if at == i64::MAX { String::new() } else { seconds_to_text(at.max(created.timestamp())) }
            };
            let gateway_at = milestone(1);
            let gateway_type = match (&gateway_at[..], track.gateway_type) {
                ("", _) | (_, None) => "",
                (_, Some(index)) => this.pipeline.gateway_types.get(usize::from(index)).map_or("", String::as_str),
            };
            let stage_key = stage.as_ref().filter(|s| s.outcome == status).map_or("", |s| s.stage.as_str());
            let expected = if status == StageOutcome::Open { close_date.map(|d| d.to_string()).unwrap_or_default() } else { String::new() };
            let product = products.get(&key).map_or("", String::as_str);
            this.out.write(
                "opportunities.csv",
                &[
                    &ext(&id), &account, &ext(&owner), product, &field(record, c[3]), &cents_text(amount), &timestamp(created), &expected,
                    &milestone(0), gateway_type, &gateway_at, &milestone(2), &closed_at.map(timestamp).unwrap_or_default(), status.key(), stage_key,
                    &if foreign { cents_text(original) } else { String::new() }, if foreign { &currency } else { "" },
                ],
                from,
                line,
            )?;
            match status {
                StageOutcome::Won => {
                    this.kpis.won += 1;
                    this.kpis.revenue_cents += amount;
                }
                StageOutcome::Lost => this.kpis.lost += 1,
                StageOutcome::Open => this.kpis.open += 1,
            }
            let last = closed_at.map_or(created.date_naive(), |at| at.date_naive());
            this.date_range = Some(match this.date_range {
                Some((first, latest)) => (first.min(created.date_naive()), latest.max(last)),
                None => (created.date_naive(), last),
            });
            Ok(true)
        })
    }

    /// Second pass over `OpportunityHistory.csv`: the stage changes (a row that only changed the
    /// amount or close date repeats its stage and is dropped), then, for a closed opportunity whose
    /// history does not end in its outcome, a change to it when it closed.
    fn stage_changes(&mut self) -> Result<()> {
        let columns = ["opportunity_id", "stage", "changed_at"];
        let path = self.path("OpportunityHistory")?;
        let mut problems = Vec::new();
        let mut read = 0;
        let mut converted = 0;
        self.out.declare("stage_changes.csv", &columns)?;
        if let Some(path) = path {
            let mut from = None;
            read = self.stream(&path, &mut problems, |this, csv, record, line| {
                let c = Columns::of(csv, &["OpportunityId", "StageName", "CreatedDate", "IsDeleted"]).0;
                let from = *from.get_or_insert_with(|| {
                    this.out.vendor_file(
                        &csv.name,
                        &csv.header,
                        &[("opportunity_id", "OpportunityId"), ("stage", "StageName"), ("changed_at", "CreatedDate")],
                    )
                });
                if parse_bool(&field(record, c[3])) == Some(true) {
                    this.skips.skip(&csv.name, "deleted");
                    return Ok(());
                }
                let Ok(Some(opportunity)) = sf_id(record, c[0]) else {
                    this.skips.skip(&csv.name, "no opportunity");
                    return Ok(());
                };
                let Some(track) = this.tracks.get(id_key(&opportunity)).copied().filter(|t| t.status.is_some()) else {
                    this.skips.skip(&csv.name, "its opportunity is not in the export");
                    return Ok(());
                };
                // Reported in the first pass.
                let Ok(at) = text::parse_datetime(&field(record, c[2])) else { return Ok(()) };
                let Some(stage) = this.resolver.get(&field(record, c[1])).cloned() else { return Ok(()) };
                let position = u8::try_from(stage.position).ok();
                if track.written_stage == position {
                    this.skips.skip(&csv.name, "the same stage as before (a change of amount or close date)");
                    return Ok(());
                }
                if let Some(t) = this.tracks.get_mut(id_key(&opportunity)) {
                    t.written_stage = position;
                }
                // A change logged before the opportunity's recorded creation (a back-dated
                // import into Salesforce) is placed at its creation.
                let at = at.timestamp().max(track.created_at);
                this.out.write(
                    "stage_changes.csv",
                    &[&ext(opportunity), &stage.stage, &seconds_to_text(at)],
                    from,
                    line,
                )?;
                converted += 1;
                Ok(())
            })?;
        }
        self.problems.extend(problems);
        // The closing change the history lacks, placed on the opportunity's line.
        let opportunity_file = self.out.vendor_file("Opportunity.csv", &[], &[]);
        let won = self.pipeline.stages.iter().find(|s| s.outcome == StageOutcome::Won).map(|s| s.key.clone());
        let lost = self.pipeline.stages.iter().find(|s| s.outcome == StageOutcome::Lost).map(|s| s.key.clone());
        let mut closing: Vec<(u64, u128, &str, i64)> = Vec::new();
        for (&key, track) in self.tracks.keys.iter().zip(&self.tracks.tracks) {
            let (Some(status), Some(last)) = (track.status, track.last_outcome) else { continue };
            if status == last || status == StageOutcome::Open {
                continue;
            }
            let stage = match status {
                StageOutcome::Won => won.as_deref(),
                _ => lost.as_deref(),
            };
            if let Some(stage) = stage {
                closing.push((track.line, key, stage, track.closed_at.max(track.last_at)));
            }
        }
        closing.sort_unstable_by_key(|c| c.0);
        for (line, key, stage, at) in closing {
            self.out.write(
                "stage_changes.csv",
                &[&ext(id_text(key)), stage, &seconds_to_text(at)],
                opportunity_file,
                line,
            )?;
        }
        if read > 0 {
            self.counted("OpportunityHistory.csv", read, converted);
        }
        Ok(())
    }

    fn tasks(&mut self) -> Result<()> {
        self.convert_object(&TASKS, |this, csv, record, line, c, from| {
            if parse_bool(&field(record, c[14])) == Some(false) {
                this.skips.skip(&csv.name, "open (not done yet)");
                return Ok(false);
            }
            let subject = field(record, c[9]).to_lowercase();
            let Some(kind) = task_type(
                &field(record, c[10]).to_lowercase(),
                &field(record, c[11]).to_lowercase(),
                &field(record, c[12]).to_lowercase(),
                &subject,
            ) else {
                this.skips.skip(&csv.name, "a to-do, not a call, e-mail or meeting");
                return Ok(false);
            };
            let outcome = task_outcome(&field(record, c[13]).to_lowercase(), &field(record, c[8]).to_lowercase());
            let occurred =
                [c[7], c[5], c[6]].into_iter().find(|column| !field(record, *column).is_empty()).unwrap_or(c[6]);
            this.activity(csv, record, line, from, [c[0], c[1], c[2], c[3], c[4], occurred], kind, outcome)
        })
    }

    fn events(&mut self) -> Result<()> {
        self.convert_object(&EVENTS, |this, csv, record, line, c, from| {
            let with_customer = !field(record, c[2]).is_empty() && field(record, c[2]).as_ref() != text::EMPTY_LOOKUP
                || !field(record, c[3]).is_empty() && field(record, c[3]).as_ref() != text::EMPTY_LOOKUP;
            let kind =
                event_type(&field(record, c[9]).to_lowercase(), &field(record, c[8]).to_lowercase(), with_customer);
            let occurred =
                [c[5], c[6], c[7]].into_iter().find(|column| !field(record, *column).is_empty()).unwrap_or(c[5]);
            this.activity(csv, record, line, from, [c[0], c[1], c[2], c[3], c[4], occurred], kind, "")
        })
    }

    /// One activity from a task or event; `c` = Id, OwnerId, WhatId, WhoId, AccountId, the time.
    #[allow(clippy::too_many_arguments)]
    fn activity(
        &mut self,
        csv: &VendorCsv,
        record: &csv::ByteRecord,
        line: u64,
        from: VendorFile,
        c: [Option<usize>; 6],
        kind: &str,
        outcome: &str,
    ) -> Result<bool> {
        let Some(id) = self.required_id(csv, record, line, c[0], "activity") else { return Ok(false) };
        let owner = record_id(&field(record, c[1]))
            .ok()
            .flatten()
            .filter(|o| self.known.users.contains(&id_key(o)))
            .map(str::to_string);
        let Some(owner) = owner else {
            self.skips.skip(&csv.name, "its owner is not an imported user");
            return Ok(false);
        };
        let Some(occurred) = self.datetime(csv, record, line, c[5]) else {
            if field(record, c[5]).is_empty() {
                self.problems.push(csv.problem(line, c[5], "is empty: an activity needs its date".to_string()));
            }
            return Ok(false);
        };
        // WhatId is an opportunity (006) or an account (001); WhoId a contact (003) or a lead.
        let what = record_id(&field(record, c[2])).ok().flatten().map(str::to_string);
        let who = record_id(&field(record, c[3])).ok().flatten().map(str::to_string);
        let opportunity = what.as_deref().filter(|w| text::key_prefix(w) == "006" && self.tracks.contains(id_key(w)));
        let account = record_id(&field(record, c[4]))
            .ok()
            .flatten()
            .map(str::to_string)
            .or_else(|| what.clone().filter(|w| text::key_prefix(w) == "001"));
        let account = account.filter(|a| self.known.accounts.contains(&id_key(a)));
        let contact =
            who.as_deref().filter(|w| text::key_prefix(w) == "003" && self.known.contacts.contains(&id_key(w)));
        self.out.write(
            "activities.csv",
            &[
                &ext(&id),
                &ext(&owner),
                kind,
                &timestamp(occurred),
                &account.map(|a| ext(&a)).unwrap_or_default(),
                &contact.map(ext).unwrap_or_default(),
                &opportunity.map(ext).unwrap_or_default(),
                outcome,
            ],
            from,
            line,
        )?;
        Ok(true)
    }
}

const ACTIVITY_COLUMNS: [&str; 8] =
    ["activity_id", "rep_id", "type", "occurred_at", "account_id", "contact_id", "opportunity_id", "outcome"];

/// How one CRM object's file becomes rows of one bundle file.
struct ObjectFile {
    object: &'static str,
    bundle: &'static str,
    /// The bundle columns written, in the order each row gives them.
    columns: &'static [&'static str],
    /// Bundle column ← the CRM field it is converted from, to place problems.
    sources: &'static [(&'static str, &'static str)],
    /// The CRM fields read, in the order the converter's column list indexes them.
    fields: &'static [&'static str],
}

/// `Account.csv` into `accounts.csv`.
const ACCOUNTS: ObjectFile = ObjectFile {
    object: "Account",
    bundle: "accounts.csv",
    columns: &["account_id", "name", "industry", "owner_id", "employees", "annual_revenue", "city", "country"],
    sources: &[
        ("account_id", "Id"),
        ("name", "Name"),
        ("industry", "Industry"),
        ("owner_id", "OwnerId"),
        ("employees", "NumberOfEmployees"),
        ("annual_revenue", "AnnualRevenue"),
        ("city", "BillingCity"),
        ("country", "BillingCountry"),
    ],
    fields: &[
        "Id",
        "Name",
        "Industry",
        "OwnerId",
        "NumberOfEmployees",
        "AnnualRevenue",
        "BillingCity",
        "BillingCountry",
        "IsDeleted",
        "CurrencyIsoCode",
        "CreatedDate",
    ],
};

/// `Contact.csv` into `contacts.csv`.
const CONTACTS: ObjectFile = ObjectFile {
    object: "Contact",
    bundle: "contacts.csv",
    columns: &[
        "contact_id",
        "account_id",
        "first_name",
        "last_name",
        "title",
        "buying_role",
        "email",
        "phone",
        "address",
    ],
    sources: &[
        ("contact_id", "Id"),
        ("account_id", "AccountId"),
        ("first_name", "FirstName"),
        ("last_name", "LastName"),
        ("title", "Title"),
        ("email", "Email"),
        ("phone", "Phone"),
    ],
    fields: &[
        "Id",
        "AccountId",
        "FirstName",
        "LastName",
        "Title",
        "Email",
        "Phone",
        "MailingStreet",
        "MailingCity",
        "MailingPostalCode",
        "MailingCountry",
        "IsDeleted",
    ],
};

/// `Lead.csv` into `leads.csv`.
const LEADS: ObjectFile = ObjectFile {
    object: "Lead",
    bundle: "leads.csv",
    columns: &[
        "lead_id",
        "created_at",
        "source",
        "owner_id",
        "company",
        "contact_name",
        "email",
        "status",
        "opportunity_id",
    ],
    sources: &[
        ("lead_id", "Id"),
        ("created_at", "CreatedDate"),
        ("owner_id", "OwnerId"),
        ("company", "Company"),
        ("email", "Email"),
        ("status", "Status"),
        ("opportunity_id", "ConvertedOpportunityId"),
    ],
    fields: &[
        "Id",
        "CreatedDate",
        "OwnerId",
        "CreatedById",
        "Company",
        "Name",
        "FirstName",
        "LastName",
        "Email",
        "Status",
        "IsConverted",
        "ConvertedOpportunityId",
        "IsDeleted",
    ],
};

/// `Opportunity.csv` into `opportunities.csv`.
const OPPORTUNITIES: ObjectFile = ObjectFile {
    object: "Opportunity",
    bundle: "opportunities.csv",
    columns: &[
        "opportunity_id",
        "account_id",
        "owner_id",
        "product_line_id",
        "name",
        "amount",
        "created_at",
        "expected_close_on",
        "first_appointment_at",
        "gateway_type",
        "gateway_at",
        "proposal_at",
        "closed_at",
        "status",
        "stage",
        "original_amount",
        "original_currency",
    ],
    sources: &[
        ("opportunity_id", "Id"),
        ("account_id", "AccountId"),
        ("owner_id", "OwnerId"),
        ("name", "Name"),
        ("amount", "Amount"),
        ("original_amount", "Amount"),
        ("created_at", "CreatedDate"),
        ("expected_close_on", "CloseDate"),
        ("closed_at", "CloseDate"),
        ("status", "IsWon"),
        ("stage", "StageName"),
    ],
    fields: &[
        "Id",
        "AccountId",
        "OwnerId",
        "Name",
        "Amount",
        "CreatedDate",
        "CloseDate",
        "StageName",
        "IsClosed",
        "IsWon",
        "CurrencyIsoCode",
        "IsDeleted",
    ],
};

/// A Task or Event file into `activities.csv`.
const fn activity_file(
    object: &'static str,
    sources: &'static [(&'static str, &'static str)],
    fields: &'static [&'static str],
) -> ObjectFile {
    ObjectFile { object, bundle: "activities.csv", columns: &ACTIVITY_COLUMNS, sources, fields }
}

/// Where each activity column comes from, `time` the field its time is read from.
const fn activity_sources(time: &'static str) -> [(&'static str, &'static str); 6] {
    [
        ("activity_id", "Id"),
        ("rep_id", "OwnerId"),
        ("occurred_at", time),
        ("account_id", "AccountId"),
        ("contact_id", "WhoId"),
        ("opportunity_id", "WhatId"),
    ]
}

/// `Task.csv` into `activities.csv`.
#[rustfmt::skip]
const TASKS: ObjectFile = activity_file("Task", &activity_sources("ActivityDate"), &[
    "Id", "OwnerId", "WhatId", "WhoId", "AccountId", "ActivityDate", "CreatedDate", "CompletedDateTime", "Status",
    "Subject", "TaskSubtype", "Type", "CallType", "CallDisposition", "IsClosed", "IsDeleted",
]);

/// `Event.csv` into `activities.csv`.
#[rustfmt::skip]
const EVENTS: ObjectFile = activity_file("Event", &activity_sources("StartDateTime"), &[
    "Id", "OwnerId", "WhatId", "WhoId", "AccountId",
    "StartDateTime", "ActivityDateTime", "ActivityDate", "Subject", "Type", "IsDeleted",
]);

/// The 15-character id of a key made by [`id_key`].
fn id_text(mut key: u128) -> String {
    let mut out = [b'0'; 15];
    for slot in out.iter_mut().rev() {
        let digit = (key % 62) as u8;
        key /= 62;
        *slot = match digit {
            0..=9 => b'0' + digit,
            10..=35 => b'A' + digit - 10,
            _ => b'a' + digit - 36,
        };
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A contact role of Salesforce's default picklist (or a translation) as a buying role.
fn buying_role(role: &str) -> Option<&'static str> {
    let role = role.to_lowercase();
    let found = [
        ("economic", "financial_authority"),
        ("financ", "financial_authority"),
        ("decision", "decision_maker"),
        ("executive", "decision_maker"),
        ("influenc", "influencer"),
        ("evaluator", "influencer"),
        ("technical", "influencer"),
        ("user", "user"),
        ("gatekeeper", "gatekeeper"),
        ("assistant", "gatekeeper"),
    ];
    found.iter().find(|(word, _)| role.contains(word)).map(|(_, key)| *key)
}

/// A lead status of the default picklist (or a like one) as a lead status.
fn lead_status(status: &str) -> &'static str {
    let status = status.to_lowercase();
    if status.contains("unqualif")
        || status.contains("disqualif")
        || status.contains("not converted")
        || status.contains("closed")
    {
        "disqualified"
    } else if status.contains("qualif") {
        "qualified"
    } else if status.contains("working") || status.contains("contacted") || status.contains("progress") {
        "working"
    } else if status.contains("convert") {
        "converted"
    } else {
        "new"
    }
}

/// A task's activity type: e-mails, calls (a call back when it answers an inbound call or says
/// so), meetings and demos; `None` for a plain to-do.
fn task_type(subtype: &str, kind: &str, call_type: &str, subject: &str) -> Option<&'static str> {
    let says = |words: &[&str]| words.iter().any(|w| subject.contains(w));
    if matches!(subtype, "email" | "listemail") || kind == "email" || says(&["email", "e-mail", "correo"]) {
        Some("email")
    } else if subtype == "call" || kind == "call" || says(&["call", "llamada", "anruf", "appel"]) {
        if call_type == "inbound" || says(&["call back", "callback", "call-back", "follow", "rückruf", "devolver"]) {
            Some("call_back")
        } else {
            Some("cold_call")
        }
    } else if says(&["demo"]) {
        Some("demo")
    } else if kind == "meeting" || says(&["meeting", "reunión", "reunion", "termin"]) {
        Some("meeting")
    } else {
        None
    }
}

/// A task's outcome from its call result, else its status.
fn task_outcome(disposition: &str, status: &str) -> &'static str {
    let says = |words: &[&str]| words.iter().any(|w| disposition.contains(w));
    if says(&["no answer", "voicemail", "voice mail", "busy", "left message", "no contest"]) {
        "no_answer"
    } else if says(&["appointment", "meeting set", "scheduled", "booked"]) {
        "appointment_set"
    } else if says(&["connected", "reached", "spoke", "talked"]) {
        "connected"
    } else if status.contains("defer") || status.contains("cancel") {
        "cancelled"
    } else if status.contains("complet") {
        "completed"
    } else {
        ""
    }
}

/// An event's activity type: demos and visits by their subject, else an appointment when it is
/// with a customer record, a meeting otherwise.
fn event_type(kind: &str, subject: &str, with_customer: bool) -> &'static str {
    let says = |words: &[&str]| words.iter().any(|w| subject.contains(w) || kind.contains(w));
    if says(&["demo"]) {
        "demo"
    } else if says(&["visit", "visita", "besuch"]) {
        "field_visit"
    } else if kind == "email" {
        "email"
    } else if with_customer {
        "appointment"
    } else {
        "meeting"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_number() {
        for id in ["0065g00000AbCdE", "005000000000000", "zzzzzzzzzzzzzzz"] {
            assert_eq!(id_text(id_key(id)), id);
        }
        assert_ne!(id_key("0065g00000AbCdE"), id_key("0065g00000ABCDE"));
    }

    #[test]
    fn reads_task_types_from_subtype_type_and_subject() {
        assert_eq!(task_type("email", "", "", "re: pricing"), Some("email"));
        assert_eq!(task_type("call", "", "outbound", "intro"), Some("cold_call"));
        assert_eq!(task_type("call", "", "inbound", "intro"), Some("call_back"));
        assert_eq!(task_type("task", "", "", "follow-up call"), Some("call_back"));
        assert_eq!(task_type("task", "meeting", "", "kick-off"), Some("meeting"));
        assert_eq!(task_type("task", "other", "", "send contract"), None);
    }
}
