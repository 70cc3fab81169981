//! `quotient incentives` (check a year's plans file and replay it on the previous year; save it
//! with --apply) and `quotient statements` (a month's statements as a table, JSON or the payroll
//! CSV; approve or lock them), through the operations the pages and the API use.

use crate::org;
use crate::plan::refused;
use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use clap::{Args, ValueEnum};
use quotient_core::{Money, Period};
use quotient_store::ids::RepId;
use quotient_store::incentives::sheet::StatementSheet;
use quotient_store::ops::incentives::{self, PlansChecked, SavePlans, StatementRef, StatementsOf};
use quotient_store::ops::reports::{Named, SubjectRequest};
use std::io::Write;
use std::path::PathBuf;

#[derive(Args)]
pub struct IncentivesArgs {
    /// The fiscal year the file is for.
    #[arg(long)]
    year: i32,
    /// The plans file (JSON, see docs/INCENTIVES.md).
    #[arg(long)]
    file: PathBuf,
    /// Save the plans and contests, replacing the year's; without it nothing is saved.
    #[arg(long)]
    apply: bool,
}

/// The options of `quotient incentives` by the fields the operations name.
const PLAN_OPTIONS: &[(&str, &str)] = &[("file", "--file"), ("fiscal_year", "--year")];

pub fn plans(database_url: &str, org_slug: Option<&str>, args: &IncentivesArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let (org, scope) = org::operator(&mut db, org_slug)?;
    let command = SavePlans { fiscal_year: args.year, file: text };
    let what = format!("plans file {}", args.file.display());
    let checked = if args.apply {
        incentives::save_plans(&mut db, &scope, &command)
    } else {
        incentives::check_plans(&mut db, &scope, &command)
    }
    .map_err(|e| refused(&what, e, PLAN_OPTIONS))?;
    print_preview(&mut std::io::stdout().lock(), &checked)?;
    if args.apply {
        println!(
            "saved {} plan(s) and {} contest(s) for {} in organisation '{}'",
            checked.plans, checked.contests, checked.fiscal_year, org.slug
        );
    } else {
        println!("checked; nothing saved (add --apply to save)");
    }
    Ok(())
}

fn print_preview(out: &mut impl Write, checked: &PlansChecked) -> Result<()> {
    let preview = &checked.preview;
    writeln!(
        out,
        "{} plan(s), {} assignment(s), {} contest(s); what they would have paid in {}:",
        checked.plans, checked.assignments, checked.contests, preview.year
    )?;
    writeln!(out, "{:<12} {:<28} {:>14} {:>16}", "rep", "name", "paid", "revenue")?;
    for rep in &preview.reps {
        writeln!(
            out,
            "{:<12} {:<28} {:>14} {:>16}",
            rep.rep_external_id,
            rep.name,
            Money::from_cents(rep.earnings_cents).to_string(),
            Money::from_cents(rep.revenue_cents).to_string()
        )?;
    }
    writeln!(out, "\n{:<41} {:>14} {:>16} {:>10}", "team", "paid", "revenue", "cost")?;
    let label = |name: &str| if name.is_empty() { "(no manager)".to_string() } else { name.to_string() };
    let rows = preview.teams.iter().map(|t| (label(&t.name), t)).chain([("total".to_string(), &preview.total)]);
    for (name, team) in rows {
        let share = team.cost_share.as_deref().map_or_else(|| "–".to_string(), percent);
        writeln!(
            out,
            "{name:<41} {:>14} {:>16} {share:>10}",
            Money::from_cents(team.earnings_cents).to_string(),
            Money::from_cents(team.revenue_cents).to_string()
        )?;
    }
    Ok(())
}

/// A share of revenue (`"0.0689"`) as a percentage (`6.89%`), digit by digit: no float.
fn percent(share: &str) -> String {
    let (whole, fraction) = share.split_once('.').unwrap_or((share, ""));
    let digits = format!("{fraction:0<4}");
    let hundreds: i64 = whole.parse::<i64>().unwrap_or(0) * 100 + digits[..2].parse::<i64>().unwrap_or(0);
    format!("{hundreds}.{}%", &digits[2..4])
}

#[derive(Args)]
pub struct StatementsArgs {
    /// The month: 2027-03.
    #[arg(long)]
    period: String,
    /// One rep, by id.
    #[arg(long, conflicts_with = "team")]
    rep: Option<String>,
    /// A manager's whole team, by the manager's id.
    #[arg(long)]
    team: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Approve the statements (the month must have ended); they are then kept as computed.
    #[arg(long, conflicts_with = "lock")]
    approve: bool,
    /// Lock (pay) the approved statements: they never change again.
    #[arg(long)]
    lock: bool,
    /// Compute as of this day (default: today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    /// The payroll export: rep_id, name, period, payable.
    Csv,
}

const STATEMENT_OPTIONS: &[(&str, &str)] =
    &[("subject", "--rep or --team"), ("period", "--period"), ("rep_id", "--rep")];

pub fn statements(database_url: &str, org_slug: Option<&str>, args: &StatementsArgs) -> Result<()> {
    let period: Period = args.period.parse()?;
    let today = args.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let subject = match (&args.rep, &args.team) {
        (Some(rep), _) => SubjectRequest::Rep(Named::Key(rep.clone())),
        (_, Some(team)) => SubjectRequest::Team(Named::Key(team.clone())),
        _ => SubjectRequest::Organisation,
    };
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let (_, scope) = org::operator(&mut db, org_slug)?;
    let query = StatementsOf { period, subject, today };
    let mut sheets =
        incentives::statements(&mut db, &scope, &query).map_err(|e| refused("statements", e, STATEMENT_OPTIONS))?;
    if args.approve || args.lock {
        let mut changed = Vec::new();
        for sheet in &sheets {
            let statement = StatementRef { rep: RepId(sheet.rep_id), period, today };
            let result = if args.approve {
                incentives::approve_statement(&mut db, &scope, &statement)
            } else {
                incentives::lock_statement(&mut db, &scope, &statement)
            };
            let what = format!("statement of {} for {}", sheet.rep_external_id, sheet.period);
            changed.push(result.map_err(|e| refused(&what, e, STATEMENT_OPTIONS))?);
        }
        sheets = changed;
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &sheets)?;
            writeln!(out)?;
        }
        Format::Csv => write_payroll(&mut out, &sheets)?,
        Format::Table => write_table(&mut out, &sheets)?,
    }
    Ok(())
}

/// The payroll export, as the statements page downloads it.
fn write_payroll(out: &mut impl Write, sheets: &[StatementSheet]) -> Result<()> {
    out.write_all(quotient_store::ops::incentives_views::payroll_csv(sheets).as_bytes())?;
    Ok(())
}

fn write_table(out: &mut impl Write, sheets: &[StatementSheet]) -> Result<()> {
    writeln!(
        out,
        "{:<10} {:<24} {:<8} {:<12} {:>12} {:>12} {:>10} {:>10} {:>12}",
        "rep", "name", "period", "state", "components", "adjusted", "awards", "draw", "payable"
    )?;
    let money = |cents: i64| Money::from_cents(cents).to_string();
    for sheet in sheets {
        let components: i64 = sheet.components.iter().map(|c| c.due_cents).sum();
        let adjusted: i64 = sheet.adjustments.iter().map(|a| a.amount_cents).sum();
        let awards: i64 = sheet.awards.iter().map(|a| a.amount_cents).sum();
        let draw = sheet.draw.as_ref().map_or(0, |d| d.advanced_cents - d.recovered_cents);
        writeln!(
            out,
            "{:<10} {:<24} {:<8} {:<12} {:>12} {:>12} {:>10} {:>10} {:>12}",
            sheet.rep_external_id,
            sheet.name,
            sheet.period,
            sheet.state.key(),
            money(components),
            money(adjusted),
            money(awards),
            money(draw),
            money(sheet.payable_cents)
        )?;
    }
    Ok(())
}
