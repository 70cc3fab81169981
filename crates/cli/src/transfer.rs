//! `quotient import` and `quotient export`.

use crate::org;
use crate::progress::Reporter;
use anyhow::{Context, Result, bail};
use quotient_store::bundle::{self, ImportError, ImportSummary};
use std::path::Path;
use std::time::Instant;

pub fn import(database_url: &str, org_slug: Option<&str>, dir: &Path) -> Result<()> {
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let org = org::resolve_or_create(&mut db, org_slug)?;
    let started = Instant::now();
    match bundle::import(&mut db, org.id, dir, &mut Reporter::new()) {
        Ok(summary) => {
            print_summary(&summary, started.elapsed().as_secs_f64(), &org.slug);
            Ok(())
        }
        Err(ImportError::Invalid(problems)) => {
            eprint!("{problems}");
            bail!(
                "{} problem(s) in {}; nothing was imported. Fix them and run the import again.",
                problems.total(),
                dir.display()
            )
        }
        Err(ImportError::Store(error)) => Err(error).context("the import failed; nothing was imported"),
    }
}

pub fn print_summary(summary: &ImportSummary, seconds: f64, org: &str) {
    println!("{:<20} {:>10} {:>10} {:>10} {:>10}", "file", "rows", "inserted", "updated", "unchanged");
    for file in &summary.files {
        println!(
            "{:<20} {:>10} {:>10} {:>10} {:>10}",
            file.file, file.rows, file.inserted, file.updated, file.unchanged
        );
    }
    println!(
        "imported {} rows into organisation '{org}' in {seconds:.1} s ({:.0} rows/s): {} inserted, {} updated",
        summary.rows(),
        summary.rows() as f64 / seconds.max(1e-3),
        summary.inserted(),
        summary.updated()
    );
}

pub fn export(database_url: &str, org_slug: Option<&str>, dir: &Path) -> Result<()> {
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let org = org::resolve(&mut db, org_slug)?;
    let started = Instant::now();
    let summary = bundle::export(&mut db, org.id, dir, &mut Reporter::new())
        .with_context(|| format!("exporting to {}", dir.display()))?;
    println!(
        "exported {} rows of organisation '{}' to {} in {:.1} s",
        summary.rows(),
        org.slug,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
