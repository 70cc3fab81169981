//! `quotient plan`: a yearly revenue (and deal) plan allocated to the reps in proportion to what
//! their history supports, phased by month with the organisation's seasonality; the plan risk per
//! team and overall; the monthly quotas as a bundle's `quotas.csv`, ready for `quotient import`.

use crate::org;
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::Args;
use quotient_core::Money;
use quotient_core::planning::{Allocation, MonthlyIndex, allocate_plan};
use quotient_store::kpi::Directory;
use quotient_store::planning::{self, PlanMetric};
use std::path::PathBuf;

#[derive(Args)]
pub struct PlanArgs {
    /// The plan's fiscal year (January to December).
    #[arg(long)]
    year: i32,
    /// The year's revenue objective, e.g. 12000000 or 12000000.50.
    #[arg(long)]
    revenue: Money,
    /// The year's objective of deals won.
    #[arg(long)]
    deals: Option<i64>,
    /// Growth over each rep's own trailing median, e.g. 0.05 for 5%.
    #[arg(long, default_value_t = 0.0)]
    growth: f64,
    /// Whole years of history the seasonality is learnt from (2 or 3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=5))]
    history_years: u32,
    /// Write the monthly quotas as FOLDER/quotas.csv (the bundle format) to import.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(database_url: &str, org_slug: Option<&str>, args: &PlanArgs) -> Result<()> {
    if args.revenue.is_negative() || args.deals.is_some_and(|d| d < 0) {
        bail!("a plan's objectives cannot be negative");
    }
    let first_month = NaiveDate::from_ymd_opt(args.year, 1, 1).context("--year is out of range")?;
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let org = org::resolve(&mut db, org_slug)?;
    let directory = Directory::load(&mut db, org.id)?;
    let mut plans = vec![];
    let objectives = [(PlanMetric::Revenue, Some(args.revenue.cents())), (PlanMetric::Deals, args.deals)];
    for (metric, total) in objectives {
        let Some(total) = total else { continue };
        let reps = planning::rep_history(&mut db, org.id, metric, first_month, None)?;
        let seasonality = planning::seasonality(&mut db, org.id, metric, first_month, args.history_years)?;
        if reps.is_empty() {
            bail!("the organisation has no reps to allocate a plan to: import its reps first");
        }
        let allocation = allocate_plan(total, &reps, args.growth, &seasonality);
        print_plan(metric, &seasonality, &allocation, &directory);
        plans.push((metric, allocation));
    }
    if let Some(dir) = &args.out {
        let file = write_quotas(dir, args.year, &plans, &directory)?;
        println!("\nwrote {}: import it with `quotient import {}`", file.display(), dir.display());
    }
    Ok(())
}

fn amount(metric: PlanMetric, value: f64) -> String {
    match metric {
        PlanMetric::Revenue | PlanMetric::Margin => Money::from_cents(value.round() as i64).to_string(),
        _ => format!("{value:.1}"),
    }
}

fn print_plan(metric: PlanMetric, seasonality: &MonthlyIndex, allocation: &Allocation<i64>, directory: &Directory) {
    println!("{} plan · seasonality of {} years (share of the year by month):", metric.key(), seasonality.years);
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

/// The quotas in the bundle's format: one row per rep, month and metric.
fn write_quotas(
    dir: &std::path::Path,
    year: i32,
    plans: &[(PlanMetric, Allocation<i64>)],
    directory: &Directory,
) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let file = dir.join("quotas.csv");
    let mut writer = csv::Writer::from_path(&file).with_context(|| format!("writing {}", file.display()))?;
    writer.write_record(["rep_id", "period", "metric", "product_line_id", "target"])?;
    for (metric, allocation) in plans {
        for quota in &allocation.reps {
            let Some(rep) = directory.person(quota.rep) else { continue };
            for (month, target) in quota.monthly.iter().enumerate() {
                let target =
                    if metric.is_money() { Money::from_cents(*target).to_string() } else { target.to_string() };
                let period = format!("{year}-{:02}", month + 1);
                writer.write_record([rep.external_id.as_str(), &period, metric.key(), "", &target])?;
            }
        }
    }
    writer.flush()?;
    Ok(file)
}
