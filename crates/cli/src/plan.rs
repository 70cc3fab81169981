//! `quotient plan`: a company plan (from the options or a JSON plan file) allocated to the reps in
//! proportion to what their history supports (or by territory weights), phased by month with the
//! organisation's seasonality; the plan risk per team and overall; the monthly quotas written as a
//! bundle's `quotas.csv`, or saved with the plan and made the reps' quotas (`--apply`).

use crate::org;
use anyhow::{Context, Result};
use clap::Args;
use quotient_core::planning::{Allocation, MonthlyIndex};
use quotient_core::{Lang, Money};
use quotient_store::StoreError;
use quotient_store::kpi::Directory;
use quotient_store::ops::plans::{self, AdjustQuotas, AllocatePlan, BeyondHistory};
use quotient_store::planning::PlanMetric;
use quotient_store::planning::company_plan::CompanyPlan;
use quotient_store::planning::quotas::Allocated;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct PlanArgs {
    /// The plan's fiscal year (January to December).
    #[arg(long)]
    year: i32,
    /// The year's revenue objective, e.g. 12000000 or 12000000.50.
    #[arg(long, required_unless_present = "file")]
    revenue: Option<Money>,
    /// The year's margin objective.
    #[arg(long)]
    margin: Option<Money>,
    /// The year's objective of deals won.
    #[arg(long)]
    deals: Option<i64>,
    /// Growth over each rep's own trailing median, in percent (5 = 5%).
    #[arg(long, default_value_t = 0.0)]
    growth: f64,
    /// A plan as JSON, in the shape of the API's `PUT /api/v1/plans/{year}` (amounts in cents),
    /// e.g. with product lines, territory weights or a hand-set seasonality. Replaces the options.
    #[arg(long, conflicts_with_all = ["revenue", "margin", "deals"])]
    file: Option<PathBuf>,
    /// Write the monthly quotas as FOLDER/quotas.csv (the bundle format) to import.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Save the plan and make the allocated monthly quotas the reps' quotas for the year.
    #[arg(long)]
    apply: bool,
    /// A plan beyond what history supports: spread it anyway (`allocate`) or keep the quotas at the
    /// realistic goals and leave the rest unallocated (`keep`). Required to apply such a plan.
    #[arg(long, value_parser = ["allocate", "keep"])]
    beyond_history: Option<String>,
    /// Today, as far as the plan is concerned: the quotas of its month and before stay as they
    /// are (default: today).
    #[arg(long)]
    as_of: Option<chrono::NaiveDate>,
}

/// `quotient plan-adjust`: reps' yearly quotas set by hand, without rewriting history.
#[derive(Args)]
pub struct AdjustArgs {
    /// The plan's fiscal year.
    #[arg(long)]
    year: i32,
    /// The metric: revenue, margin or deals.
    #[arg(long, default_value = "revenue")]
    metric: String,
    /// A rep's new yearly quota, as REP_ID=AMOUNT (an amount for money, a count otherwise); repeat
    /// for several reps: all change or none.
    #[arg(long = "quota", required = true)]
    quotas: Vec<String>,
    /// Why quotas are lowered (required when any is; kept in the audit log).
    #[arg(long)]
    reason: Option<String>,
    /// Today, as far as the change is concerned: its month and those before keep their quotas.
    #[arg(long)]
    as_of: Option<chrono::NaiveDate>,
}

/// Sets reps' yearly quotas by hand through the one operation the page and the API use.
pub fn adjust(database_url: &str, org_slug: Option<&str>, args: &AdjustArgs) -> Result<()> {
    let metric = PlanMetric::from_key(&args.metric)
        .filter(|m| m.quota_metric().is_some())
        .ok_or_else(|| anyhow::anyhow!("--metric {}: use revenue, margin or deals", args.metric))?;
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let (org, scope) = org::operator(&mut db, org_slug)?;
    let directory = Directory::load(&mut db, org.id)?;
    let mut quotas = vec![];
    for text in &args.quotas {
        let (rep, value) =
            text.split_once('=').ok_or_else(|| anyhow::anyhow!("--quota {text}: write REP_ID=AMOUNT"))?;
        let person = directory
            .people
            .iter()
            .find(|p| p.external_id == rep)
            .ok_or_else(|| anyhow::anyhow!("--quota {text}: no rep {rep}"))?;
        let yearly = match metric.is_money() {
            true => value.parse::<Money>().map_err(|e| anyhow::anyhow!("--quota {text}: {e}"))?.cents(),
            false => value.parse::<i64>().map_err(|e| anyhow::anyhow!("--quota {text}: {e}"))?,
        };
        quotas.push((quotient_store::ids::RepId(person.id), yearly));
    }
    let as_of = args.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let command = AdjustQuotas { year: args.year, metric, quotas, as_of, reason: args.reason.clone() };
    let options = [("yearly", "--quota"), ("rep_id", "--quota"), ("reason", "--reason"), ("fiscal_year", "--year")];
    let done = plans::adjust_quotas(&mut db, &scope, &command).map_err(|e| refused("change", e, &options))?;
    println!("quotas of {} for {}: total {}", metric.key(), args.year, show(metric, done.total));
    if let Some(difference) = done.difference() {
        println!("difference to the plan: {}", show(metric, difference));
    }
    Ok(())
}

fn show(metric: PlanMetric, value: i64) -> String {
    if metric.is_money() { Money::from_cents(value).to_string() } else { value.to_string() }
}

fn read_plan(path: &Path, year: i32) -> Result<CompanyPlan> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut plan: CompanyPlan = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: {e}: a plan file is the JSON of the API's plan",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    plan.fiscal_year = year;
    Ok(plan)
}

pub fn run(database_url: &str, org_slug: Option<&str>, args: &PlanArgs) -> Result<()> {
    let plan = match &args.file {
        Some(path) => read_plan(path, args.year)?,
        None => CompanyPlan {
            revenue: args.revenue.unwrap_or_default(),
            margin: args.margin,
            deals: args.deals,
            growth_pct: args.growth,
            ..CompanyPlan::new(args.year)
        },
    };
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let (org, scope) = org::operator(&mut db, org_slug)?;
    let directory = Directory::load(&mut db, org.id)?;
    let beyond_history = args.beyond_history.as_deref().and_then(BeyondHistory::from_key);
    let as_of = args.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let command = AllocatePlan { year: args.year, plan: Some(plan), write: args.apply, as_of, beyond_history };
    let done = plans::allocate_plan(&mut db, &scope, &command).map_err(|e| refused("plan", e, OPTIONS))?;
    for planned in &done.allocated {
        print_plan(planned, &directory);
        let unallocated = plans::unallocated_of(planned);
        if unallocated > 0 {
            println!("unallocated (kept at the realistic goals): {}", show(planned.objective.metric, unallocated));
        }
    }
    if done.beyond_history() && !args.apply {
        println!("\nthe plan asks more than history supports: apply it with --beyond-history allocate or keep");
    }
    if let Some(dir) = &args.out {
        let file = write_quotas(dir, args.year, &done.allocated, &directory)?;
        println!("\nwrote {}: import it with `quotient import {}`", file.display(), dir.display());
    }
    if let Some(rows) = done.written {
        println!("\nsaved the {} plan and wrote {rows} monthly quotas", args.year);
    }
    Ok(())
}

/// The options of `quotient plan` by the fields the operation names.
const OPTIONS: &[(&str, &str)] = &[
    ("fiscal_year", "--year"),
    ("revenue_cents", "--revenue"),
    ("margin_cents", "--margin"),
    ("deals", "--deals"),
    ("growth_pct", "--growth"),
    ("beyond_history", "--beyond-history"),
];

/// An operation's error for the command line: refusals one a line, as `FIELD (CODE): why`, each
/// field named by its option in `options` when it has one.
pub fn refused(what: &str, error: StoreError, options: &[(&str, &str)]) -> anyhow::Error {
    let StoreError::Refused(refusals) = error else { return error.into() };
    let lines: Vec<String> = refusals
        .iter()
        .map(|refusal| {
            let field = options.iter().find(|(f, _)| *f == refusal.field).map_or(refusal.field, |(_, option)| option);
            format!("  {field} ({}): {}", refusal.code.key(), refusal.message(Lang::ENGLISH))
        })
        .collect();
    anyhow::anyhow!("the {what} is refused:\n{}", lines.join("\n"))
}

fn amount(metric: PlanMetric, value: f64) -> String {
    if metric.is_money() { Money::from_cents(value.round() as i64).to_string() } else { format!("{value:.1}") }
}

fn print_plan(planned: &Allocated, directory: &Directory) {
    let (metric, allocation, seasonality): (PlanMetric, &Allocation<i64>, &MonthlyIndex) =
        (planned.objective.metric, &planned.allocation, &planned.seasonality);
    let line = planned.objective.product_line.and_then(|id| directory.product_lines.get(&id));
    let scope = line.map_or(String::new(), |(_, name)| format!(" ({name})"));
    let source =
        if seasonality.years == 0 { "set by hand".to_string() } else { format!("of {} years", seasonality.years) };
    println!("\n{} plan{scope} · seasonality {source} (share of the year by month):", metric.key());
    let shares: Vec<String> = seasonality.shares.iter().map(|s| format!("{:.1}%", s * 100.0)).collect();
    println!("  {}", shares.join(" "));
    println!("{:<28} {:>16} {:>16} {:>16} {:>8}", "team", "plan", "realistic", "at risk", "risk");
    let name = |id: i64| directory.person(id).map_or_else(|| "(no manager)".to_string(), |p| p.name.clone());
    let rows =
        allocation.teams.iter().map(|(team, risk)| (name(*team), risk)).chain([("total".into(), &allocation.total)]);
    for (label, risk) in rows {
        let share = risk.share.map_or("–".to_string(), |s| format!("{:.1}%", s * 100.0));
        println!(
            "{label:<28} {:>16} {:>16} {:>16} {share:>8}",
            amount(metric, risk.plan),
            amount(metric, risk.realistic),
            amount(metric, risk.gap)
        );
    }
}

/// The quotas in the bundle's format: one row per rep, month and objective.
fn write_quotas(dir: &Path, year: i32, allocated: &[Allocated], directory: &Directory) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let file = dir.join("quotas.csv");
    let mut writer = csv::Writer::from_path(&file).with_context(|| format!("writing {}", file.display()))?;
    writer.write_record(["rep_id", "period", "metric", "product_line_id", "target"])?;
    for planned in allocated {
        let metric = planned.objective.metric;
        let line = planned.objective.product_line.and_then(|id| directory.product_lines.get(&id));
        let line = line.map_or("", |(key, _)| key.as_str());
        for quota in &planned.allocation.reps {
            let Some(rep) = directory.person(quota.rep) else { continue };
            for (month, target) in quota.monthly.iter().enumerate() {
                let target =
                    if metric.is_money() { Money::from_cents(*target).to_string() } else { target.to_string() };
                let period = format!("{year}-{:02}", month + 1);
                writer.write_record([rep.external_id.as_str(), &period, metric.key(), line, &target])?;
            }
        }
    }
    writer.flush()?;
    Ok(file)
}
