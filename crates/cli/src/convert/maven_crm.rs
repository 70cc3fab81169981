//! Maven Analytics' CRM Sales Opportunities into a bundle. The data set has no creation dates,
//! quotas, activities or stage history, so:
//! - an opportunity is created, and has its first appointment, on its `engage_date` (the first
//!   engagement); one never engaged (Prospecting) is dated at the export, 2017-12-31;
//! - won and lost deals close on `close_date` at midnight UTC; a lost deal's amount is its
//!   `close_value` (0), an open one's is its product's list price;
//! - products become product lines (`GTXPro` and `GTX Pro` are one), regional offices territories,
//!   managers and agents reps, keyed by a slug of their names;
//! - the stage is `prospect` (Prospecting), `first_appointment` (Engaging), `won` or `lost`.

use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The date an opportunity without any date is given: the last day of the export.
const EXPORT_DATE: &str = "2017-12-31";

type Record = HashMap<String, String>;

fn read(dir: &Path, file: &str) -> Result<Vec<Record>> {
    let path = dir.join(file);
    let mut reader = csv::Reader::from_path(&path).with_context(|| format!("reading {}", path.display()))?;
    let headers = reader.headers()?.clone();
    reader
        .records()
        .map(|record| {
            let record = record.with_context(|| format!("reading {}", path.display()))?;
            Ok(headers.iter().zip(record.iter()).map(|(h, v)| (h.to_string(), v.trim().to_string())).collect())
        })
        .collect()
}

fn field<'r>(record: &'r Record, name: &str) -> &'r str {
    record.get(name).map_or("", String::as_str)
}

/// `Dustin Brinkmann` → `dustin-brinkmann`.
fn slug(name: &str) -> String {
    let lower: String = name.to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
    lower.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

/// Product names differ in spacing between files (`GTXPro`, `GTX Pro`).
fn product_key(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase()
}

struct Writer {
    dir: std::path::PathBuf,
    counts: BTreeMap<&'static str, usize>,
}

impl Writer {
    fn file(&mut self, name: &'static str, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
        let path = self.dir.join(name);
        let mut out = csv::Writer::from_path(&path).with_context(|| format!("writing {}", path.display()))?;
        out.write_record(header)?;
        for row in rows {
            // Guarded as the export guards text (the data set's amounts are never negative), so
            // that a name starting like a formula reads back as written.
            out.write_record(row.iter().map(|cell| quotient_store::bundle::guard(cell).into_owned()))?;
        }
        out.flush()?;
        self.counts.insert(name, rows.len());
        Ok(())
    }
}

/// Converts the data set in `source` into a bundle in `out`; returns rows per file.
pub fn convert(source: &Path, out: &Path) -> Result<BTreeMap<&'static str, usize>> {
    let teams = read(source, "sales_teams.csv")?;
    let products = read(source, "products.csv")?;
    let accounts = read(source, "accounts.csv")?;
    let pipeline = read(source, "sales_pipeline.csv")?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut writer = Writer { dir: out.to_path_buf(), counts: BTreeMap::new() };

    let mut offices: Vec<String> = teams.iter().map(|t| field(t, "regional_office").to_string()).collect();
    offices.sort();
    offices.dedup();
    let territories: Vec<Vec<String>> =
        offices.iter().map(|o| vec![slug(o), o.clone(), o.clone(), String::new()]).collect();
    writer.file("territories.csv", &["territory_id", "name", "region", "parent_id"], &territories)?;

    let mut prices = HashMap::new();
    let lines: Vec<Vec<String>> = products
        .iter()
        .map(|p| {
            let name = field(p, "product");
            prices.insert(product_key(name), field(p, "sales_price").to_string());
            vec![product_key(name), name.to_string()]
        })
        .collect();
    writer.file("product_lines.csv", &["product_line_id", "name"], &lines)?;

    let email = |name: &str| format!("{}@maven.example", slug(name).replace('-', "."));
    let mut reps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for team in &teams {
        let (agent, manager, office) =
            (field(team, "sales_agent"), field(team, "manager"), field(team, "regional_office"));
        reps.entry(slug(manager)).or_insert_with(|| {
            vec![
                slug(manager),
                manager.to_string(),
                email(manager),
                String::new(),
                slug(office),
                "manager".into(),
                String::new(),
            ]
        });
        reps.insert(
            slug(agent),
            vec![
                slug(agent),
                agent.to_string(),
                email(agent),
                slug(manager),
                slug(office),
                "rep".into(),
                String::new(),
            ],
        );
    }
    let reps: Vec<Vec<String>> = reps.into_values().collect();
    writer.file("reps.csv", &["rep_id", "name", "email", "manager_id", "territory_id", "role", "hired_on"], &reps)?;

    let accounts: Vec<Vec<String>> = accounts
        .iter()
        .map(|a| {
            let name = field(a, "account");
            vec![
                slug(name),
                name.to_string(),
                field(a, "sector").to_string(),
                String::new(),
                String::new(),
                field(a, "employees").to_string(),
                field(a, "revenue").to_string(),
                String::new(),
                field(a, "office_location").to_string(),
            ]
        })
        .collect();
    writer.file(
        "accounts.csv",
        &[
            "account_id",
            "name",
            "industry",
            "territory_id",
            "owner_id",
            "employees",
            "annual_revenue",
            "city",
            "country",
        ],
        &accounts,
    )?;

    let at_midnight = |date: &str| format!("{date}T00:00:00Z");
    let mut opportunities = Vec::with_capacity(pipeline.len());
    for (index, deal) in pipeline.iter().enumerate() {
        let line = index + 2;
        let engaged = field(deal, "engage_date");
        let (status, stage) = match field(deal, "deal_stage") {
            "Won" => ("won", "won"),
            "Lost" => ("lost", "lost"),
            "Engaging" => ("open", "first_appointment"),
            "Prospecting" => ("open", "prospect"),
            other => bail!("sales_pipeline.csv:{line}: unknown deal_stage '{other}'"),
        };
        let product = product_key(field(deal, "product"));
        let amount = match (status, field(deal, "close_value")) {
            ("open", _) | (_, "") => prices.get(&product).cloned().unwrap_or_else(|| "0".into()),
            (_, value) => value.to_string(),
        };
        let closed = if status == "open" { String::new() } else { at_midnight(field(deal, "close_date")) };
        opportunities.push(vec![
            field(deal, "opportunity_id").to_string(),
            slug(field(deal, "account")),
            slug(field(deal, "sales_agent")),
            product,
            amount,
            at_midnight(if engaged.is_empty() { EXPORT_DATE } else { engaged }),
            if engaged.is_empty() { String::new() } else { at_midnight(engaged) },
            closed,
            status.to_string(),
            stage.to_string(),
        ]);
    }
    writer.file(
        "opportunities.csv",
        &[
            "opportunity_id",
            "account_id",
            "owner_id",
            "product_line_id",
            "amount",
            "created_at",
            "first_appointment_at",
            "closed_at",
            "status",
            "stage",
        ],
        &opportunities,
    )?;
    Ok(writer.counts)
}
