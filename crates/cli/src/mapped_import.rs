//! `quotient import --map mapping.toml FILES…` (any CSV through a mapping) and
//! `quotient import --map-init FILES…` (a starting mapping guessed from the headers).

use crate::org;
use crate::progress::Reporter;
use anyhow::{Context, Result, bail};
use quotient_store::imports::{self, CrmImportError, mapping};
use std::path::{Path, PathBuf};
use std::time::Instant;

pub fn import(database_url: &str, org_slug: Option<&str>, mapping_file: &Path, files: &[PathBuf]) -> Result<()> {
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let org = org::resolve_or_create(&mut db, org_slug)?;
    let started = Instant::now();
    let result = mapping::convert(mapping_file, files)
        .and_then(|converted| imports::import_converted(&mut db, org.id, converted, &mut Reporter::new()));
    crate::crm_import::report(result, started, &org.slug, None)
}

/// Writes the guessed mapping to `out` (default: mapping.toml beside the first file); an
/// existing file is left alone.
pub fn init(files: Vec<PathBuf>, out: Option<&Path>) -> Result<()> {
    let out = out.map_or_else(
        || files.first().and_then(|f| f.parent()).unwrap_or(Path::new(".")).join("mapping.toml"),
        Path::to_path_buf,
    );
    if out.exists() {
        bail!("{} exists already: edit it, or remove it to guess again", out.display());
    }
    let text = match mapping::guess(&files) {
        Ok(text) => text,
        Err(CrmImportError::Invalid(problems)) => {
            eprint!("{problems}");
            bail!("{} problem(s) reading the files", problems.total())
        }
        Err(error) => return Err(error.into()),
    };
    std::fs::write(&out, &text).with_context(|| format!("writing {}", out.display()))?;
    print!("{text}");
    println!("\nwrote {}: check it, then import with `quotient import --map {} FILES…`", out.display(), out.display());
    Ok(())
}
