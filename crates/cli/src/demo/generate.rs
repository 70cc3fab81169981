//! The demo organisation generator: a deterministic function of the seed, the size and the as-of
//! date, writing a bundle.
//!
//! The shape follows `PRODUCT.md` and `KPIS.md`: an executive, managers with 6–10 reps each,
//! territories in regions, five product lines; top, median and bottom producers, each weakness of
//! the diagnostics in some reps and not others (see `profile`); monthly seasonality; the pipeline
//! prospect → qualified → first appointment → gateway → proposal → negotiation → won/lost with
//! drop-offs at each step; many cold calls of which a minority set appointments; estimates, monthly
//! quotas, company leads some of which are never followed up, contacts with buying roles, and
//! customer satisfaction scores.

use super::calendar::{DAY, civil, days_from_civil, format_date, format_timestamp, weekday};
use super::names::*;
use super::profile::{self, Profile};
use anyhow::{Context, Result};
use quotient_store::bundle::spec::FILES;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub seed: u64,
    pub reps: usize,
    pub years: u32,
    /// Day number of the last day of history ("today" in the demo).
    pub as_of: i64,
    /// The year whose revenue and deal quotas a company plan allocates instead (the demo's own
    /// plan for the current year); `None` writes them for every month.
    pub planned_year: Option<i64>,
}

/// Relative activity by calendar month: slow summer and January, strong quarter ends and December.
const SEASONALITY: [f64; 12] = [0.80, 0.90, 1.10, 0.95, 1.00, 1.10, 0.80, 0.75, 1.10, 1.05, 1.10, 1.35];
const TEAM_SIZE: usize = 8;
const ACCOUNTS_PER_REP: usize = 40;

struct Writers {
    out: Vec<(String, csv::Writer<BufWriter<File>>, u64)>,
}

impl Writers {
    fn create(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut out = Vec::new();
        for spec in &FILES {
            let path = dir.join(spec.file);
            let file_handle = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
            let mut writer = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file_handle));
            writer.write_record(spec.columns.iter().map(|column| column.name))?;
            out.push((spec.file.to_string(), writer, 0));
        }
        Ok(Writers { out })
    }

    fn row(&mut self, file: usize, fields: &[&str]) -> Result<()> {
        let (name, writer, rows) = &mut self.out[file];
        let columns = FILES[file].columns.len();
        anyhow::ensure!(fields.len() <= columns, "{name}: a row of {} fields for {columns} columns", fields.len());
        // Written as the export writes them (a phone's leading + guarded), so that an import
        // exports the same bytes. The demo writes no negative numbers, so only text is guarded.
        for field in fields {
            writer.write_field(quotient_store::bundle::guard(field).as_bytes())?;
        }
        // The optional columns after those the demo fills (an opportunity's original amount and
        // currency: the demo's deals are in the organisation's currency) stay empty.
        for _ in fields.len()..columns {
            writer.write_field(b"")?;
        }
        writer.write_record(None::<&[u8]>)?;
        *rows += 1;
        Ok(())
    }

    fn finish(self) -> Result<Vec<(String, u64)>> {
        let mut counts = Vec::new();
        for (file, mut writer, rows) in self.out {
            writer.flush()?;
            counts.push((file, rows));
        }
        Ok(counts)
    }
}

// The files, by their position in the bundle spec's `FILES`: their columns, in order, are the
// spec's, and each row gives the fields in that order.
const TERRITORIES: usize = file("territories.csv");
const PRODUCT_LINES_FILE: usize = file("product_lines.csv");
const REPS: usize = file("reps.csv");
const ACCOUNTS: usize = file("accounts.csv");
const CONTACTS: usize = file("contacts.csv");
const LEADS: usize = file("leads.csv");
const OPPORTUNITIES: usize = file("opportunities.csv");
const STAGE_CHANGES: usize = file("stage_changes.csv");
const ACTIVITIES: usize = file("activities.csv");
const ESTIMATES: usize = file("estimates.csv");
const FEEDBACK: usize = file("feedback.csv");
const QUOTAS: usize = file("quotas.csv");

/// The position of the file `name` in the bundle spec: a build error for a file the spec lacks.
const fn file(name: &str) -> usize {
    let mut index = 0;
    while index < FILES.len() {
        let (spec, name) = (FILES[index].file.as_bytes(), name.as_bytes());
        let mut same = spec.len() == name.len();
        let mut at = 0;
        while same && at < name.len() {
            same = spec[at] == name[at];
            at += 1;
        }
        if same {
            return index;
        }
        index += 1;
    }
    panic!("the bundle spec has no such file")
}

/// Ids handed out in order, per kind.
#[derive(Default)]
struct Ids {
    lead: u64,
    opportunity: u64,
    activity: u64,
    estimate: u64,
    contact: u64,
}

struct Rep {
    key: String,
    accounts: Vec<Account>,
    profile: Profile,
}

struct Account {
    key: String,
    /// Contact keys with their authority level.
    contacts: Vec<(String, u32)>,
}

/// Writes the demo bundle into `dir`; returns the rows per file.
pub fn generate(params: Params, dir: &Path) -> Result<Vec<(String, u64)>> {
    let mut out = Writers::create(dir)?;
    let mut rng = fastrand::Rng::with_seed(params.seed);
    let mut names = Names::new(params.seed);
    let mut profiles = profile::draw(&mut fastrand::Rng::with_seed(params.seed ^ 0xA5A5_5A5A), params.reps).into_iter();
    let start = first_of_month(params.as_of - i64::from(params.years) * 365);
    let managers = params.reps.div_ceil(TEAM_SIZE).max(1);

    for (index, name) in PRODUCT_LINES.iter().enumerate() {
        out.row(PRODUCT_LINES_FILE, &[&format!("PL{}", index + 1), name])?;
    }
    for region in REGIONS {
        out.row(TERRITORIES, &[&format!("T-{region}"), &format!("{region} region"), region, ""])?;
    }
    out.row(REPS, &["E1", &names.full(), "ceo@northwind.example", "", "", "executive", &format_date(start - 900)])?;
    for manager in 0..managers {
        let name = names.full();
        out.row(
            REPS,
            &[
                &format!("M{}", manager + 1),
                &name,
                &email(&name, manager),
                "E1",
                "",
                "manager",
                &format_date(start - 700 - rng.i64(0..500)),
            ],
        )?;
    }

    let mut ids = Ids::default();
    let mut reps = Vec::new();
    for index in 0..params.reps {
        let manager = index % managers;
        let region = REGIONS[manager % REGIONS.len()];
        let territory = format!("T{}", index + 1);
        out.row(TERRITORIES, &[&territory, &format!("{region} {:03}", index + 1), region, &format!("T-{region}")])?;
        let name = names.full();
        let key = format!("R{}", index + 1);
        out.row(
            REPS,
            &[
                &key,
                &name,
                &email(&name, managers + index),
                &format!("M{}", manager + 1),
                &territory,
                "rep",
                &format_date(start - rng.i64(30..1500)),
            ],
        )?;
        let mut rep_rng =
            fastrand::Rng::with_seed(params.seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let profile = profiles.next().context("a profile per rep")?;
        let rep = RepRef { key: &key, territory: &territory, index, profile: &profile };
        let accounts = write_accounts(&mut out, &mut rep_rng, &mut ids, &mut names, rep)?;
        reps.push(Rep { key, accounts, profile });
    }

    for (index, rep) in reps.iter().enumerate() {
        let mut rng = fastrand::Rng::with_seed(
            params.seed.rotate_left(17) ^ (index as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03),
        );
        let history = History { start, as_of: params.as_of, planned_year: params.planned_year };
        write_rep_history(&mut out, &mut rng, &mut ids, &mut names, rep, history)?;
    }
    out.finish()
}

/// The first day of the month after the one starting on `month`.
fn next_month(month: i64) -> i64 {
    let (y, m, _) = civil(month);
    if m == 12 { days_from_civil(y + 1, 1, 1) } else { days_from_civil(y, m + 1, 1) }
}

fn first_of_month(days: i64) -> i64 {
    let (y, m, _) = civil(days);
    days_from_civil(y, m, 1)
}

fn email(name: &str, unique: usize) -> String {
    format!("{}.{unique}@northwind.example", name.to_lowercase().replace(' ', "."))
}

fn pick<T: Copy>(rng: &mut fastrand::Rng, items: &[T]) -> T {
    items[rng.usize(0..items.len())]
}

fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Standard normal (Box–Muller).
fn normal(rng: &mut fastrand::Rng) -> f64 {
    let u = rng.f64().max(f64::MIN_POSITIVE);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * rng.f64()).cos()
}

/// Poisson-distributed count (Knuth for small means, normal approximation for large ones).
fn poisson(rng: &mut fastrand::Rng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 30.0 {
        return (mean + mean.sqrt() * normal(rng)).round().max(0.0) as u64;
    }
    let limit = (-mean).exp();
    let (mut count, mut product) = (0, rng.f64());
    while product > limit {
        count += 1;
        product *= rng.f64();
    }
    count
}

/// A rep being written, before their accounts exist.
#[derive(Clone, Copy)]
struct RepRef<'a> {
    key: &'a str,
    territory: &'a str,
    index: usize,
    profile: &'a Profile,
}

fn write_accounts(
    out: &mut Writers,
    rng: &mut fastrand::Rng,
    ids: &mut Ids,
    names: &mut Names,
    rep: RepRef<'_>,
) -> Result<Vec<Account>> {
    let (rep_index, territory) = (rep.index, rep.territory);
    // A careful rep fills in every contact; the others leave a field out here and there.
    let filled = |rng: &mut fastrand::Rng, share: f64| rep.profile.complete_contacts || rng.f64() < share;
    let mut accounts = Vec::with_capacity(ACCOUNTS_PER_REP);
    for n in 0..ACCOUNTS_PER_REP {
        let key = format!("A{}-{}", rep_index + 1, n + 1);
        let name = format!(
            "{} {} {}",
            pick(rng, COMPANY_PREFIXES),
            pick(rng, COMPANY_SUFFIXES),
            rep_index * ACCOUNTS_PER_REP + n + 1
        );
        let employees = (20.0 * (rng.f64() * 7.0).exp()) as i64;
        let (city, country) = pick(rng, CITIES);
        out.row(
            ACCOUNTS,
            &[
                &key,
                &name,
                pick(rng, INDUSTRIES),
                territory,
                rep.key,
                &employees.to_string(),
                // Revenue of $90,000–$270,000 per employee, in cents.
                &money(employees * 1_800_000 * rng.i64(5..15)),
                city,
                country,
            ],
        )?;
        let mut contacts = Vec::new();
        for c in 0..rng.usize(2..7) {
            ids.contact += 1;
            let contact = format!("C{}", ids.contact);
            let (role, title, authority) = match c {
                0 => ("decision_maker", pick(rng, TITLES_TOP), rng.u32(4..6)),
                1 => ("financial_authority", pick(rng, TITLES_FINANCE), rng.u32(4..6)),
                _ => (pick(rng, &["influencer", "user", "gatekeeper"]), pick(rng, TITLES_OTHER), rng.u32(1..4)),
            };
            let (first, last) = names.next();
            let email = if filled(rng, 0.9) {
                format!("{}.{}@{}.example", first.replace(' ', "."), last, key).to_lowercase()
            } else {
                String::new()
            };
            let phone = if filled(rng, 0.85) { format!("+1-555-{:04}", rng.u32(0..10_000)) } else { String::new() };
            let address =
                if filled(rng, 0.9) { format!("{} Main Street, {city}", rng.u32(1..999)) } else { String::new() };
            out.row(
                CONTACTS,
                &[&contact, &key, &first, &last, title, role, &authority.to_string(), &email, &phone, &address],
            )?;
            contacts.push((contact, authority));
        }
        accounts.push(Account { key, contacts });
    }
    Ok(accounts)
}

#[derive(Clone, Copy)]
struct History {
    /// First day (day number).
    start: i64,
    /// Last day (day number), inclusive.
    as_of: i64,
    planned_year: Option<i64>,
}

impl History {
    fn end_secs(self) -> i64 {
        (self.as_of + 1) * DAY - 1
    }

    /// Whether the month starting on `month` is in the as-of year, where reps' trends show.
    fn in_last_year(self, month: i64) -> bool {
        civil(month).0 == civil(self.as_of).0
    }

    /// First day of every month in the history.
    fn months(self) -> impl Iterator<Item = i64> {
        let mut month = self.start;
        std::iter::from_fn(move || {
            if month > self.as_of {
                return None;
            }
            let this = month;
            month = next_month(month);
            Some(this)
        })
    }
}

/// The same moment moved into working hours (08:00–17:00) of the same or the next weekday.
fn working_hours(t: i64) -> i64 {
    let mut day = t.div_euclid(DAY);
    while weekday(day) >= 5 {
        day += 1;
    }
    day * DAY + 8 * 3600 + t.rem_euclid(DAY) % (9 * 3600)
}

/// A working-hours moment on a weekday at or after `day`.
fn work_time(rng: &mut fastrand::Rng, mut day: i64) -> i64 {
    while weekday(day) >= 5 {
        day += 1;
    }
    day * DAY + 8 * 3600 + rng.i64(0..9 * 3600)
}

fn write_rep_history(
    out: &mut Writers,
    rng: &mut fastrand::Rng,
    ids: &mut Ids,
    names: &mut Names,
    rep: &Rep,
    history: History,
) -> Result<()> {
    let profile = &rep.profile;
    let monthly_deals = profile.opportunities_per_month * profile.expected_win_rate();
    for month in history.months() {
        let (year, month_number, _) = civil(month);
        let season = SEASONALITY[month_number as usize - 1];
        let trend = if history.in_last_year(month) { profile.trend } else { 1.0 };
        let days_in_month = next_month(month) - month;
        for _ in 0..poisson(rng, profile.opportunities_per_month * season * trend) {
            let day = month + rng.i64(0..days_in_month);
            let created = work_time(rng, day);
            if created > history.end_secs() {
                continue;
            }
            write_opportunity(out, rng, ids, names, rep, created, history)?;
        }
        let planned = history.planned_year == Some(year);
        let quotas = Quotas::of(rng, year, month_number, monthly_deals * season, planned);
        write_month_activity(out, rng, ids, rep, month, days_in_month, history, quotas.deals_per_line())?;
        write_company_leads(out, rng, ids, names, rep, month, days_in_month, history)?;
        write_quotas(out, rep, quotas)?;
    }
    write_feedback(out, rng, rep, history)
}

fn write_opportunity(
    out: &mut Writers,
    rng: &mut fastrand::Rng,
    ids: &mut Ids,
    names: &mut Names,
    rep: &Rep,
    created: i64,
    history: History,
) -> Result<()> {
    let profile = &rep.profile;
    let end = history.end_secs();
    ids.opportunity += 1;
    let key = format!("O{}", ids.opportunity);
    let account = &rep.accounts[rng.usize(0..rep.accounts.len())];
    let product_line = rng.usize(0..PRODUCT_LINES.len());
    let amount = ((profile.deal_cents * (0.5 * normal(rng)).exp() / 100.0).round() as i64).max(50) * 100;
    let margin = (amount as f64 * (0.20 + 0.25 * rng.f64())).round() as i64;
    let cycle = (profile.cycle_days * (0.6 + 0.8 * rng.f64()) * DAY as f64) as i64;
    // Milestones fall in working hours on weekdays, each at least an hour after the previous one.
    let mut previous = created;
    let mut milestone = |share: f64| {
        previous = working_hours(created + (cycle as f64 * share) as i64).max(previous + 3600);
        previous
    };
    let qualified = milestone(0.05);
    let (first_appointment, gateway, proposal) = (milestone(0.15), milestone(0.40), milestone(0.65));
    let (negotiation, won_close) = (milestone(0.85), milestone(1.0));

    let reaches_fa = rng.f64() < profile.p_first_appointment;
    let reaches_gw = reaches_fa && rng.f64() < profile.p_gateway;
    let reaches_pr = reaches_gw && rng.f64() < profile.p_proposal;
    let wins = reaches_pr && rng.f64() < profile.p_win;
    let last_milestone = if reaches_pr {
        proposal
    } else if reaches_gw {
        gateway
    } else if reaches_fa {
        first_appointment
    } else {
        qualified
    };
    let planned_close = if wins {
        won_close
    } else {
        working_hours(last_milestone + (cycle as f64 * (0.1 + 0.25 * rng.f64())) as i64).max(last_milestone + 3600)
    };
    let closed = planned_close <= end;
    let when = |t: i64, reached: bool| if reached && t <= end { format_timestamp(t) } else { String::new() };
    let gateway_type = pick(
        rng,
        &["demo", "demo", "demo", "site_visit", "site_visit", "trial", "evaluation", "investigation", "tour"],
    );
    let status = match (closed, wins) {
        (false, _) => "open",
        (true, true) => "won",
        (true, false) => "lost",
    };
    let stage = if closed {
        status
    } else if reaches_pr && proposal <= end {
        if wins && negotiation <= end { "negotiation" } else { "proposal" }
    } else if reaches_gw && gateway <= end {
        "gateway"
    } else if reaches_fa && first_appointment <= end {
        "first_appointment"
    } else if qualified <= end {
        "qualified"
    } else {
        "prospect"
    };
    // One open deal in ten has let its expected close date slip into the past, except with a rep
    // who keeps the CRM current.
    let slipped = !closed && !profile.keeps_crm_current && rng.f64() < 0.1;
    let expected_close = if slipped { history.as_of - rng.i64(1..30) } else { planned_close.div_euclid(DAY) };
    let lead = if rng.f64() < 0.25 {
        Some(write_converted_lead(out, rng, ids, names, rep, account, created, &key)?)
    } else {
        None
    };
    let line = PRODUCT_LINES[product_line];
    out.row(
        OPPORTUNITIES,
        &[
            &key,
            &account.key,
            &rep.key,
            &format!("PL{}", product_line + 1),
            &format!("{line} for {}", account.key),
            &money(amount),
            &money(margin),
            &format_timestamp(created),
            &format_date(expected_close),
            &when(first_appointment, reaches_fa),
            if reaches_gw && gateway <= end { gateway_type } else { "" },
            &when(gateway, reaches_gw),
            &when(proposal, reaches_pr),
            &if closed { format_timestamp(planned_close) } else { String::new() },
            status,
            stage,
            if status == "lost" { pick(rng, LOST_REASONS) } else { "" },
            lead.as_deref().unwrap_or(""),
        ],
    )?;

    let mut changes = vec![("prospect", created), ("qualified", qualified)];
    if reaches_fa {
        changes.push(("first_appointment", first_appointment));
    }
    if reaches_gw {
        changes.push(("gateway", gateway));
    }
    if reaches_pr {
        changes.push(("proposal", proposal));
        if wins {
            changes.push(("negotiation", negotiation));
        }
    }
    changes.push((if wins { "won" } else { "lost" }, planned_close));
    for (stage, at) in changes.into_iter().filter(|(_, t)| *t <= end) {
        out.row(STAGE_CHANGES, &[&key, stage, &format_timestamp(at)])?;
    }

    if reaches_pr {
        ids.estimate += 1;
        let estimate_status = match status {
            "won" => "accepted",
            "lost" => "rejected",
            _ => "sent",
        };
        if proposal <= end {
            out.row(
                ESTIMATES,
                &[
                    &format!("E{}", ids.estimate),
                    &key,
                    &rep.key,
                    &format!("PL{}", product_line + 1),
                    &money(amount),
                    &format_date(proposal.div_euclid(DAY)),
                    estimate_status,
                ],
            )?;
        }
    }
    // The conversation that set the first appointment, the appointment, the next step, the proposal
    // and follow-up calls.
    let contact_for = |rng: &mut fastrand::Rng| account.contacts[rng.usize(0..account.contacts.len())].0.as_str();
    let mut log = |rng: &mut fastrand::Rng, kind: &str, t: i64, outcome: &str| -> Result<()> {
        if t <= end {
            ids.activity += 1;
            let contact = contact_for(rng);
            out.row(
                ACTIVITIES,
                &[
                    &format!("X{}", ids.activity),
                    &rep.key,
                    kind,
                    &format_timestamp(t),
                    &account.key,
                    contact,
                    &key,
                    outcome,
                ],
            )?;
        }
        Ok(())
    };
    if reaches_fa {
        let set_at = (first_appointment - rng.i64(2..10) * DAY).max(created);
        log(rng, "cold_call", set_at, "appointment_set")?;
        log(rng, "appointment", first_appointment, "completed")?;
    }
    if reaches_gw {
        let kind = match gateway_type {
            "demo" => "demo",
            "site_visit" | "tour" => "field_visit",
            _ => "meeting",
        };
        log(rng, kind, gateway, "completed")?;
    }
    if reaches_pr {
        log(rng, "email", proposal, "completed")?;
    }
    for _ in 0..rng.usize(0..3) {
        let t = created + rng.i64(0..(planned_close - created).max(1));
        let outcome = if rng.f64() < 0.6 { "connected" } else { "no_answer" };
        log(rng, "call_back", t, outcome)?;
    }
    if !closed && profile.keeps_crm_current {
        // A careful rep has called about every open deal within the last three weeks.
        let day = (history.as_of - rng.i64(0..21)).max(created.div_euclid(DAY));
        let t = (day * DAY + 8 * 3600 + rng.i64(0..9 * 3600)).clamp(created, end);
        log(rng, "call_back", t, "connected")?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_converted_lead(
    out: &mut Writers,
    rng: &mut fastrand::Rng,
    ids: &mut Ids,
    names: &mut Names,
    rep: &Rep,
    account: &Account,
    opportunity_created: i64,
    opportunity: &str,
) -> Result<String> {
    ids.lead += 1;
    let key = format!("L{}", ids.lead);
    let created = opportunity_created - rng.i64(1..10) * DAY - rng.i64(0..DAY);
    let touched = created + rng.i64(600..40 * 3600);
    let source = if rng.f64() < 0.7 { "company" } else { "self" };
    out.row(
        LEADS,
        &[
            &key,
            &format_timestamp(created),
            source,
            &rep.key,
            &account.key,
            &names.full(),
            "",
            "converted",
            &format_timestamp(touched),
            opportunity,
        ],
    )?;
    Ok(key)
}

/// Company-generated leads that did not become opportunities: a careful rep touches every one
/// within 48 hours; the others leave some for later and some never.
#[allow(clippy::too_many_arguments)]
fn write_company_leads(
    out: &mut Writers,
    rng: &mut fastrand::Rng,
    ids: &mut Ids,
    names: &mut Names,
    rep: &Rep,
    month: i64,
    days: i64,
    history: History,
) -> Result<()> {
    for _ in 0..poisson(rng, 4.0) {
        let created = month * DAY + rng.i64(0..days * DAY);
        if created > history.end_secs() {
            continue;
        }
        ids.lead += 1;
        let roll = rng.f64();
        let (touched, status) = if roll < rep.profile.neglects_leads {
            (None, "new")
        } else if roll < rep.profile.neglects_leads + rep.profile.late_leads {
            (Some(created + rng.i64(48 * 3600..10 * DAY)), pick(rng, &["working", "disqualified"]))
        } else {
            (Some(created + rng.i64(300..48 * 3600)), pick(rng, &["working", "qualified", "disqualified"]))
        };
        let touched = touched.filter(|t| *t <= history.end_secs());
        let name = names.full();
        out.row(
            LEADS,
            &[
                &format!("L{}", ids.lead),
                &format_timestamp(created),
                "company",
                &rep.key,
                &format!("{} {}", pick(rng, COMPANY_PREFIXES), pick(rng, COMPANY_SUFFIXES)),
                &name,
                &format!("{}@prospect.example", name.to_lowercase().replace(' ', ".")),
                if touched.is_none() { "new" } else { status },
                &touched.map(format_timestamp).unwrap_or_default(),
                "",
            ],
        )?;
    }
    Ok(())
}

/// Prospecting calls and emails every workday, a weekly sales meeting, a quarterly event, and
/// estimates beyond those of proposals: a careful rep issues three per deal of each product
/// line's quota (the standard), the others a few.
#[allow(clippy::too_many_arguments)]
fn write_month_activity(
    out: &mut Writers,
    rng: &mut fastrand::Rng,
    ids: &mut Ids,
    rep: &Rep,
    month: i64,
    days: i64,
    history: History,
    deals_per_line: i64,
) -> Result<()> {
    let trend = if history.in_last_year(month) { rep.profile.trend } else { 1.0 };
    for day in month..(month + days).min(history.as_of + 1) {
        let weekday = weekday(day);
        if weekday >= 5 {
            continue;
        }
        let mut log = |rng: &mut fastrand::Rng, kind: &str, outcome: &str, with_account: bool| -> Result<()> {
            ids.activity += 1;
            let t = day * DAY + 8 * 3600 + rng.i64(0..9 * 3600);
            let account = &rep.accounts[rng.usize(0..rep.accounts.len())];
            out.row(
                ACTIVITIES,
                &[
                    &format!("X{}", ids.activity),
                    &rep.key,
                    kind,
                    &format_timestamp(t),
                    if with_account { &account.key } else { "" },
                    "",
                    "",
                    outcome,
                ],
            )
        };
        for _ in 0..poisson(rng, rep.profile.cold_calls_per_day * trend) {
            let outcome = if rng.f64() < rep.profile.cold_call_connect_rate { "connected" } else { "no_answer" };
            let with_account = rng.f64() < 0.5;
            log(rng, "cold_call", outcome, with_account)?;
        }
        for _ in 0..poisson(rng, 1.5) {
            log(rng, "email", "completed", true)?;
        }
        if weekday == 0 {
            let outcome = if rng.f64() < 0.9 { "completed" } else { "cancelled" };
            log(rng, "meeting", outcome, false)?;
        }
        let (_, month_number, day_of_month) = civil(day);
        if month_number % 3 == 0 && day_of_month == 15 {
            log(rng, "event", "completed", false)?;
        }
    }
    let issued_until = (month + days - 1).min(history.as_of);
    for line in 0..PRODUCT_LINES.len() {
        let estimates = match rep.profile.estimates_diligently {
            true => 3 * deals_per_line as u64 + rng.u64(1..3),
            false => poisson(rng, 0.5 + 1.5 * rep.profile.discipline),
        };
        for _ in 0..estimates {
            ids.estimate += 1;
            let amount = (rep.profile.deal_cents * (0.5 * normal(rng)).exp()).round() as i64 / 100 * 100;
            out.row(
                ESTIMATES,
                &[
                    &format!("E{}", ids.estimate),
                    "",
                    &rep.key,
                    &format!("PL{}", line + 1),
                    &money(amount),
                    &format_date(month + rng.i64(0..(issued_until - month + 1).max(1))),
                    pick(rng, &["draft", "sent", "sent", "rejected"]),
                ],
            )?;
        }
    }
    Ok(())
}

/// A rep's quotas of one month.
#[derive(Clone, Copy)]
struct Quotas {
    year: i64,
    month: u32,
    /// Deals the rep's habits produce in the month, and the stretch the quota adds.
    expected_deals: f64,
    stretch: f64,
    /// Whether the company plan sets the month's revenue and deal quotas.
    planned: bool,
}

impl Quotas {
    fn of(rng: &mut fastrand::Rng, year: i64, month: u32, expected_deals: f64, planned: bool) -> Quotas {
        Quotas { year, month, expected_deals, stretch: 1.05 + 0.15 * rng.f64(), planned }
    }

    fn deals(self) -> i64 {
        (self.expected_deals * self.stretch).round().max(1.0) as i64
    }

    fn deals_per_line(self) -> i64 {
        (self.deals() as f64 / PRODUCT_LINES.len() as f64).round().max(1.0) as i64
    }
}

/// Revenue and deal quotas per month, a little above what the rep's habits produce (unless the
/// company plan sets them); deal quotas per product line too (the "3 × X estimates" standard
/// needs them).
fn write_quotas(out: &mut Writers, rep: &Rep, quotas: Quotas) -> Result<()> {
    let period = format!("{:04}-{:02}", quotas.year, quotas.month);
    if !quotas.planned {
        let revenue = (quotas.expected_deals * quotas.stretch * rep.profile.deal_cents * 1.13 / 100_000.0)
            .round()
            .max(1.0) as i64
            * 1000;
        out.row(QUOTAS, &[&rep.key, &period, "revenue", "", &format!("{revenue}.00")])?;
        out.row(QUOTAS, &[&rep.key, &period, "deals", "", &quotas.deals().to_string()])?;
    }
    for line in 0..PRODUCT_LINES.len() {
        out.row(
            QUOTAS,
            &[&rep.key, &period, "deals", &format!("PL{}", line + 1), &quotas.deals_per_line().to_string()],
        )?;
    }
    Ok(())
}

/// One or two satisfaction scores per account and year, better for careful reps.
fn write_feedback(out: &mut Writers, rng: &mut fastrand::Rng, rep: &Rep, history: History) -> Result<()> {
    let days = history.as_of - history.start + 1;
    for account in &rep.accounts {
        let count = (days as f64 / 365.0 * (1.0 + rng.f64())).round() as usize;
        let mut dates: Vec<i64> = (0..count).map(|_| history.start + rng.i64(0..days)).collect();
        dates.sort_unstable();
        dates.dedup();
        for day in dates {
            let score = (rep.profile.satisfaction + 1.5 * normal(rng)).round().clamp(0.0, 10.0) as i64;
            out.row(FEEDBACK, &[&account.key, &rep.key, &format_date(day), &score.to_string()])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_bundle() -> Result<()> {
        let params = Params { seed: 7, reps: 3, years: 1, as_of: days_from_civil(2026, 6, 30), planned_year: None };
        let (a, b) = (tempfile::tempdir()?, tempfile::tempdir()?);
        let counts = generate(params, a.path())?;
        assert_eq!(counts, generate(params, b.path())?);
        for (file, _) in &counts {
            assert_eq!(std::fs::read(a.path().join(file))?, std::fs::read(b.path().join(file))?, "{file}");
        }
        let other = tempfile::tempdir()?;
        generate(Params { seed: 8, ..params }, other.path())?;
        assert_ne!(
            std::fs::read(a.path().join("opportunities.csv"))?,
            std::fs::read(other.path().join("opportunities.csv"))?
        );
        Ok(())
    }
}
