//! `quotient forecast` and `quotient snapshot`: the period's forecast rolled up the hierarchy, what
//! changed since last week, and the weekly snapshot of the open pipeline.

use crate::org;
use crate::plan::refused;
use crate::report::{Format, write_aligned};
use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use clap::Args;
use quotient_core::Money;
use quotient_core::forecast::{Call, Rolled};
use quotient_store::kpi::Directory;
use quotient_store::ops::forecast::{self as ops, ChangesQuery, Forecast, ForecastQuery, WeekChanges};
use std::io::Write;
use std::time::Instant;

#[derive(Args)]
pub struct ForecastArgs {
    /// The period: a month (2027-03) or a quarter (2027-Q1).
    #[arg(long)]
    period: String,
    /// A manager's team (the manager and everyone beneath them), by the manager's id.
    #[arg(long)]
    team: Option<String>,
    /// Read as of this day (default: today): the stale calls and the overdue deals count from it.
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Instead of the roll-up, what changed in the open pipeline since the last snapshot.
    #[arg(long)]
    changes: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Args)]
pub struct SnapshotArgs {
    /// The day whose ISO week the snapshot is of (default: today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
}

/// The options of `quotient forecast` by the fields the operation names.
const OPTIONS: &[(&str, &str)] = &[("period", "--period"), ("team", "--team")];

pub fn forecast(database_url: &str, org_slug: Option<&str>, args: &ForecastArgs) -> Result<()> {
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let (org, scope) = org::operator(&mut db, org_slug)?;
    let directory = Directory::load(&mut db, org.id)?;
    let today = args.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let mut out = std::io::stdout().lock();
    if args.changes {
        let query = ChangesQuery { team: args.team.clone(), today };
        let changes = ops::changes(&mut db, &scope, &directory, &query).map_err(|e| refused("forecast", e, OPTIONS))?;
        return write_changes(&mut out, &changes, args.format);
    }
    let query = ForecastQuery { period: args.period.clone(), team: args.team.clone(), today };
    let forecast = ops::forecast(&mut db, &scope, &directory, &query).map_err(|e| refused("forecast", e, OPTIONS))?;
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &forecast)?;
            writeln!(out)?;
        }
        Format::Csv => write_csv(&mut out, &forecast)?,
        Format::Table => {
            writeln!(out, "forecast · {} · as of {}", forecast.period, forecast.as_of)?;
            if let Some(week) = &forecast.snapshot_taken {
                writeln!(out, "(snapshot of {week} taken)")?;
            }
            write_aligned(&mut out, &header(), &rows(&forecast))?;
        }
    }
    Ok(())
}

const COLUMNS: [&str; 15] = [
    "id",
    "name",
    "closed",
    "commit",
    "best case",
    "pipeline",
    "call commit",
    "call best",
    "adjusted commit",
    "effective commit",
    "quota",
    "plan",
    "gap",
    "commit/gap",
    "data forecast",
];

fn header() -> Vec<String> {
    COLUMNS.iter().map(|c| c.to_string()).collect()
}

fn money(cents: Option<i64>) -> String {
    cents.map_or_else(|| "–".into(), |c| Money::from_cents(c).to_string())
}

fn row(id: String, name: String, rolled: &Rolled, stale: bool, data_forecast: Option<i64>) -> Vec<String> {
    let commit = |call: Option<Call>| money(call.map(|c| c.commit_cents));
    let call = commit(rolled.call) + if stale { " (stale)" } else { "" };
    vec![
        id,
        name,
        money(Some(rolled.deals.closed)),
        money(Some(rolled.deals.commit)),
        money(Some(rolled.deals.best_case)),
        money(Some(rolled.deals.pipeline)),
        call,
        money(rolled.call.map(|c| c.best_case_cents)),
        commit(rolled.adjusted),
        money(Some(rolled.effective_call.commit_cents)),
        money(rolled.quota_cents),
        money(rolled.plan_cents),
        money(rolled.gap_cents),
        rolled.coverage.map_or_else(|| "–".into(), |c| format!("{:.1}%", c.commit_bp as f64 / 100.0)),
        money(data_forecast),
    ]
}

/// A line per person, indented under their manager, then the organisation's total.
fn rows(forecast: &Forecast) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = forecast
        .lines
        .iter()
        .map(|line| {
            let indent = "  ".repeat(line.rolled.depth.saturating_sub(1));
            let id = format!("{indent}{}", line.external_id);
            row(id, line.name.clone(), &line.rolled, line.stale, Some(line.data_forecast_cents))
        })
        .collect();
    if let Some(organisation) = &forecast.organisation {
        let data_forecast = forecast.organisation_data_forecast_cents;
        rows.push(row("organisation".into(), String::new(), organisation, false, data_forecast));
    }
    rows
}

fn write_csv(out: &mut impl Write, forecast: &Forecast) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(COLUMNS)?;
    for mut row in rows(forecast) {
        // Ids and names are typed text: a spreadsheet must not run them as formulas.
        row[0] = row[0].trim_start().to_string();
        for cell in row.iter_mut().take(2) {
            *cell = quotient_store::bundle::neutralise_formula(cell).into_owned();
        }
        writer.write_record(&row)?;
    }
    writer.flush()?;
    Ok(())
}

fn write_changes(out: &mut impl Write, changes: &WeekChanges, format: Format) -> Result<()> {
    if let Format::Json = format {
        serde_json::to_writer_pretty(&mut *out, changes)?;
        writeln!(out)?;
        return Ok(());
    }
    let header: Vec<String> = ["opportunity", "owner", "change", "before", "after"].map(String::from).to_vec();
    let owner =
        |id: i64| changes.by_rep.iter().find(|r| r.person == id).map_or(id.to_string(), |r| r.external_id.clone());
    let shown = |amount: Option<i64>, category: Option<quotient_core::forecast::Category>, day: Option<NaiveDate>| {
        amount
            .map(|c| Money::from_cents(c).to_string())
            .or(category.map(|c| c.key().to_string()))
            .or(day.map(|d| d.to_string()))
            .unwrap_or_default()
    };
    let body: Vec<Vec<String>> = changes
        .changes
        .iter()
        .map(|c| {
            vec![
                c.opportunity.to_string(),
                owner(c.owner),
                c.kind.key().to_string(),
                shown(c.amount_before_cents, c.category_before, c.close_before),
                shown(c.amount_after_cents, c.category_after, c.close_after),
            ]
        })
        .collect();
    match format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(&header)?;
            for row in body {
                writer.write_record(&row)?;
            }
            writer.flush()?;
        }
        _ => {
            match &changes.since {
                Some(week) => writeln!(out, "changes since the snapshot of {week}")?,
                None => writeln!(out, "no snapshot before this week yet: nothing to compare")?,
            }
            write_aligned(out, &header, &body)?;
        }
    }
    Ok(())
}

pub fn snapshot(database_url: &str, org_slug: Option<&str>, args: &SnapshotArgs) -> Result<()> {
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let (org, scope) = org::operator(&mut db, org_slug)?;
    let started = Instant::now();
    let today = args.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let taken = ops::take_snapshot(&mut db, &scope, today).map_err(|e| refused("snapshot", e, &[]))?;
    match taken.deals {
        Some(deals) => println!(
            "snapshot of {} for organisation '{}': {deals} open deals in {:.2} s",
            taken.week,
            org.slug,
            started.elapsed().as_secs_f64()
        ),
        None => println!("the snapshot of {} was taken already for organisation '{}'", taken.week, org.slug),
    }
    Ok(())
}
