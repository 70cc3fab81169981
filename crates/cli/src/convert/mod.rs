//! `quotient convert`: public sales data sets mapped into the bundle format (`data/BUNDLE.md`).

mod maven_crm;

use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum Source {
    /// Maven Analytics' "CRM Sales Opportunities" (sales_pipeline, accounts, products, sales_teams).
    MavenCrm {
        /// The folder with the data set's CSV files.
        source: PathBuf,
        /// The bundle folder to write.
        out: PathBuf,
    },
}

pub fn run(source: &Source) -> Result<()> {
    match source {
        Source::MavenCrm { source, out } => {
            let counts = maven_crm::convert(source, out)?;
            for (file, rows) in counts {
                println!("{file:<20} {rows:>8} rows");
            }
            println!("wrote the bundle to {}; import it with `quotient import {}`", out.display(), out.display());
            Ok(())
        }
    }
}
