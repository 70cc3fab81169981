//! `quotient report`, `quotient rebuild` and `quotient setting`: the KPI engine on the command line.

use crate::org;
use crate::plan::refused;
use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, Utc};
use clap::{Args, ValueEnum};
use quotient_core::{Lang, Money, Period};
use quotient_store::kpi::Breakdowns;
use quotient_store::kpi::{self, Card, Directory, Scorecards};
use quotient_store::ops::reports::{self, BreakdownsOn, Named, ReportOn, SubjectRequest};
use quotient_store::ops::settings;
use std::borrow::Cow;
use std::io::Write;
use std::time::Instant;

#[derive(Args)]
pub struct ReportArgs {
    /// The period: 2026-W07, 2026-03, 2026-Q1, 2026, or 2026-01-15..2026-02-15 (end excluded).
    #[arg(long)]
    period: String,
    /// One rep, by id.
    #[arg(long, conflicts_with_all = ["team", "territory", "product_line"])]
    rep: Option<String>,
    /// A manager's whole team (direct and indirect reports), by the manager's id.
    #[arg(long, conflicts_with_all = ["territory", "product_line"])]
    team: Option<String>,
    /// A territory and those under it, by id.
    #[arg(long, conflicts_with = "product_line")]
    territory: Option<String>,
    /// One product line, by id.
    #[arg(long)]
    product_line: Option<String>,
    /// Evaluate the magic number and the pipeline as of the end of this day (default: today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Language of the diagnoses and standards: a tag of `crates/core/locales/` (en, de, es …).
    #[arg(long, default_value = "en")]
    lang: Lang,
    /// Instead of the scorecards, the subject's opportunities broken down by gateway type, by
    /// lead source, or the count and amount lost per lost reason.
    #[arg(long, value_enum)]
    by: Option<By>,
}

/// What `--by` breaks the opportunities down by.
#[derive(Clone, Copy, ValueEnum)]
enum By {
    Gateway,
    Source,
    LostReason,
}

/// The options of `quotient report` by the fields the operation names.
const OPTIONS: &[(&str, &str)] = &[("subject", "--rep, --team, --territory or --product-line")];

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Table,
    Json,
    Csv,
}

pub fn report(database_url: &str, org_slug: Option<&str>, args: &ReportArgs) -> Result<()> {
    let period: Period = args.period.parse()?;
    let subject = match (&args.rep, &args.team, &args.territory, &args.product_line) {
        (Some(rep), ..) => SubjectRequest::Rep(Named::Key(rep.clone())),
        (_, Some(team), ..) => SubjectRequest::Team(Named::Key(team.clone())),
        (_, _, Some(territory), _) => SubjectRequest::Territory(territory.clone()),
        (_, _, _, Some(line)) => SubjectRequest::ProductLine(line.clone()),
        _ => SubjectRequest::Own,
    };
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let (org, scope) = org::operator(&mut db, org_slug)?;
    let directory = Directory::load(&mut db, org.id)?;
    if let Some(by) = args.by {
        let request = BreakdownsOn { subject, period };
        let breakdowns =
            reports::breakdowns(&mut db, &scope, &directory, &request).map_err(|e| refused("report", e, OPTIONS))?;
        return write_breakdown(&mut std::io::stdout().lock(), &breakdowns, by, args.format);
    }
    let request =
        ReportOn { subject, period, as_of: args.as_of.unwrap_or_else(|| Utc::now().date_naive()), lang: args.lang };
    // The cards are made as they are written: a whole organisation's are never all held at once.
    let scorecards =
        reports::scorecards(&mut db, &scope, &directory, &request).map_err(|e| refused("report", e, OPTIONS))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &scorecards)?;
            writeln!(out)?;
        }
        Format::Csv => write_csv(&mut out, &scorecards)?,
        Format::Table => write_table(&mut out, &scorecards)?,
    }
    out.flush()?;
    Ok(())
}

/// The columns of the table and CSV forms: a label and how to show a card's figure.
type Column = (&'static str, fn(&Card) -> String);

fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{:.1}%", v * 100.0))
}

fn num(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.decimals$}"))
}

fn money(value: Money) -> String {
    value.to_string()
}

const COLUMNS: &[Column] = &[
    ("revenue", |c| money(c.scorecard.outcome.revenue)),
    ("revenue quota", |c| c.scorecard.quotas.revenue.map_or_else(|| "–".into(), money)),
    ("attainment", |c| pct(c.scorecard.attainment.revenue)),
    ("deals", |c| c.scorecard.outcome.deals.to_string()),
    ("win rate", |c| pct(c.scorecard.outcome.win_rate)),
    ("avg revenue/sale", |c| num(c.scorecard.outcome.average_revenue_per_sale.map(|v| v / 100.0), 2)),
    ("cycle days", |c| num(c.scorecard.outcome.mean_cycle_days, 1)),
    ("first appts", |c| c.scorecard.funnel.new_first_appointments.to_string()),
    ("→ next step", |c| pct(c.scorecard.funnel.first_appointment_to_next_step)),
    ("→ proposal", |c| pct(c.scorecard.funnel.first_appointment_to_proposal)),
    ("closing", |c| pct(c.scorecard.funnel.closing_ratio)),
    ("conversations", |c| c.scorecard.activity.conversations.to_string()),
    ("conv → appt", |c| pct(c.scorecard.activity.conversation_to_appointment)),
    ("top-level share", |c| pct(c.top_level_contact_share)),
    ("pipeline", |c| money(c.scorecard.pipeline.pipeline)),
    ("coverage", |c| num(c.scorecard.pipeline.coverage, 2)),
    ("magic/week", |c| num(c.scorecard.magic_number.per_week, 1)),
    ("barometer", |c| c.scorecard.barometer_pct.map_or_else(|| "–".into(), |b| format!("{b:.0}%"))),
    ("standards", |c| format!("{}/{}", c.standards.iter().filter(|s| s.passed).count(), c.standards.len())),
    ("activity goals", |c| match quotient_core::kpi::goals_met(&c.activity_goals) {
        (_, 0) => "–".into(),
        (met, goals) => format!("{met}/{goals}"),
    }),
    ("flags", |c| {
        c.scorecard
            .flags
            .iter()
            .map(|f| serde_json::to_value(f.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ")
    }),
];

/// The table's and CSV's row of a card.
fn row(card: &Card) -> Vec<String> {
    let mut row = vec![card.rep_id.clone().unwrap_or_else(|| "total".into()), card.name.clone()];
    row.extend(COLUMNS.iter().map(|(_, show)| show(card)));
    row
}

/// Every rep's card, made one at a time, then the total's.
fn every_card<'s>(scorecards: &'s Scorecards<'_>, total: &'s Card) -> impl Iterator<Item = Cow<'s, Card>> {
    scorecards.cards().map(Cow::Owned).chain(std::iter::once(Cow::Borrowed(total)))
}

fn write_table(out: &mut impl Write, scorecards: &Scorecards<'_>) -> Result<()> {
    let report = scorecards.head();
    let label = match &report.subject.id {
        Some(id) => format!("{} {id} ({})", report.subject.kind, report.subject.name),
        None => report.subject.kind.to_string(),
    };
    writeln!(out, "{label} · {} · as of {}", report.period, report.as_of)?;
    let mut header = vec!["rep".to_string(), "name".to_string()];
    header.extend(COLUMNS.iter().map(|(name, _)| name.to_string()));
    // The columns' widths need every row first: the rows are kept (text), the cards are not, and
    // the diagnoses are written from a second pass over the cards.
    let rows: Vec<Vec<String>> = every_card(scorecards, &report.total).map(|card| row(&card)).collect();
    write_aligned(out, &header, &rows)?;
    let (causes, prescriptions) = (report.lang.t("scorecard.causes"), report.lang.t("scorecard.prescriptions"));
    for card in every_card(scorecards, &report.total) {
        for diagnosis in &card.diagnoses {
            writeln!(
                out,
                "\n{} — {}\n  {causes}: {}\n  {prescriptions}: {}",
                card.rep_id.as_deref().unwrap_or("total"),
                diagnosis.diagnosis.title,
                diagnosis.diagnosis.causes.join("; "),
                diagnosis.diagnosis.prescriptions.join("; ")
            )?;
        }
    }
    Ok(())
}

/// A header and rows in columns as wide as their widest cell.
pub(crate) fn write_aligned(out: &mut impl Write, header: &[String], body: &[Vec<String>]) -> Result<()> {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| body.iter().map(Vec::as_slice).chain([header]).map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for row in std::iter::once(header).chain(body.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}

fn write_csv(out: &mut impl Write, scorecards: &Scorecards<'_>) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let mut header = vec!["rep_id", "name"];
    header.extend(COLUMNS.iter().map(|(name, _)| *name));
    writer.write_record(&header)?;
    let total = scorecards.total();
    for card in every_card(scorecards, &total) {
        let mut row = row(&card);
        // The rep's id and name are typed text: a spreadsheet must not run them as formulas.
        for cell in row.iter_mut().take(2) {
            *cell = quotient_store::bundle::neutralise_formula(cell).into_owned();
        }
        writer.write_record(&row)?;
    }
    writer.flush()?;
    Ok(())
}

/// One breakdown as a table, CSV or JSON: a row per segment (or lost reason).
fn write_breakdown(out: &mut impl Write, breakdowns: &Breakdowns, by: By, format: Format) -> Result<()> {
    let (header, body): (Vec<&str>, Vec<Vec<String>>) = match by {
        By::Gateway | By::Source => {
            let segments =
                if matches!(by, By::Gateway) { &breakdowns.by_gateway_type } else { &breakdowns.by_lead_source };
            let header = vec![
                "segment",
                "first appts",
                "reached gateway",
                "reached proposal",
                "won",
                "lost",
                "win rate",
                "revenue",
                "avg revenue/sale",
            ];
            let body = segments
                .iter()
                .map(|s| {
                    vec![
                        if s.key.is_empty() { "(none)".to_string() } else { s.name.clone() },
                        s.first_appointments.to_string(),
                        s.reached_gateway.to_string(),
                        s.reached_proposal.to_string(),
                        s.won.to_string(),
                        s.lost.to_string(),
                        pct(s.win_rate),
                        money(s.revenue),
                        num(s.average_revenue_per_sale_cents.map(|v| v / 100.0), 2),
                    ]
                })
                .collect();
            (header, body)
        }
        By::LostReason => {
            let body = breakdowns
                .by_lost_reason
                .iter()
                .map(|r| {
                    let reason = if r.reason.is_empty() { "(none)".to_string() } else { r.reason.clone() };
                    vec![reason, r.lost.to_string(), money(r.amount)]
                })
                .collect();
            (vec!["lost reason", "lost", "amount"], body)
        }
    };
    match format {
        Format::Json => {
            let value = match by {
                By::Gateway => serde_json::to_value(&breakdowns.by_gateway_type)?,
                By::Source => serde_json::to_value(&breakdowns.by_lead_source)?,
                By::LostReason => serde_json::to_value(&breakdowns.by_lost_reason)?,
            };
            serde_json::to_writer_pretty(&mut *out, &value)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(&header)?;
            for mut row in body {
                // Names and reasons are typed text: a spreadsheet must not run them as formulas.
                row[0] = quotient_store::bundle::neutralise_formula(&row[0]).into_owned();
                writer.write_record(&row)?;
            }
            writer.flush()?;
        }
        Format::Table => {
            writeln!(out, "{} · {}", breakdowns.subject, breakdowns.period)?;
            let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
            write_aligned(out, &header, &body)?;
        }
    }
    Ok(())
}

pub fn rebuild(database_url: &str, org_slug: Option<&str>) -> Result<()> {
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let org = org::resolve(&mut db, org_slug)?;
    let started = Instant::now();
    let cells = db.transaction(|db| kpi::rebuild(db, org.id))?;
    println!(
        "rebuilt {cells} KPI rollup cells of organisation '{}' in {:.1} s",
        org.slug,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn setting(database_url: &str, org_slug: Option<&str>, key: &str, value: Option<&str>) -> Result<()> {
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let (org, scope) = org::operator(&mut db, org_slug)?;
    if let Some(stage) = key.strip_prefix("stage.").and_then(|k| k.strip_suffix(".forecast_category")) {
        return stage_category(&mut db, &scope, stage, value);
    }
    let Some(value) = value else {
        let current = settings::read_settings(&mut db, &scope)?;
        println!("{}", serde_json::to_string_pretty(&current)?);
        for stage in settings::pipeline_setup(&mut db, &scope)?.stages {
            let category = stage.forecast_category.map_or("pipeline", |c| c.key());
            println!("stage.{}.forecast_category = {category}", stage.key);
        }
        if !key.is_empty() {
            bail!("give a value to set {key}");
        }
        return Ok(());
    };
    let command = settings::SaveSettings { values: vec![(key.to_string(), value.to_string())] };
    let saved = settings::save_settings(&mut db, &scope, &command).map_err(|e| refused("setting", e, &[]))?;
    println!("{key} = {value} for organisation '{}'", org.slug);
    if saved.rebuild_rollups {
        // The command line waits for the rebuild the web application runs in the background.
        let started = Instant::now();
        let cells = settings::rebuild_rollups(&mut db, &scope, &mut |_, _| {})?;
        println!("rebuilt {cells} KPI rollup cells in {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(())
}

/// `quotient setting stage.KEY.forecast_category [VALUE]`: the forecast category a stage's open
/// deals default to (`pipeline`, `best_case`, `commit`, `omitted`), shown or set; the stage's
/// other fields stay as they are.
fn stage_category(
    db: &mut quotient_store::Db,
    scope: &quotient_store::access::Viewer,
    key: &str,
    value: Option<&str>,
) -> Result<()> {
    let stages = settings::pipeline_setup(db, scope)?.stages;
    let Some(stage) = stages.into_iter().find(|s| s.key == key) else {
        let known = settings::pipeline_setup(db, scope)?.stages.into_iter().map(|s| s.key).collect::<Vec<_>>();
        bail!("there is no stage '{key}': the stages are {}", known.join(", "));
    };
    let Some(value) = value else {
        println!("stage.{key}.forecast_category = {}", stage.forecast_category.map_or("pipeline", |c| c.key()));
        return Ok(());
    };
    let input = stage.with_category(value);
    settings::save_stage(db, scope, &input).map_err(|e| refused("setting", e, &[]))?;
    println!("stage.{key}.forecast_category = {value}");
    Ok(())
}
