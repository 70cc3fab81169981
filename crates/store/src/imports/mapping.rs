//! Any CSV through a mapping file (`quotient import --map mapping.toml FILES…`): for each bundle
//! file, the source file it comes from, which source column feeds which bundle column, value
//! translations (`"Gagné" = "won"`), date formats (chrono format strings), decimal commas;
//! currency symbols and thousands separators are dropped from amounts. A mistake in the mapping is
//! reported at its line in the mapping file; a bad value at its file, line and column in the
//! source. `--map-init` ([`guess`]) writes a starting mapping from a file's headers.
//!
//! ```toml
//! source = "zoho"                      # before every id: zoho:1234
//! date_formats = ["%d/%m/%Y"]
//! decimal_comma = true
//!
//! [opportunities]
//! file = "Potentials.csv"
//! columns = { opportunity_id = "Potential Id", amount = "Montant", status = "Statut" }
//! values.status = { "Gagné" = "won", "Perdu" = "lost", "En cours" = "open" }
//! fixed = { created_at = "2024-01-01" }  # a value for every row
//! ```

use super::bundle_out::NewRow;
use super::cells::{self, NumberStyle};
use super::conversion::{invalid, read_sheets};
use super::sheet::Sheet;
use super::{Converted, CrmImportError, FirstKpis, ObjectCount, Skips};
use crate::bundle::Problem;
use crate::bundle::spec::{FILES, FileSpec, Kind};
use crate::error::StoreError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub use super::mapping_guess::guess;

/// The name a mapped import goes by in summaries (its ids carry the mapping's `source`).
pub const SOURCE: &str = "mapped CSV";

/// The mapping file: its settings, and a table per bundle file mapped.
struct MappingFile {
    source: Option<Spanned<String>>,
    date_formats: Vec<String>,
    decimal_comma: bool,
    /// The bundle files mapped, in the bundle's order (references resolve to rows before them).
    tables: Vec<(&'static FileSpec, Spanned<FileMapping>)>,
}

/// A key of the mapping file; another is refused at its line.
enum Key {
    Source,
    DateFormats,
    DecimalComma,
    Table(&'static FileSpec),
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a setting or a bundle file's name")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Key, E> {
                Ok(match name {
                    "source" => Key::Source,
                    "date_formats" => Key::DateFormats,
                    "decimal_comma" => Key::DecimalComma,
                    _ => match FILES.iter().find(|spec| spec.file.strip_suffix(".csv") == Some(name)) {
                        Some(spec) => Key::Table(spec),
                        None => {
                            let tables: Vec<&str> = FILES.iter().filter_map(|f| f.file.strip_suffix(".csv")).collect();
                            return Err(E::custom(format!(
                                "unknown key `{name}`: the keys are source, date_formats, decimal_comma and the bundle's files: {}",
                                tables.join(", ")
                            )));
                        }
                    },
                })
            }
        }
        deserializer.deserialize_str(Name)
    }
}

impl<'de> serde::Deserialize<'de> for MappingFile {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<MappingFile, D::Error> {
        struct File;
        impl<'de> serde::de::Visitor<'de> for File {
            type Value = MappingFile;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a mapping: settings and a table per bundle file")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<MappingFile, A::Error> {
                let mut file =
                    MappingFile { source: None, date_formats: Vec::new(), decimal_comma: false, tables: Vec::new() };
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Source => file.source = Some(map.next_value()?),
                        Key::DateFormats => file.date_formats = map.next_value()?,
                        Key::DecimalComma => file.decimal_comma = map.next_value()?,
                        Key::Table(spec) => file.tables.push((spec, map.next_value()?)),
                    }
                }
                file.tables.sort_by_key(|(spec, _)| FILES.iter().position(|s| s.file == spec.file));
                Ok(file)
            }
        }
        deserializer.deserialize_map(File)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMapping {
    file: Spanned<String>,
    #[serde(default)]
    columns: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, Spanned<String>>>,
    #[serde(default)]
    fixed: BTreeMap<Spanned<String>, Spanned<String>>,
    date_formats: Option<Vec<String>>,
    decimal_comma: Option<bool>,
}

/// What feeds one bundle column.
enum Feed {
    Column(usize),
    Fixed(String),
}

/// One bundle file's mapping, checked against the source file's header.
struct Plan<'s> {
    spec: &'static FileSpec,
    sheet: &'s Sheet,
    feeds: Vec<(usize, Feed)>,
    values: BTreeMap<usize, BTreeMap<String, String>>,
    formats: Vec<String>,
    style: NumberStyle,
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// Converts the source files in `paths` (files or folders) through the mapping at `mapping_path`.
pub fn convert(mapping_path: &Path, paths: &[PathBuf]) -> Result<Converted, CrmImportError> {
    let mapping_file = mapping_path
        .file_name()
        .map_or_else(|| mapping_path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let problem =
        |line: u64, message: String| Problem { file: mapping_file.clone(), line, column: None, field: None, message };
    let text = std::fs::read_to_string(mapping_path).map_err(|e| StoreError::io(mapping_path, e))?;
    let mapping: MappingFile = toml::from_str(&text).map_err(|e| {
        let line = e.span().map_or(0, |span| line_of(&text, span.start));
        CrmImportError::problem(problem(
            line,
            format!("{}; see docs/IMPORTS.md for the mapping's keys", e.message().trim_end()),
        ))
    })?;
    let source = match mapping.source.as_ref().map(|s| s.get_ref().trim().to_string()) {
        None => "csv".to_string(),
        Some(name) if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') => {
            name
        }
        Some(name) => {
            let line = mapping.source.as_ref().map_or(0, |s| line_of(&text, s.span().start));
            return Err(CrmImportError::problem(problem(
                line,
                format!("source = '{name}': write a short name of letters, digits, - or _"),
            )));
        }
    };
    let (sheets, mut problems) = read_sheets(paths)?;
    let mut plans = Vec::new();
    for (spec, file_mapping) in &mapping.tables {
        let file_mapping = file_mapping.get_ref();
        let wanted = file_mapping.file.get_ref();
        let Some(sheet) = sheets.iter().find(|s| s.file.eq_ignore_ascii_case(wanted)) else {
            let given: Vec<&str> = sheets.iter().map(|s| s.file.as_str()).collect();
            let at = line_of(&text, file_mapping.file.span().start);
            problems.push(problem(
                at,
                format!(
                    "file = '{wanted}' is not among the files given ({}): give it, or correct the name",
                    given.join(", ")
                ),
            ));
            continue;
        };
        match plan(spec, sheet, file_mapping, &mapping, &text, &problem) {
            Ok(plan) => plans.push(plan),
            Err(mut found) => problems.append(&mut found),
        }
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    run(&source, &plans)
}

/// Checks one bundle file's mapping against its source's header.
fn plan<'s>(
    spec: &'static FileSpec,
    sheet: &'s Sheet,
    mapping: &FileMapping,
    defaults: &MappingFile,
    text: &str,
    problem: &dyn Fn(u64, String) -> Problem,
) -> Result<Plan<'s>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut feeds = Vec::new();
    let column_of = |name: &Spanned<String>, problems: &mut Vec<Problem>| {
        let index = spec.column(name.get_ref().trim());
        if index.is_none() {
            let names: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
            problems.push(problem(
                line_of(text, name.span().start),
                format!("'{}' is not a column of {}: use one of {}", name.get_ref(), spec.file, names.join(", ")),
            ));
        }
        index
    };
    let mut named = Vec::new();
    for (bundle, source) in &mapping.columns {
        let Some(index) = column_of(bundle, &mut problems) else { continue };
        named.push(index);
        match sheet.column(&[source.get_ref().trim()]) {
            Some(position) => feeds.push((index, Feed::Column(position))),
            None => problems.push(problem(
                line_of(text, source.span().start),
                format!(
                    "{} has no column '{}': its columns are {}",
                    sheet.file,
                    source.get_ref(),
                    sheet.headers().join(", ")
                ),
            )),
        }
    }
    for (bundle, value) in &mapping.fixed {
        if let Some(index) = column_of(bundle, &mut problems) {
            named.push(index);
            feeds.push((index, Feed::Fixed(value.get_ref().clone())));
        }
    }
    for (index, column) in spec.columns.iter().enumerate() {
        if column.required && !named.contains(&index) {
            problems.push(problem(
                line_of(text, mapping.file.span().start),
                format!(
                    "{} needs its column '{}': map a source column to it, or give it under fixed",
                    spec.file, column.name
                ),
            ));
        }
    }
    let mut values = BTreeMap::new();
    for (bundle, table) in &mapping.values {
        let Some(index) = spec.column(bundle) else {
            let at = table.values().next().map_or(0, |v| line_of(text, v.span().start));
            problems.push(problem(at, format!("values.{bundle}: '{bundle}' is not a column of {}", spec.file)));
            continue;
        };
        if let Kind::Enum(keys) = spec.columns[index].kind {
            for to in table.values().filter(|to| !to.get_ref().is_empty() && !keys.contains(&to.get_ref().as_str())) {
                problems.push(problem(
                    line_of(text, to.span().start),
                    format!("'{}' is not a value of {}: write one of {}", to.get_ref(), bundle, keys.join(", ")),
                ));
            }
        }
        let table = table.iter().map(|(from, to)| (from.trim().to_lowercase(), to.get_ref().clone())).collect();
        values.insert(index, table);
    }
    let formats = mapping.date_formats.clone().unwrap_or_else(|| defaults.date_formats.clone());
    let formats = if formats.is_empty() { cells::export_time_formats() } else { formats };
    let style = NumberStyle { decimal_comma: mapping.decimal_comma.unwrap_or(defaults.decimal_comma) };
    if problems.is_empty() { Ok(Plan { spec, sheet, feeds, values, formats, style }) } else { Err(problems) }
}

/// Converts every row of every planned file.
fn run(source: &str, plans: &[Plan<'_>]) -> Result<Converted, CrmImportError> {
    let mut writer = super::BundleWriter::create()?;
    let mut problems = Vec::new();
    let mut objects = Vec::new();
    let mut kpis = FirstKpis::default();
    let mut date_range: Option<(chrono::NaiveDate, chrono::NaiveDate)> = None;
    for plan in plans {
        let named: Vec<(&'static str, &str)> = plan
            .feeds
            .iter()
            .filter_map(|(index, feed)| match feed {
                Feed::Column(position) => {
                    Some((plan.spec.columns[*index].name, plan.sheet.headers()[*position].as_str()))
                }
                Feed::Fixed(_) => None,
            })
            .collect();
        let from = writer.vendor_file(&plan.sheet.file, plan.sheet.headers(), &named);
        let mut converted = 0;
        for row in plan.sheet.rows() {
            let mut out = NewRow::of(plan.spec.file);
            let mut good = true;
            for (index, feed) in &plan.feeds {
                let column = &plan.spec.columns[*index];
                let (raw, position) = match feed {
                    Feed::Column(position) => (row.get(Some(*position)), Some(*position)),
                    Feed::Fixed(value) => (value.as_str(), None),
                };
                let translated = plan.values.get(index).and_then(|table| table.get(&raw.trim().to_lowercase()));
                let raw = translated.map_or(raw, String::as_str);
                match value(column.kind, raw, source, &plan.formats, plan.style) {
                    Ok(text) => {
                        out.set(column.name, text);
                    }
                    Err(message) => {
                        let message = match (column.kind, plan.values.contains_key(index)) {
                            (Kind::Enum(_), true) => {
                                format!("{message}: add it to values.{} in the mapping", column.name)
                            }
                            _ => message,
                        };
                        problems.push(row.problem(position, message));
                        good = false;
                    }
                }
            }
            if !good {
                continue;
            }
            if plan.spec.file == "opportunities.csv" {
                tally(&out, &mut kpis, &mut date_range);
            }
            out.write(&mut writer, from, row.line)?;
            converted += 1;
        }
        objects.push(ObjectCount { file: plan.sheet.file.clone(), read: plan.sheet.len() as u64, converted });
    }
    Converted {
        source: SOURCE,
        bundle: writer,
        objects,
        skips: Skips::default(),
        stages: Vec::new(),
        currency: None,
        date_range,
        kpis,
        // Sheets mapped by hand: no file is known to hold every row of its kind.
        complete: Vec::new(),
    }
    .unless(problems)
}

/// A source value as the bundle writes it, or why it cannot be.
fn value(kind: Kind, raw: &str, source: &str, formats: &[String], style: NumberStyle) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(String::new());
    }
    match kind {
        Kind::Id | Kind::Ref(_) => Ok(super::external_id(source, raw)),
        Kind::Date => cells::parse_time(raw, formats).map(|at| at.format("%Y-%m-%d").to_string()),
        Kind::Timestamp => cells::parse_time(raw, formats).map(cells::timestamp),
        Kind::Money => cells::parse_amount(raw, style),
        Kind::Int { .. } => cells::parse_count(raw),
        Kind::Enum(keys) if !keys.contains(&raw) => Err(format!("'{raw}' is not one of {}", keys.join(", "))),
        _ => Ok(raw.to_string()),
    }
}

/// Counts an opportunity in the first KPIs and the date range.
fn tally(row: &NewRow, kpis: &mut FirstKpis, range: &mut Option<(chrono::NaiveDate, chrono::NaiveDate)>) {
    match row.get("status") {
        "won" => {
            kpis.won += 1;
            kpis.revenue_cents += super::deals::cents_of(row.get("amount"));
        }
        "lost" => kpis.lost += 1,
        _ => kpis.open += 1,
    }
    if let Some(day) =
        row.get("created_at").get(..10).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        *range = Some(range.map_or((day, day), |(first, last)| (first.min(day), last.max(day))));
    }
}
