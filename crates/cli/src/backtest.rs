//! `quotient backtest`: the data forecast of each past period as it would have been made on the eve
//! of the period and some weeks before its end, from what was known then, against what the period
//! won — beside the naive forecasts (the weighted pipeline, last period's actual).

use crate::org;
use anyhow::{Context, Result, bail};
use clap::Args;
use quotient_core::Period;
use quotient_core::period::PeriodKind;
use quotient_store::kpi::Directory;
use quotient_store::ops::forecast_model::{self, Backtest, BacktestOn};
use quotient_store::ops::reports::{Named, SubjectRequest};

#[derive(Args)]
pub struct BacktestArgs {
    /// The first period to forecast: a month (2017-01) or a quarter (2017-Q1).
    #[arg(long)]
    from: String,
    /// The last period, of the same kind (default: the last one over before today).
    #[arg(long)]
    to: Option<String>,
    /// Whole weeks before each period's end to forecast at, besides the eve of its start.
    #[arg(long, value_delimiter = ',', default_value = "4,1")]
    weeks: Vec<i64>,
    /// A manager's team (external id) instead of the organisation.
    #[arg(long)]
    team: Option<String>,
    /// `table` (the errors), `lines` (every forecast, CSV) or `json` (both).
    #[arg(long, default_value = "table")]
    format: String,
}

fn period(text: &str, option: &str) -> Result<Period> {
    let period: Period = text.trim().parse().with_context(|| format!("{option} {text}"))?;
    if !matches!(period.kind(), PeriodKind::Month | PeriodKind::Quarter) {
        bail!("{option} {text}: name a month (2017-01) or a quarter (2017-Q1)");
    }
    Ok(period)
}

pub fn run(database_url: &str, org_slug: Option<&str>, args: &BacktestArgs) -> Result<()> {
    if !["table", "lines", "json"].contains(&args.format.as_str()) {
        bail!("--format {}: write table, lines or json", args.format);
    }
    if let Some(weeks) = args.weeks.iter().find(|w| **w < 0 || **w > 52) {
        bail!("--weeks {weeks}: write whole weeks from 0 to 52, separated by commas");
    }
    let today = chrono::Utc::now().date_naive();
    let first = period(&args.from, "--from")?;
    let last = match &args.to {
        Some(text) => period(text, "--to")?,
        None => Period::containing(first.kind(), today).previous(),
    };
    if last.kind() != first.kind() {
        bail!("--to {}: name a period of the same kind as --from {}", last, first);
    }
    let mut periods = vec![];
    let mut next = first;
    while next.start() <= last.start() && periods.len() < 1_000 {
        periods.push(next);
        next = next.next();
    }
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let (org, scope) = org::operator(&mut db, org_slug)?;
    let directory = Directory::load(&mut db, org.id)?;
    let subject = args.team.clone().map_or(SubjectRequest::Organisation, |t| SubjectRequest::Team(Named::Key(t)));
    let request = BacktestOn { subject, periods, weeks_before_end: args.weeks.clone(), today };
    let backtest = forecast_model::backtest(&mut db, &scope, &directory, &request)?;
    match args.format.as_str() {
        "json" => println!("{}", serde_json::to_string_pretty(&backtest)?),
        "lines" => print_lines(&backtest),
        _ => print_table(&backtest),
    }
    Ok(())
}

fn amount(cents: quotient_core::Money) -> String {
    format!("{:.2}", cents.cents() as f64 / 100.0)
}

/// A forecast's lead: `start` (the eve of the period) or whole weeks before its end, `4w`.
fn lead(weeks: Option<i64>) -> String {
    weeks.map_or("start".to_string(), |w| format!("{w}w"))
}

fn print_lines(backtest: &Backtest) {
    println!("period,lead,as_of,actual,data,low,high,weighted_pipeline,last_period_actual");
    for line in &backtest.lines {
        let f = &line.forecast;
        println!(
            "{},{},{},{},{},{},{},{},{}",
            line.period,
            lead(line.lead_weeks),
            line.as_of,
            amount(line.actual),
            amount(f.expected),
            amount(f.low),
            amount(f.high),
            amount(f.weighted_pipeline),
            amount(f.last_period_actual)
        );
    }
}

fn print_table(backtest: &Backtest) {
    let periods: std::collections::BTreeSet<&str> = backtest.lines.iter().map(|l| l.period.as_str()).collect();
    let subject = if backtest.subject_name.is_empty() { "The organisation" } else { &backtest.subject_name };
    println!("{subject}: {} periods back-tested", periods.len());
    println!(
        "{:<20} {:>6} {:>6} {:>9} {:>9} {:>15} {:>10}",
        "method", "lead", "calls", "MAPE %", "bias %", "mean abs error", "in 10-90"
    );
    let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
    for row in &backtest.accuracy {
        let hit = row.interval_hit_rate.map_or(String::new(), |h| format!("{:.0} %", h * 100.0));
        println!(
            "{:<20} {:>6} {:>6} {:>9} {:>9} {:>15} {:>10}",
            row.method,
            lead(row.lead_weeks),
            row.accuracy.calls,
            pct(row.accuracy.mean_absolute_pct_error),
            pct(row.accuracy.bias_pct),
            amount(row.accuracy.mean_absolute_error),
            hit
        );
    }
}
