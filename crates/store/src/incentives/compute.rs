//! The statements computed: everything a month's statements need is read once for all the reps
//! asked ([`Books::load`]: the year's plans, the credited deals and quotas in two range queries,
//! the kept statements, adjustments and decided awards), then each rep's statements are computed
//! from January on by the engine, month after month, so that a cumulative component's earlier
//! payments and a recoverable draw's balance are what the earlier statements — kept or live —
//! say. A kept (approved or locked) statement stands as kept; a deal of a locked statement whose
//! credit fell since is charged back on the rep's next statement computed live.

use super::changes;
use super::contests;
use super::inputs::{self, CreditedDeal as StoredDeal};
use super::locked::{KeptDigest, LockedSoFar};
use super::plans;
use super::sheet::{AdjustmentSheet, AwardSheet, ComponentSheet, DrawSheet, LineSheet, StatementSheet, StatementState};
use super::statements;
use crate::access::Viewer;
use crate::db::Db;
use crate::error::{Code, Refusal, Result, StoreError};
use crate::ids::OpportunityId;
use crate::kpi::{Directory, Person, Subject};
use crate::ops::incentives::{Earnings, NextTier, PlanPreview, RepCost, TeamCost, WhatIfDeal};
use crate::orgs::OrgId;
use chrono::{Datelike, Months, NaiveDate};
use quotient_core::Period;
use quotient_core::incentives::{
    Adjustment, AdjustmentCause, Component, ComponentRef, ContestAward, Credit, CreditedDeal, Decimal, DrawSpan,
    EarlierYear, LockedPeriod, Metric, PlansFile, PriorStatements, QuotaEntry, RepPlan, Statement, StatementInput,
    adjustments_after_lock, assignments_by_rep, component_measure, component_window, compute_statement, deal_credits,
    next_step, plans_of, round_half_away, to_cents, what_ifs_close, year_bounds,
};
use quotient_core::period::PeriodKind;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// Everything the statements of some reps in one fiscal year are computed from.
pub struct Books<'d> {
    directory: &'d Directory,
    today: NaiveDate,
    file: Option<PlansFile>,
    /// The reps asked who have a plan (or a draw) in the year, by id.
    people: Vec<i64>,
    deals: HashMap<i64, Vec<CreditedDeal>>,
    /// Each deal's external id and name, to name it on its lines.
    names: HashMap<i64, (String, Option<String>)>,
    quotas: HashMap<i64, Vec<QuotaEntry>>,
    kept: HashMap<(i64, String), KeptMonth>,
    adjustments: HashMap<(i64, String), Vec<AdjustmentSheet>>,
    awards: HashMap<(i64, String), Vec<ContestAward>>,
    /// The deals a sheet named by their id alone, as no books read their names: named by
    /// [`Books::named`] before the sheets are handed on.
    unnamed: RefCell<HashSet<i64>>,
    /// The day each deal `clawback_days` may excuse changed last.
    changed_on: HashMap<i64, NaiveDate>,
    /// Each rep's assignments in the plans file, by external id (see `plans_of`).
    assigned: HashMap<String, Vec<(usize, usize)>>,
    /// The books of the year before, kept only when a statement of an earlier year was locked:
    /// a change to a deal of a locked statement is adjusted on the next statement computed live,
    /// whatever its year.
    earlier: Option<Box<Books<'d>>>,
}

/// A kept statement: what the months after it read of it, and the statement as kept, which only
/// the year asked reads (an earlier year's books read its digest alone).
struct KeptMonth {
    digest: KeptDigest,
    sheet: Option<StatementSheet>,
}

/// What a rep's statements up to the end of a year leave to adjust in the years after: per year,
/// the component periods its statements locked.
#[derive(Default)]
struct Carried<'a> {
    years: Vec<CarriedYear<'a>>,
    /// Whether a statement was locked since the last one computed live.
    pending: bool,
}

/// A year's locked component periods as the years after adjust them.
struct CarriedYear<'a> {
    fiscal_year: i32,
    books: RepBooks<'a>,
    changed_on: &'a HashMap<i64, NaiveDate>,
    locked: Vec<LockedPeriod>,
    /// Per deal and component of the year, what statements adjusted since its locks.
    adjusted: PriorStatements,
}

impl CarriedYear<'_> {
    fn engine(&self) -> EarlierYear<'_> {
        EarlierYear {
            fiscal_year: self.fiscal_year,
            plans: &self.books.plans,
            own_deals: self.books.own,
            team_deals: &self.books.team,
            prior: &self.adjusted,
            locked: &self.locked,
            changed_on: self.changed_on,
        }
    }
}

/// One rep's side of the books: their plans and draws, deals and quotas, own and team.
struct RepBooks<'a> {
    person: &'a Person,
    plans: Vec<RepPlan<'a>>,
    draws: Vec<DrawSpan>,
    own: &'a [CreditedDeal],
    team: Vec<CreditedDeal>,
    own_quotas: &'a [QuotaEntry],
    team_quotas: Vec<QuotaEntry>,
}

/// A rep's statements from January to a month: the last one, what each paid, and what the last
/// one was computed on.
struct Sequence {
    last: StatementSheet,
    /// Each month's payable, January first.
    payables: Vec<i64>,
    /// What the statements before the last one had paid.
    prior: PriorStatements,
    /// The locked periods the year to date measures again, as the last statement saw them.
    locked: Vec<LockedPeriod>,
}

/// A month of a sequence: a kept statement, or one computed now (turned into a sheet only when
/// it is the one asked for), or of one computed now only its adjustments after a lock.
enum Month<'k> {
    Kept(&'k KeptMonth),
    Live(Statement),
    Adjusted(Vec<Adjustment>),
}

impl<'d> Books<'d> {
    /// The books of `people` for `year`, with deals closed before `until` and the statements as
    /// of `today`.
    pub fn load(
        db: &mut Db,
        org: OrgId,
        directory: &'d Directory,
        year: i32,
        people: &[i64],
        until: NaiveDate,
        today: NaiveDate,
    ) -> Result<Books<'d>> {
        let file = plans::saved(db, org, year)?;
        let mut books = Books::gather(db, org, directory, file, people, until, today, false, false)?;
        if let Some(first) = statements::first_locked_year(db, org, year)? {
            for earlier in first..year {
                let file = plans::saved(db, org, earlier)?;
                let (_, next) = year_bounds(earlier);
                let mut older = Books::gather(db, org, directory, file, people, next, today, false, true)?;
                older.earlier = books.earlier.take();
                books.earlier = Some(Box::new(older));
            }
        }
        let mut changing = HashSet::new();
        let mut level = Some(&books);
        while let Some(found) = level {
            changing.extend(found.changing_deals());
            level = found.earlier.as_deref();
        }
        if !changing.is_empty() {
            let changed_on = changes::change_days(db, org, &changing, today)?;
            let mut level = Some(&mut books);
            while let Some(found) = level {
                found.changed_on.clone_from(&changed_on);
                level = found.earlier.as_deref_mut();
            }
        }
        Ok(books)
    }

    /// The books of `file`; `replay` leaves out what is kept (statements, adjustments, awards),
    /// to try plans on a past year; `earlier` reads an earlier year's as a later year adjusts its
    /// locked periods: its kept statements and the deals of their windows (no quotas, adjustments
    /// or awards, as none of its statements is computed).
    #[allow(clippy::too_many_arguments)]
    fn gather(
        db: &mut Db,
        org: OrgId,
        directory: &'d Directory,
        file: Option<PlansFile>,
        people: &[i64],
        until: NaiveDate,
        today: NaiveDate,
        replay: bool,
        earlier: bool,
    ) -> Result<Books<'d>> {
        let mut books = Books {
            directory,
            today,
            file: None,
            people: Vec::new(),
            deals: HashMap::new(),
            names: HashMap::new(),
            quotas: HashMap::new(),
            kept: HashMap::new(),
            adjustments: HashMap::new(),
            awards: HashMap::new(),
            unnamed: RefCell::new(HashSet::new()),
            changed_on: HashMap::new(),
            assigned: HashMap::new(),
            earlier: None,
        };
        let Some(file) = file else { return Ok(books) };
        let (first, next) = year_bounds(file.fiscal_year);
        books.assigned = assignments_by_rep(&file).into_iter().map(|(rep, found)| (rep.to_string(), found)).collect();
        let mut credited: HashSet<i64> = HashSet::new();
        for &id in people {
            let Some(person) = directory.person(id) else { continue };
            let (plans, draws) = books.plans_of(&file, &person.external_id);
            if plans.is_empty() && draws.is_empty() {
                continue;
            }
            books.people.push(id);
            credited.insert(id);
            if has_team_credit(&plans) {
                credited.extend(directory.subtree(id));
            }
        }
        books.people.sort_unstable();
        books.people.dedup();
        let asked: HashSet<i64> = books.people.iter().copied().collect();
        if earlier {
            for (rep, period, digest) in statements::digests_of_year(db, org, &asked, file.fiscal_year)? {
                books.kept.insert((rep, period), KeptMonth { digest, sheet: None });
            }
        } else if !replay {
            for kept in statements::of_year(db, org, &asked, file.fiscal_year)? {
                for line in kept.sheet.components.iter().flat_map(|c| &c.lines) {
                    books
                        .names
                        .entry(line.opportunity_id)
                        .or_insert_with(|| (line.opportunity_external_id.clone(), line.name.clone()));
                }
                let digest = KeptDigest::of_sheet(&kept.sheet);
                books.kept.insert((kept.rep_id, kept.period), KeptMonth { digest, sheet: Some(kept.sheet) });
            }
        }
        // An earlier year's books recompute only its locked periods: the deals of their windows.
        let span = if earlier { locked_span(books.kept.values()) } else { Period::range(first, until.min(next)) };
        if let Some(span) = span {
            let product_lines: HashMap<i64, &str> =
                directory.product_lines.iter().map(|(id, (external, _))| (*id, external.as_str())).collect();
            // An earlier year's deals are named only where a statement shows them (see `named`).
            let deals = if earlier {
                inputs::unnamed_credited_deals(db, org, &credited, span)?
            } else {
                inputs::credited_deals(db, org, &credited, span)?
            };
            for deal in deals {
                if !earlier {
                    books
                        .names
                        .entry(deal.opportunity)
                        .or_insert_with(|| (deal.external_id.clone(), deal.name.clone()));
                }
                books.deals.entry(deal.rep).or_default().push(engine_deal(&deal, &product_lines));
            }
            let quotas =
                if earlier { Vec::new() } else { inputs::quotas(db, org, &credited, quota_span(&file, span))? };
            for quota in quotas {
                let Some(metric) = metric_of(&quota.metric) else { continue };
                let product_line = quota.product_line.and_then(|id| product_lines.get(&id)).map(|s| s.to_string());
                books.quotas.entry(quota.rep).or_default().push(QuotaEntry {
                    metric,
                    product_line,
                    period: quota.period,
                    target: quota.target,
                });
            }
        }
        if !replay && !earlier {
            for (rep, period, adjustment) in statements::adjustments_of_year(db, org, &asked, file.fiscal_year)? {
                books.adjustments.entry((rep, period)).or_default().push(adjustment);
            }
            for (period, award) in contests::decided(db, org, directory, &file, today)? {
                if asked.contains(&award.rep_id) {
                    books.awards.entry((award.rep_id, period)).or_default().push(award);
                }
            }
        }
        books.file = Some(file);
        Ok(books)
    }

    /// The deals whose change day a component's `clawback_days` may need: on a locked statement's
    /// component with a window, each deal whose credit today differs from its locked line's (or
    /// that is credited there only now), and each deal an adjustment already trued up.
    fn changing_deals(&self) -> HashSet<i64> {
        let mut found = HashSet::new();
        let Some(file) = &self.file else { return found };
        let windowed = |c: &Component| c.clawback_days.is_some();
        if !file.plans.iter().any(|plan| plan.components.iter().any(windowed)) {
            return found;
        }
        let mut books_of: HashMap<i64, Option<RepBooks>> = HashMap::new();
        for ((rep, _), kept) in self.kept.iter().filter(|(_, kept)| kept.digest.is_locked()) {
            let Some(books) = books_of.entry(*rep).or_insert_with(|| self.rep_books(file, *rep)) else { continue };
            for kept in &kept.digest.components {
                let Some(locked) = &kept.period else { continue };
                let Some((rep_plan, component)) = books.plan_of(&locked.component).filter(|(_, c)| windowed(c)) else {
                    continue;
                };
                let deals = if component.credit == Credit::Team { &books.team[..] } else { books.own };
                let now = deal_credits(component, locked.window, &rep_plan.in_force, deals);
                let then = |deal: i64| -> Decimal {
                    locked.lines.iter().filter(|l| l.opportunity_id == deal).map(|l| l.credited).sum()
                };
                let now_of = |deal: i64| -> Decimal {
                    now.iter().filter(|d| d.opportunity_id == deal).map(|d| d.credited).sum()
                };
                let deals = locked.lines.iter().map(|l| l.opportunity_id).chain(now.iter().map(|d| d.opportunity_id));
                found.extend(deals.filter(|deal| then(*deal) != now_of(*deal)));
            }
        }
        found.extend(self.kept.values().flat_map(|kept| &kept.digest.adjusted).map(|adjusted| adjusted.deal));
        found
    }

    /// The statements of `month` of every rep asked who has a plan, by rep id.
    pub fn statements(&self, db: &mut Db, org: OrgId, month: Period) -> Result<Vec<StatementSheet>> {
        let mut found = Vec::new();
        for &rep in &self.people {
            if let Some(sequence) = self.sequence(rep, month, false) {
                found.push(sequence.last);
            }
        }
        self.named(db, org, &mut found)?;
        Ok(found)
    }

    /// A rep's statement of `month` as shown: kept, or computed now.
    pub fn statement(&self, db: &mut Db, org: OrgId, rep: i64, month: Period) -> Result<Option<StatementSheet>> {
        let mut found: Vec<StatementSheet> = self.sequence(rep, month, false).map(|s| s.last).into_iter().collect();
        self.named(db, org, &mut found)?;
        Ok(found.pop())
    }

    /// A rep's statement of `month` computed now, even when one is kept.
    pub fn live(&self, db: &mut Db, org: OrgId, rep: i64, month: Period) -> Result<Option<StatementSheet>> {
        let mut found: Vec<StatementSheet> = self.sequence(rep, month, true).map(|s| s.last).into_iter().collect();
        self.named(db, org, &mut found)?;
        Ok(found.pop())
    }

    /// Names on `sheets` the deals no books named (an earlier year's, whose names are not read
    /// with its deals): their external id and name now.
    fn named(&self, db: &mut Db, org: OrgId, sheets: &mut [StatementSheet]) -> Result<()> {
        let unnamed = self.unnamed.take();
        if unnamed.is_empty() {
            return Ok(());
        }
        let names = inputs::deal_names(db, org, &unnamed)?;
        for sheet in sheets {
            for line in sheet.components.iter_mut().flat_map(|c| &mut c.lines) {
                if let Some((external_id, name)) = names.get(&line.opportunity_id) {
                    line.opportunity_external_id.clone_from(external_id);
                    line.name.clone_from(name);
                }
            }
            for adjustment in &mut sheet.adjustments {
                if let Some((external_id, _)) = adjustment.opportunity_id.and_then(|id| names.get(&id)) {
                    adjustment.opportunity_external_id = Some(external_id.clone());
                }
            }
        }
        Ok(())
    }

    /// A rep's earnings as of the books' day: the month so far, the year to date, the next steps
    /// and the what-ifs of `open` deals closing today.
    pub fn earnings(&self, db: &mut Db, org: OrgId, rep: i64) -> Result<Earnings> {
        let today = self.today;
        let month = Period::containing(PeriodKind::Month, today);
        let no_plan = || StoreError::from(Refusal::new("rep_id", Code::StatementNoPlan));
        let sequence = self.sequence(rep, month, false).ok_or_else(no_plan)?;
        let year_to_date_cents = sequence.payables.iter().fold(0_i64, |sum, cents| sum.saturating_add(*cents));
        let rep_books = self.file.as_ref().and_then(|file| self.rep_books(file, rep)).ok_or_else(no_plan)?;
        let input = rep_books.input(month, &sequence.prior, &sequence.locked, &self.changed_on, &[], &[]);
        let mut next_steps = Vec::new();
        for rep_plan in rep_books.plans.iter().filter(|p| p.in_force.iter().any(|span| span.contains(today))) {
            for component in &rep_plan.plan.components {
                let Some(measured) = component_measure(&input, rep_plan, component, today) else { continue };
                if let Some(step) = next_step(component, measured.credited, measured.quota) {
                    next_steps.push(NextTier {
                        plan: rep_plan.plan.name.clone(),
                        key: component.key.clone(),
                        attainment: decimal(step.attainment),
                        credited_needed: decimal(step.credited_needed),
                        worth_cents: step.worth_cents,
                    });
                }
            }
        }
        let product_lines: HashMap<i64, &str> =
            self.directory.product_lines.iter().map(|(id, (external, _))| (*id, external.as_str())).collect();
        let open_deals = inputs::open_deals(db, org, rep)?;
        let deals: Vec<CreditedDeal> = open_deals
            .iter()
            .map(|open| CreditedDeal {
                opportunity_id: open.opportunity,
                rep_id: rep,
                closed_on: today,
                amount_cents: open.amount_cents,
                margin_cents: open.margin_cents.unwrap_or(0),
                product_line: open.product_line.and_then(|id| product_lines.get(&id)).map(|s| s.to_string()),
                share: Decimal::ONE,
            })
            .collect();
        let what_ifs = open_deals
            .into_iter()
            .zip(what_ifs_close(&input, &deals))
            .map(|(open, what_if)| WhatIfDeal {
                opportunity_id: OpportunityId(open.opportunity),
                opportunity_external_id: open.external_id,
                name: open.name,
                amount_cents: open.amount_cents,
                adds_cents: what_if.added_cents,
            })
            .collect();
        let mut month = [sequence.last];
        self.named(db, org, &mut month)?;
        let [month] = month;
        Ok(Earnings { month, year_to_date_cents, next_steps, what_ifs })
    }

    /// The plans and draws of the rep with external id `rep` (`rep_plans`, from the assignments
    /// found once for every rep).
    fn plans_of<'a>(&self, file: &'a PlansFile, rep: &str) -> (Vec<RepPlan<'a>>, Vec<DrawSpan>) {
        plans_of(file, self.assigned.get(rep).into_iter().flatten().copied())
    }

    fn rep_books<'a>(&'a self, file: &'a PlansFile, rep: i64) -> Option<RepBooks<'a>> {
        let person = self.directory.person(rep)?;
        let (plans, draws) = self.plans_of(file, &person.external_id);
        if plans.is_empty() && draws.is_empty() {
            return None;
        }
        let own: &[CreditedDeal] = self.deals.get(&rep).map_or(&[], Vec::as_slice);
        let own_quotas: &[QuotaEntry] = self.quotas.get(&rep).map_or(&[], Vec::as_slice);
        let (team, team_quotas) = if has_team_credit(&plans) {
            let subtree = self.directory.subtree(rep);
            let mut team: Vec<CreditedDeal> = own.to_vec();
            let mut rolled: Vec<QuotaEntry> = Vec::new();
            for member in subtree.iter().filter(|id| **id != rep) {
                team.extend(self.deals.get(member).into_iter().flatten().cloned());
                rolled.extend(self.quotas.get(member).into_iter().flatten().cloned());
            }
            (team, team_quotas(own_quotas, rolled))
        } else {
            (Vec::new(), Vec::new())
        };
        Some(RepBooks { person, plans, draws, own, team, own_quotas, team_quotas })
    }

    /// The rep's statements from January to `month`: kept ones as kept (except the last when
    /// `live_last`), the others computed; `None` when the rep has no plan in the year.
    fn sequence(&self, rep: i64, month: Period, live_last: bool) -> Option<Sequence> {
        let file = self.file.as_ref()?;
        let books = self.rep_books(file, rep)?;
        let mut carried = self.carried_into(rep);
        self.run(file, &books, month, live_last, false, &mut carried).0
    }

    /// What the years before this one leave the rep's statements of this year to adjust.
    fn carried_into(&self, rep: i64) -> Carried<'_> {
        self.earlier.as_ref().map(|earlier| earlier.year_end(rep)).unwrap_or_default()
    }

    /// What the rep's statements up to this year's December leave the years after to adjust: the
    /// years before's, less what this year's statements adjusted, and this year's locked periods.
    fn year_end(&self, rep: i64) -> Carried<'_> {
        let mut carried = self.carried_into(rep);
        let Some(file) = self.file.as_ref() else { return carried };
        let Some(books) = self.rep_books(file, rep) else { return carried };
        let year = file.fiscal_year;
        let locked_in_year = (1..=12)
            .any(|m| self.kept.get(&(rep, format!("{year:04}-{m:02}"))).is_some_and(|kept| kept.digest.is_locked()));
        if carried.years.is_empty() && !locked_in_year {
            return Carried::default();
        }
        let december = Period::containing(PeriodKind::Month, year_bounds(year).1.pred_opt().unwrap_or_default());
        let (_, locked, mut adjusted) = self.run(file, &books, december, false, true, &mut carried);
        let periods = locked.at_year_end();
        carried.pending = locked.pending();
        if !periods.is_empty() {
            adjusted.paid.clear();
            carried.years.push(CarriedYear {
                fiscal_year: year,
                books,
                changed_on: &self.changed_on,
                locked: periods,
                adjusted,
            });
        }
        carried
    }

    /// The rep's statements from January to `month` (see [`Books::sequence`]), adjusting what
    /// `carried` holds of the years before; also the locked periods met and what the statements
    /// paid and adjusted, the last one included. `adjusting_only` computes of the months not kept
    /// only the adjustments after a lock (all a later year needs), and no sequence.
    fn run<'a>(
        &'a self,
        file: &PlansFile,
        books: &RepBooks<'a>,
        month: Period,
        live_last: bool,
        adjusting_only: bool,
        carried: &mut Carried<'a>,
    ) -> (Option<Sequence>, LockedSoFar, PriorStatements) {
        let rep = books.person.id;
        let year = file.fiscal_year;
        let mut prior = PriorStatements::default();
        let mut payables = Vec::new();
        let mut locked = LockedSoFar::carrying(carried.pending);
        let mut current = Period::containing(PeriodKind::Month, year_bounds(year).0);
        loop {
            let key = current.to_string();
            let last = current.start() >= month.start() || current.end() >= year_bounds(year).1;
            let kept = self.kept.get(&(rep, key.clone())).filter(|_| !(last && live_last));
            // What the months before paid: the sequence's, of its last month only.
            let before = if last { prior.clone() } else { PriorStatements::default() };
            let computed = match kept {
                Some(kept) => {
                    if kept.digest.is_locked() {
                        locked.add(&kept.digest);
                    }
                    Month::Kept(kept)
                }
                None if adjusting_only => {
                    let (periods, all) = locked.take_for_live();
                    if all {
                        let earlier: Vec<EarlierYear> = carried.years.iter().map(CarriedYear::engine).collect();
                        let input = StatementInput {
                            earlier: &earlier,
                            ..books.input(current, &prior, periods, &self.changed_on, &[], &[])
                        };
                        Month::Adjusted(adjustments_after_lock(&input))
                    } else {
                        Month::Adjusted(Vec::new())
                    }
                }
                None => {
                    let adjustments: Vec<Adjustment> = self
                        .adjustments
                        .get(&(rep, key.clone()))
                        .into_iter()
                        .flatten()
                        .map(engine_adjustment)
                        .collect();
                    let awards = self.awards.get(&(rep, key)).map_or(&[][..], Vec::as_slice);
                    let (periods, all) = locked.take_for_live();
                    let earlier: Vec<EarlierYear> =
                        if all { carried.years.iter().map(CarriedYear::engine).collect() } else { Vec::new() };
                    let input = StatementInput {
                        earlier: &earlier,
                        ..books.input(current, &prior, periods, &self.changed_on, &adjustments, awards)
                    };
                    Month::Live(compute_statement(&input))
                }
            };
            payables.push(computed.add_to(&mut prior, year, &mut carried.years));
            if last {
                let last = match computed {
                    Month::Kept(kept) => kept.sheet.clone(),
                    Month::Live(statement) => Some(self.sheet(books, &statement, current)),
                    Month::Adjusted(_) => None,
                };
                let trued_up = locked.trued_up().to_vec();
                let sequence = last.map(|last| Sequence { last, payables, prior: before, locked: trued_up });
                return (sequence, locked, prior);
            }
            current = current.next();
        }
    }

    /// A deal's external id and name, from this year's books or an earlier year's.
    fn name_of(&self, id: i64) -> Option<&(String, Option<String>)> {
        self.names.get(&id).or_else(|| self.earlier.as_ref()?.name_of(id))
    }

    /// The engine's statement as the operations answer it.
    fn sheet(&self, books: &RepBooks, statement: &Statement, month: Period) -> StatementSheet {
        let name = |id: i64| {
            self.name_of(id).cloned().unwrap_or_else(|| {
                self.unnamed.borrow_mut().insert(id);
                (id.to_string(), None)
            })
        };
        let components = statement
            .components
            .iter()
            .map(|line| {
                let computed = &line.computed;
                ComponentSheet {
                    plan: line.plan.clone(),
                    key: line.key.clone(),
                    metric: books.component(&line.plan, &line.key).map_or_else(String::new, |c| key_of(&c.metric)),
                    window: line.period.clone(),
                    cumulative: line.cumulative,
                    credited: decimal(computed.credited),
                    quota: computed.quota.map(decimal),
                    attainment: computed.earned.attainment.map(decimal),
                    earnings_cents: computed.earned.earnings_cents,
                    paid_before_cents: line.paid_before_cents,
                    due_cents: line.due_cents,
                    no_pay: computed.earned.reason.map(|r| key_of(&r)),
                    capped: computed.earned.capped,
                    lines: computed
                        .lines
                        .iter()
                        .map(|deal| {
                            let (external_id, deal_name) = name(deal.opportunity_id);
                            LineSheet {
                                opportunity_id: deal.opportunity_id,
                                opportunity_external_id: external_id,
                                name: deal_name,
                                closed_on: deal.closed_on.to_string(),
                                credited: decimal(deal.credited),
                                earnings_cents: deal.earnings_cents,
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        let adjustments = statement
            .adjustments
            .iter()
            .map(|adjustment| AdjustmentSheet {
                opportunity_id: adjustment.opportunity_id,
                opportunity_external_id: adjustment.opportunity_id.map(|id| name(id).0),
                plan: adjustment.component.as_ref().map(|c| c.plan.clone()),
                component_key: adjustment.component.as_ref().map(|c| c.key.clone()),
                fiscal_year: adjustment.fiscal_year,
                cause: key_of(&adjustment.cause),
                amount_cents: adjustment.amount_cents,
                note: adjustment.note.clone(),
            })
            .collect();
        let awards = statement
            .awards
            .iter()
            .map(|award| AwardSheet {
                contest: award.contest.clone(),
                place: award.place,
                value: decimal(award.value),
                amount_cents: award.amount_cents,
                prizes: award.prizes.clone(),
            })
            .collect();
        StatementSheet {
            rep_id: books.person.id,
            rep_external_id: books.person.external_id.clone(),
            name: books.person.name.clone(),
            period: month.to_string(),
            state: StatementState::Provisional,
            month_ended: month.end() <= self.today,
            components,
            adjustments,
            awards,
            earnings_cents: statement.earnings_cents,
            draw: statement.draw.map(|draw| DrawSheet {
                kind: key_of(&draw.kind),
                amount_cents: draw.amount_cents,
                advanced_cents: draw.advanced_cents,
                recovered_cents: draw.recovered_cents,
                balance_after_cents: draw.balance_after_cents,
            }),
            payable_cents: statement.payable_cents,
        }
    }
}

impl Month<'_> {
    /// Adds what the month paid to `prior` (per component, the adjustments after a lock per deal
    /// and component, the draw's balance) and what it adjusted of an earlier year to that year
    /// in `carried`, and returns its payable.
    fn add_to(&self, prior: &mut PriorStatements, year: i32, carried: &mut [CarriedYear]) -> i64 {
        let mut paid: Vec<(&str, &str, i64)> = Vec::new();
        let mut adjusted: Vec<(i64, ComponentRef, Option<i32>, i64)> = Vec::new();
        let (balance, payable) =
            match self {
                Month::Kept(kept) => {
                    let kept = &kept.digest;
                    paid.extend(
                        kept.components
                            .iter()
                            .map(|c| (c.reference.plan.as_str(), c.reference.key.as_str(), c.due_cents)),
                    );
                    adjusted
                        .extend(kept.adjusted.iter().map(|a| (a.deal, a.component.clone(), a.fiscal_year, a.cents)));
                    (kept.draw_balance_cents, kept.payable_cents)
                }
                Month::Live(statement) => {
                    paid.extend(statement.components.iter().map(|l| (l.plan.as_str(), l.key.as_str(), l.due_cents)));
                    adjusted.extend(statement.adjustments.iter().filter_map(|a| {
                        Some((a.opportunity_id?, a.component.clone()?, a.fiscal_year, a.amount_cents))
                    }));
                    (statement.draw.map(|draw| draw.balance_after_cents), statement.payable_cents)
                }
                Month::Adjusted(adjustments) => {
                    adjusted.extend(adjustments.iter().filter_map(|a| {
                        Some((a.opportunity_id?, a.component.clone()?, a.fiscal_year, a.amount_cents))
                    }));
                    (None, 0)
                }
            };
        for (plan, key, cents) in paid {
            let reference = ComponentRef { plan: plan.to_string(), key: key.to_string() };
            *prior.paid.entry(reference).or_default() += cents;
        }
        for (deal, reference, fiscal_year, cents) in adjusted {
            let into = match fiscal_year.filter(|earlier| *earlier != year) {
                None => &mut prior.adjusted,
                Some(earlier) => match carried.iter_mut().find(|c| c.fiscal_year == earlier) {
                    Some(found) => &mut found.adjusted.adjusted,
                    None => continue,
                },
            };
            *into.entry((deal, reference)).or_default() += cents;
        }
        if let Some(balance) = balance {
            prior.draw_balance_cents = balance;
        }
        payable
    }
}

impl RepBooks<'_> {
    fn input<'s>(
        &'s self,
        month: Period,
        prior: &'s PriorStatements,
        locked: &'s [LockedPeriod],
        changed_on: &'s HashMap<i64, NaiveDate>,
        adjustments: &'s [Adjustment],
        awards: &'s [ContestAward],
    ) -> StatementInput<'s> {
        StatementInput {
            rep_id: self.person.id,
            month,
            plans: &self.plans,
            draws: &self.draws,
            own_deals: self.own,
            team_deals: &self.team,
            own_quotas: self.own_quotas,
            team_quotas: &self.team_quotas,
            prior,
            locked,
            changed_on,
            earlier: &[],
            adjustments,
            awards,
        }
    }

    fn plan_of(&self, reference: &ComponentRef) -> Option<(&RepPlan<'_>, &Component)> {
        self.plans
            .iter()
            .filter(|p| p.plan.name == reference.plan)
            .find_map(|p| p.plan.components.iter().find(|c| c.key == reference.key).map(|component| (p, component)))
    }

    fn component(&self, plan: &str, key: &str) -> Option<&Component> {
        self.plans.iter().filter(|p| p.plan.name == plan).flat_map(|p| &p.plan.components).find(|c| c.key == key)
    }
}

/// The quota rows the statements of `deals` (the year's span read) and the what-ifs of its last
/// day measure: from the year's start to the end of the latest window of any component on that
/// day (a quarter's, a year's), within the year.
fn quota_span(file: &PlansFile, deals: Period) -> Period {
    let last = deals.end().pred_opt().unwrap_or(deals.start());
    let reach = file.plans.iter().flat_map(|plan| &plan.components).map(|c| component_window(c, last).end()).max();
    let year_end = Period::containing(PeriodKind::Year, deals.start()).end();
    Period::range(deals.start(), reach.unwrap_or(deals.end()).max(deals.end()).min(year_end)).unwrap_or(deals)
}

/// From the first day to the last of the windows of the locked statements' components.
fn locked_span<'s>(kept: impl Iterator<Item = &'s KeptMonth>) -> Option<Period> {
    let windows = kept
        .filter(|kept| kept.digest.is_locked())
        .flat_map(|kept| &kept.digest.components)
        .filter_map(|component| component.window);
    let (start, end) =
        windows.fold(None, |span: Option<(NaiveDate, NaiveDate)>, window| {
            Some(span.map_or((window.start(), window.end()), |(start, end)| {
                (start.min(window.start()), end.max(window.end()))
            }))
        })?;
    Period::range(start, end)
}

fn has_team_credit(plans: &[RepPlan]) -> bool {
    plans.iter().any(|p| p.plan.components.iter().any(|c| c.credit == Credit::Team))
}

/// A team's quotas (`INCENTIVES.md` §1): the manager's own for each metric and product line they
/// have one of, else the roll-up of the subtree's.
fn team_quotas(own: &[QuotaEntry], rolled: Vec<QuotaEntry>) -> Vec<QuotaEntry> {
    let set: HashSet<(Metric, Option<&str>)> = own.iter().map(|q| (q.metric, q.product_line.as_deref())).collect();
    let mut quotas = own.to_vec();
    quotas.extend(rolled.into_iter().filter(|q| !set.contains(&(q.metric, q.product_line.as_deref()))));
    quotas
}

fn engine_deal(deal: &StoredDeal, product_lines: &HashMap<i64, &str>) -> CreditedDeal {
    CreditedDeal {
        opportunity_id: deal.opportunity,
        rep_id: deal.rep,
        closed_on: deal.closed_on,
        amount_cents: deal.amount_cents,
        margin_cents: deal.margin_cents.unwrap_or(0),
        product_line: deal.product_line.and_then(|id| product_lines.get(&id)).map(|s| s.to_string()),
        share: Decimal::from(deal.share_pct) / Decimal::from(100),
    }
}

fn engine_adjustment(adjustment: &AdjustmentSheet) -> Adjustment {
    Adjustment {
        opportunity_id: adjustment.opportunity_id,
        component: None,
        fiscal_year: None,
        cause: if adjustment.cause == "dispute" { AdjustmentCause::Dispute } else { AdjustmentCause::Manual },
        amount_cents: adjustment.amount_cents,
        note: adjustment.note.clone(),
    }
}

fn metric_of(key: &str) -> Option<Metric> {
    match key {
        "revenue" => Some(Metric::Revenue),
        "margin" => Some(Metric::Margin),
        "deals" => Some(Metric::Deals),
        _ => None,
    }
}

/// An exact decimal as text, without trailing zeros.
fn decimal(value: Decimal) -> String {
    value.normalize().to_string()
}

/// The key a unit enum serialises to (`"no_quota"`).
fn key_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Whose statements a subject holds: a rep; a manager and their subtree; everyone.
pub fn people_of(directory: &Directory, subject: &Subject) -> Result<Vec<i64>> {
    Ok(match subject {
        Subject::Organisation => directory.people.iter().map(|p| p.id).collect(),
        Subject::Team(manager) => {
            let manager = directory.resolve(&Subject::Rep(manager.clone()))?.reps;
            manager.iter().flat_map(|id| std::iter::once(*id).chain(directory.subtree(*id))).collect()
        }
        other => directory.resolve(other)?.reps,
    })
}

/// Whether a statement has the line a dispute names: a deal (by external id), a component (by
/// key), or `adjustment:N` / `award:N`.
pub fn has_line(sheet: &StatementSheet, line: &str) -> bool {
    let indexed = |prefix: &str, len: usize| {
        line.strip_prefix(prefix).and_then(|n| n.parse::<usize>().ok()).is_some_and(|n| n < len)
    };
    sheet.components.iter().any(|c| c.key == line || c.lines.iter().any(|l| l.opportunity_external_id == line))
        || indexed("adjustment:", sheet.adjustments.len())
        || indexed("award:", sheet.awards.len())
}

/// What `file`'s plans would have paid each rep the caller reaches over the year before its own
/// (its dates moved a year back), and the cost as a share of the revenue they won, per team and
/// in total.
pub fn preview(db: &mut Db, scope: &Viewer, directory: &Directory, file: &PlansFile) -> Result<PlanPreview> {
    let replayed = a_year_earlier(file);
    let (first, next) = year_bounds(replayed.fiscal_year);
    let people: Vec<i64> = directory.people.iter().map(|p| p.id).filter(|id| scope.reaches(*id)).collect();
    let books = Books::gather(db, scope.org, directory, Some(replayed), &people, next, next, true, false)?;
    let december = Period::containing(PeriodKind::Month, next.pred_opt().unwrap_or(first));
    let mut reps = Vec::new();
    for rep in books.people.clone() {
        let Some(sequence) = books.sequence(rep, december, false) else { continue };
        let Some(person) = directory.person(rep) else { continue };
        let revenue: Decimal = books.deals.get(&rep).into_iter().flatten().map(|d| d.credit(Metric::Revenue)).sum();
        reps.push(RepCost {
            rep_id: rep,
            rep_external_id: person.external_id.clone(),
            name: person.name.clone(),
            manager_id: person.manager_id,
            earnings_cents: sequence.payables.iter().fold(0_i64, |sum, cents| sum.saturating_add(*cents)),
            revenue_cents: to_cents(revenue),
        });
    }
    let mut teams: Vec<TeamCost> = Vec::new();
    for rep in &reps {
        let name = rep.manager_id.and_then(|m| directory.person(m)).map_or_else(String::new, |m| m.name.clone());
        match teams.iter_mut().find(|t| t.manager_id == rep.manager_id) {
            Some(team) => {
                team.earnings_cents += rep.earnings_cents;
                team.revenue_cents += rep.revenue_cents;
            }
            None => teams.push(TeamCost {
                manager_id: rep.manager_id,
                name,
                earnings_cents: rep.earnings_cents,
                revenue_cents: rep.revenue_cents,
                cost_share: None,
            }),
        }
    }
    let mut total = TeamCost {
        manager_id: None,
        name: String::new(),
        earnings_cents: reps.iter().map(|r| r.earnings_cents).fold(0, i64::saturating_add),
        revenue_cents: reps.iter().map(|r| r.revenue_cents).fold(0, i64::saturating_add),
        cost_share: None,
    };
    for team in teams.iter_mut().chain(std::iter::once(&mut total)) {
        team.cost_share = cost_share(team.earnings_cents, team.revenue_cents);
    }
    teams.sort_by_key(|t| t.manager_id);
    Ok(PlanPreview { year: first.year(), reps, teams, total })
}

/// Pay ÷ revenue to four decimals (half away from zero), none without revenue.
pub(crate) fn cost_share(earnings_cents: i64, revenue_cents: i64) -> Option<String> {
    (revenue_cents > 0).then(|| {
        let share = Decimal::from(earnings_cents) / Decimal::from(revenue_cents);
        let scale = Decimal::from(10_000);
        decimal(round_half_away(share * scale) / scale)
    })
}

/// `file` with every date a year earlier (29 February becoming the 28th).
fn a_year_earlier(file: &PlansFile) -> PlansFile {
    let back = |day: NaiveDate| day.checked_sub_months(Months::new(12)).unwrap_or(day);
    let mut replayed = file.clone();
    replayed.fiscal_year -= 1;
    for plan in &mut replayed.plans {
        for assignment in &mut plan.assignments {
            assignment.from = back(assignment.from);
            assignment.to = assignment.to.map(back);
        }
    }
    for contest in &mut replayed.contests {
        contest.start = back(contest.start);
        contest.end = back(contest.end);
    }
    replayed
}
