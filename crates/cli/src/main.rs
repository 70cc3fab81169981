//! `quotient`: the command line of Quotient — import, export, backup, demo data, reports, users, and the server.

mod backtest;
mod backup;
mod convert;
mod crm_import;
mod demo;
mod forecast;
mod goals;
mod incentives;
mod mapped_import;
mod org;
mod plan;
mod progress;
mod report;
mod serve;
mod transfer;
mod users;

use anyhow::Result;
use clap::{Parser, Subcommand};
use quotient_store::imports::Missing;
use std::path::PathBuf;

// A report's reads and cards allocate many small values on two threads at once; mimalloc serves
// them with less contention than the system allocator (docs/BENCHMARKS.md: the scorecards).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "quotient", version, about = "Sales performance management: CRM, quotas, KPIs and coaching")]
struct Cli {
    /// Where the data lives: sqlite://FILE (embedded, the default) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "QUOTIENT_DATABASE_URL", default_value = "sqlite://quotient.db")]
    database_url: String,

    /// The organisation to work on (its short name). Optional when the database holds only one.
    #[arg(long, global = true, env = "QUOTIENT_ORG")]
    org: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import a CSV bundle (a folder of CSV files, see data/BUNDLE.md), or with --from a CRM's
    /// export (docs/IMPORTS.md): all or nothing.
    Import {
        /// The bundle folder, or the CRM export's folder.
        dir: PathBuf,
        /// The CRM the export comes from.
        #[arg(long, value_enum)]
        from: Option<crm_import::Vendor>,
        /// The stage mapping (default: stages.toml in the export's folder, proposed when missing).
        #[arg(long, requires = "from")]
        stages: Option<PathBuf>,
        /// Conversion rates into the organisation's currency: columns IsoCode, ConversionRate and optionally StartDate.
        #[arg(long, requires = "from")]
        rates: Option<PathBuf>,
        /// Delete (restorably) this CRM's records that the export's complete files no longer
        /// have; without it they stay, as a filtered export lacks what it did not select.
        #[arg(long, requires = "from")]
        delete_missing: bool,
        /// More source files (or folders) for --map and --map-init.
        files: Vec<PathBuf>,
        /// Import any CSV files through this mapping onto the bundle's fields (docs/IMPORTS.md).
        #[arg(long, value_name = "MAPPING", conflicts_with = "from")]
        map: Option<PathBuf>,
        /// Write a starting mapping guessed from the files' headers, to --map's path or to
        /// mapping.toml beside the first file, instead of importing.
        #[arg(long, conflicts_with = "from")]
        map_init: bool,
    },
    /// Export the organisation as a CSV bundle.
    Export {
        /// The folder to write (created if missing; files in it are replaced).
        dir: PathBuf,
    },
    /// Copy the whole database into FILE while the server runs (SQLite: a consistent snapshot;
    /// PostgreSQL: runs pg_dump --format=custom). See docs/OPERATIONS.md.
    Backup {
        /// The backup to write; it must not exist yet.
        file: PathBuf,
    },
    /// Replace the SQLite database with a backup, after checking it; refused while the database is
    /// in use. PostgreSQL: says how to use pg_restore.
    Restore {
        /// The backup made by `quotient backup`.
        file: PathBuf,
    },
    /// Create a realistic demo organisation and import it (or write it as a bundle with --out).
    Demo(demo::DemoArgs),
    /// Scorecards of every rep of a subject for a period, with the subject's total: every KPI,
    /// attainment, standards and flags with their diagnoses.
    Report(report::ReportArgs),
    /// Allocate a yearly plan to the reps by what their history supports, phased by month with the
    /// seasonality; show the plan risk; write the monthly quotas as a bundle file (--out).
    Plan(plan::PlanArgs),
    /// Set reps' yearly quotas by hand: the months up to the current one keep theirs, the change
    /// lands on the months to come; lowering a quota needs --reason.
    PlanAdjust(plan::AdjustArgs),
    /// Set reps' activity goals (cold calls, call-backs, conversations, appointments set, field
    /// visits, first appointments, proposals) per week or month, or list them.
    Goals(goals::GoalsArgs),
    /// Check a year's commission plans file and show what it would have paid each rep over the
    /// previous year, and its cost as a share of revenue; save it (replacing the year's plans and
    /// contests) with --apply.
    Incentives(incentives::IncentivesArgs),
    /// A month's commission statements (per rep and component: credited, quota, attainment,
    /// earnings and deal lines; adjustments, awards, draw, payable) as a table, JSON or the payroll
    /// CSV; approve or lock them.
    Statements(incentives::StatementsArgs),
    /// The forecast of a month or quarter rolled up the hierarchy: deals by category, each call and
    /// adjustment, quota, plan, gap and coverage; or, with --changes, what changed since last week.
    Forecast(forecast::ForecastArgs),
    /// Take this week's snapshot of the open pipeline (once per ISO week; the first read of the
    /// forecast in a new week takes it too).
    Snapshot(forecast::SnapshotArgs),
    /// Convert a public sales data set into a bundle (see ../shared/data).
    #[command(subcommand)]
    Convert(convert::Source),
    /// Serve the web application and the JSON API.
    Serve(serve::ServeArgs),
    /// Manage the users who sign in.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Recompute the KPI rollups from the organisation's records.
    Rebuild,
    /// Back-test the data forecast: each past period forecast on its eve and weeks before its end
    /// from what was known then, against what it won, beside the naive forecasts.
    Backtest(backtest::BacktestArgs),
    /// Show the organisation's settings, or set one: threshold.KEY VALUE, standard.KEY.enabled
    /// true|false, standard.KEY.target VALUE, method.KEY WHOLE_NUMBER (a change of the lead
    /// follow-up window or the authority cut-off rebuilds the KPI rollups).
    Setting {
        /// The setting's key; omit to list them all.
        #[arg(default_value = "")]
        key: String,
        value: Option<String>,
    },
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("QUOTIENT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Err(error) = run(cli) {
        eprintln!("error: {}", describe(&error));
        std::process::exit(1);
    }
}

/// The error and its causes, as `{:#}` shows them, but a refusal in English words: each refused
/// field with why and what to do.
fn describe(error: &anyhow::Error) -> String {
    let mut parts = Vec::new();
    for cause in error.chain() {
        if let Some(quotient_store::StoreError::Refused(refusals)) = cause.downcast_ref() {
            parts.push(refusals.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
            break;
        }
        parts.push(cause.to_string());
    }
    parts.join(": ")
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Import { dir, files, map, map_init: true, .. } => {
            mapped_import::init([vec![dir], files].concat(), map.as_deref())
        }
        Command::Import { dir, files, map: Some(map), .. } => {
            mapped_import::import(&cli.database_url, cli.org.as_deref(), &map, &[vec![dir], files].concat())
        }
        Command::Import { dir, from: None, .. } => transfer::import(&cli.database_url, cli.org.as_deref(), &dir),
        Command::Import { dir, from: Some(vendor), stages, rates, delete_missing, .. } => crm_import::import(
            &cli.database_url,
            cli.org.as_deref(),
            &crm_import::CrmImport {
                vendor,
                path: &dir,
                stages,
                rates,
                missing: if delete_missing { Missing::Delete } else { Missing::Keep },
            },
        ),
        Command::Export { dir } => transfer::export(&cli.database_url, cli.org.as_deref(), &dir),
        Command::Backup { file } => backup::backup(&cli.database_url, &file),
        Command::Restore { file } => backup::restore(&cli.database_url, &file),
        Command::Demo(args) => demo::run(&cli.database_url, cli.org.as_deref(), &args),
        Command::Report(args) => report::report(&cli.database_url, cli.org.as_deref(), &args),
        Command::Plan(args) => plan::run(&cli.database_url, cli.org.as_deref(), &args),
        Command::PlanAdjust(args) => plan::adjust(&cli.database_url, cli.org.as_deref(), &args),
        Command::Goals(args) => goals::run(&cli.database_url, cli.org.as_deref(), &args),
        Command::Incentives(args) => incentives::plans(&cli.database_url, cli.org.as_deref(), &args),
        Command::Statements(args) => incentives::statements(&cli.database_url, cli.org.as_deref(), &args),
        Command::Forecast(args) => forecast::forecast(&cli.database_url, cli.org.as_deref(), &args),
        Command::Snapshot(args) => forecast::snapshot(&cli.database_url, cli.org.as_deref(), &args),
        Command::Convert(source) => convert::run(&source),
        Command::Serve(args) => serve::run(&cli.database_url, &args),
        Command::User(command) => users::run(&cli.database_url, cli.org.as_deref(), &command),
        Command::Rebuild => report::rebuild(&cli.database_url, cli.org.as_deref()),
        Command::Backtest(args) => backtest::run(&cli.database_url, cli.org.as_deref(), &args),
        Command::Setting { key, value } => {
            report::setting(&cli.database_url, cli.org.as_deref(), &key, value.as_deref())
        }
    }
}
