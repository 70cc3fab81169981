//! `quotient import --from salesforce PATH`: a CRM's export, converted and imported all or nothing,
//! with the stage mapping proposed, printed and written beside the export on the first run.

use crate::org;
use crate::progress::Reporter;
use crate::transfer::print_summary;
use anyhow::{Context, Result, bail};
use quotient_store::imports::conversion::{self, VendorExport, default_stages_file};
use quotient_store::imports::stages::PreparedStages;
use quotient_store::imports::{CrmImportError, CrmImportSummary, Missing, hubspot, pipedrive, salesforce};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The CRMs whose exports `quotient import --from` reads.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Vendor {
    /// The Data Export service's CSV files (User.csv, Opportunity.csv, …).
    Salesforce,
    /// The CSV or XLSX exports of deals, companies, contacts, calls, meetings, emails, tasks and users.
    Hubspot,
    /// The CSV or XLSX exports of deals, organizations, people, activities and users ("Deal - Title", …).
    Pipedrive,
}

/// What `quotient import --from VENDOR` is given.
pub struct CrmImport<'a> {
    pub vendor: Vendor,
    pub path: &'a Path,
    pub stages: Option<PathBuf>,
    pub rates: Option<PathBuf>,
    pub missing: Missing,
}

pub fn import(database_url: &str, org_slug: Option<&str>, request: &CrmImport) -> Result<()> {
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let org = org::resolve_or_create(&mut db, org_slug)?;
    let started = Instant::now();
    let mut show_stages = |prepared: &PreparedStages| {
        if let Some(text) = &prepared.written {
            println!(
                "proposed stage mapping, written to {} (edit it and run again to change it):",
                prepared.path.display()
            );
            print!("{text}");
        } else {
            println!("stage mapping: {}", prepared.path.display());
        }
    };
    let paths = [request.path.to_path_buf()];
    let stages = request.stages.clone().unwrap_or_else(|| default_stages_file(&paths));
    let rates = request.rates.as_deref();
    let export: Result<Box<dyn VendorExport>, CrmImportError> = match request.vendor {
        Vendor::Salesforce => salesforce::read(request.path, rates).map(|e| Box::new(e) as _),
        Vendor::Hubspot => hubspot::read(&paths, rates).map(|e| Box::new(e) as _),
        Vendor::Pipedrive => pipedrive::read(&paths, rates).map(|e| Box::new(e) as _),
    };
    let result = export.and_then(|export| {
        let missing = request.missing;
        conversion::import(&mut db, org.id, export.as_ref(), &stages, missing, &mut show_stages, &mut Reporter::new())
    });
    report(result, started, &org.slug, Some(request.path))
}

/// Prints what an import of converted CRM rows did, or says why nothing was imported: the
/// problems found in `source` (when the import read one), the stages left unplaced, or the failure.
pub(crate) fn report(
    result: Result<CrmImportSummary, CrmImportError>,
    started: Instant,
    org_slug: &str,
    source: Option<&Path>,
) -> Result<()> {
    match result {
        Ok(summary) => {
            print_crm_summary(&summary);
            print_summary(&summary.bundle, started.elapsed().as_secs_f64(), org_slug);
            Ok(())
        }
        Err(CrmImportError::Invalid(problems)) => {
            eprint!("{problems}");
            let place = source.map(|path| format!(" in {}", path.display())).unwrap_or_default();
            bail!("{} problem(s){place}; nothing was imported. Fix them and run the import again.", problems.total())
        }
        Err(CrmImportError::UnplacedStages { file, unplaced }) => {
            bail!(
                "these stages are not placed: {}; nothing was imported. Give each a Quotient stage in {} and run the import again.",
                unplaced.join(", "),
                file.display()
            )
        }
        Err(CrmImportError::Store(error)) => Err(error).context("the import failed; nothing was imported"),
    }
}

pub(crate) fn print_crm_summary(summary: &CrmImportSummary) {
    println!("{:<28} {:>10} {:>10}", "object", "read", "converted");
    for object in &summary.objects {
        println!("{:<28} {:>10} {:>10}", object.file, object.read, object.converted);
    }
    if !summary.skips.counts.is_empty() {
        println!("left out:");
        for ((file, reason), rows) in &summary.skips.counts {
            println!("  {file}: {rows} × {reason}");
        }
    }
    println!("stages mapped:");
    for (vendor, quotient) in &summary.stages {
        println!("  {vendor} → {quotient}");
    }
    let removed: Vec<_> = summary.bundle.files.iter().filter(|f| f.removed > 0).collect();
    if !removed.is_empty() {
        println!("deleted in Quotient (no longer in the export; restorable):");
        for file in removed {
            println!("  {}: {}", file.file, file.removed);
        }
    }
    println!("reps found: {}", summary.reps);
    if let Some((first, last)) = summary.date_range {
        println!("opportunities from {first} to {last}");
    }
    let currency = summary.currency.as_deref().unwrap_or("the organisation's currency");
    let kpis = &summary.kpis;
    let win_rate = kpis.win_rate_permille().map_or_else(|| "–".to_string(), |p| format!("{}.{}%", p / 10, p % 10));
    println!(
        "won {}, lost {}, open {}; win rate {win_rate}; won revenue {}.{:02} {currency}",
        kpis.won,
        kpis.lost,
        kpis.open,
        kpis.revenue_cents / 100,
        kpis.revenue_cents.rem_euclid(100)
    );
}
