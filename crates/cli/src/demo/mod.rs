//! `quotient demo`: a realistic, deterministic demo organisation.

mod calendar;
mod forecast;
mod generate;
mod incentives;
mod names;
mod plans;
mod profile;

use crate::progress::Reporter;
use crate::transfer::print_summary;
use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate};
use quotient_core::model::UserRole;
use quotient_store::access::{self, NewUser};
use quotient_store::bundle::{self, ImportError};
use quotient_store::orgs;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct DemoArgs {
    /// The random seed: the same seed (and --as-of) gives the same organisation.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// How many reps (managers, territories and accounts scale with them).
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    reps: u32,
    /// Years of history.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=20))]
    years: u32,
    /// The last day of history, YYYY-MM-DD (default: today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Write the organisation as a CSV bundle into this folder instead of importing it.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Import and create the demo users, but do not start the web application.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    serve: crate::serve::ServeArgs,
}

/// The demo's password for every demo user.
const DEMO_PASSWORD: &str = "quotient-demo";

const DEMO_ORG: &str = "demo";

pub fn run(database_url: &str, org: Option<&str>, args: &DemoArgs) -> Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let params = generate::Params {
        seed: args.seed,
        reps: args.reps as usize,
        years: args.years,
        as_of: calendar::days_from_civil(i64::from(as_of.year()), as_of.month(), as_of.day()),
        // A bundle written out carries every quota; an imported demo gets its year's revenue and
        // deal quotas from its company plan.
        planned_year: args.out.is_none().then_some(i64::from(as_of.year())),
    };
    let started = Instant::now();
    if let Some(out) = &args.out {
        let counts = generate::generate(params, out)?;
        write_plans_file(out, as_of)?;
        let rows: u64 = counts.iter().map(|(_, n)| n).sum();
        for (file, n) in &counts {
            println!("{file:<20} {n:>10}");
        }
        println!(
            "wrote a demo bundle of {rows} rows ({} reps, {} years to {as_of}, seed {}) to {} in {:.1} s",
            args.reps,
            args.years,
            args.seed,
            out.display(),
            started.elapsed().as_secs_f64()
        );
        println!("import it with: quotient import {}", out.display());
        return Ok(());
    }

    let scratch = tempfile::Builder::new().prefix("quotient-demo-").tempdir().context("creating a scratch folder")?;
    eprintln!("generating {} reps × {} years of history to {as_of} (seed {}) …", args.reps, args.years, args.seed);
    generate::generate(params, scratch.path())?;
    let generated = started.elapsed().as_secs_f64();
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let slug = org.unwrap_or(DEMO_ORG);
    let organisation = orgs::find_or_create(&mut db, slug, "Northwind Systems (demo)")?;
    let imported = Instant::now();
    let summary = match bundle::import(&mut db, organisation.id, scratch.path(), &mut Reporter::new()) {
        Ok(summary) => summary,
        Err(ImportError::Invalid(problems)) => bail!("the generated demo bundle did not import:\n{problems}"),
        Err(ImportError::Store(error)) => return Err(error).context("importing the demo organisation"),
    };
    print_summary(&summary, imported.elapsed().as_secs_f64(), slug);
    let (_, operator) = crate::org::operator(&mut db, Some(slug))?;
    let directory = quotient_store::kpi::Directory::load(&mut db, organisation.id)?;
    if let Some(planned) = plans::plan_year(&mut db, &operator, &directory, as_of, args.seed)? {
        let [draft, returned, submitted, approved] = planned.territory_plans;
        println!(
            "planned {}: {} monthly quotas from the company plan; territory plans: {approved} approved, \
             {submitted} submitted, {returned} returned, {draft} drafts",
            as_of.year(),
            planned.quotas
        );
    }
    if let Some(paid) = incentives::pay_year(&mut db, &operator, scratch.path(), as_of)? {
        println!(
            "incentives {}: {} plan assignments, {} contests; statements: {} locked, {} approved",
            as_of.year(),
            paid.assignments,
            paid.contests,
            paid.locked,
            paid.approved
        );
    }
    let history = forecast::record(&mut db, &operator, &directory, as_of, args.seed)?;
    println!("forecast history: {} weekly snapshots, {} calls and adjustments", history.weeks, history.calls);
    println!();
    println!("The demo organisation '{slug}' is in {database_url} (generated in {generated:.1} s).");
    let quarter = format!("{}-Q{}", as_of.year(), as_of.month0() / 3 + 1);
    let db_flag =
        if database_url == "sqlite://quotient.db" { String::new() } else { format!("--database-url {database_url} ") };
    let logins = demo_users(&mut db, organisation.id)?;
    println!("Look at it:");
    println!("  quotient {db_flag}report --period {quarter} --team M1   # the scorecards of team M1");
    println!("  quotient {db_flag}report --period {quarter} --rep R1 --format json");
    println!("  quotient {db_flag}export demo-bundle          # the whole organisation as CSV files");
    drop(db);
    if args.no_serve {
        println!("  quotient {db_flag}serve                   # the web application");
        return Ok(());
    }
    crate::serve::serve(database_url, &args.serve, |addr| {
        println!();
        println!("Quotient is serving the demo at http://{addr}/ (Ctrl-C stops it). Sign in as:");
        for (role, email) in &logins {
            println!("  {:<10} {email:<34} password: {DEMO_PASSWORD}", role.key());
        }
    })
}

/// The year's incentive plans beside the bundle's files, as an export writes them.
fn write_plans_file(bundle: &std::path::Path, as_of: NaiveDate) -> Result<()> {
    let plans = incentives::plans_file(bundle, as_of)?;
    let file = bundle.join(quotient_store::incentives::plans::file_name(as_of.year()));
    let text = serde_json::to_string_pretty(&plans)?;
    std::fs::write(&file, text + "\n").with_context(|| format!("writing {}", file.display()))
}

/// One user per role (the executive, the first manager and one of their reps, an admin), created
/// once; returns (role, e-mail) for the banner.
fn demo_users(db: &mut quotient_store::Db, org: quotient_store::orgs::OrgId) -> Result<Vec<(UserRole, String)>> {
    let directory = quotient_store::kpi::Directory::load(db, org)?;
    let manager = directory.people.iter().find(|p| p.external_id == "M1");
    let rep = manager
        .and_then(|m| directory.people.iter().filter(|p| p.is_rep && p.manager_id == Some(m.id)).min_by_key(|p| p.id));
    let executive = directory.people.iter().find(|p| p.external_id == "E1");
    let mut wanted = vec![(UserRole::Admin, "admin@northwind.example".to_string(), "Demo Admin".to_string(), None)];
    for (role, person) in [(UserRole::Executive, executive), (UserRole::Manager, manager), (UserRole::Rep, rep)] {
        if let Some(person) = person {
            let email = format!("{}@northwind.example", role.key());
            wanted.push((role, email, person.name.clone(), Some(person.external_id.clone())));
        }
    }
    let existing: Vec<String> = access::list_users(db, org)?.into_iter().map(|u| u.email).collect();
    let hash = quotient_web::password::hash(DEMO_PASSWORD).map_err(anyhow::Error::msg)?;
    for (role, email, name, rep) in &wanted {
        if !existing.contains(email) {
            let new = NewUser { email, name, role: *role, rep: rep.as_deref(), password_hash: &hash };
            access::add_user(db, org, &new)?;
        }
    }
    Ok(wanted.into_iter().map(|(role, email, _, _)| (role, email)).collect())
}
