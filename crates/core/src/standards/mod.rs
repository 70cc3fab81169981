//! Performance standards (`PRODUCT.md` §3, `KPIS.md`: standards): named rules evaluated per rep
//! and period, each saying pass or fail, the actual figure and the required one.

mod rules;
mod texts;

pub use rules::{StandardKey, StandardRule, Standards};

use crate::{Lang, Period};
use chrono::NaiveDate;
use serde::Serialize;

/// The facts of one rep and period the standards are evaluated on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StandardsFacts {
    /// Revenue ÷ revenue quota of the period.
    pub revenue_attainment: Option<f64>,
    /// Per product line the subject sells (a line of its opportunities, estimates or quotas): its
    /// estimates and deal quota in each month of the period that has begun.
    pub estimates_by_line: Vec<LineEstimates>,
    /// Company-generated leads created in the period, those touched within 48 hours, never touched.
    pub company_leads: i64,
    pub company_leads_touched_in_time: i64,
    pub company_leads_untouched: i64,
    /// Contacts of the rep's accounts, and those with name, address, phone and email all filled.
    pub contacts: i64,
    pub complete_contacts: i64,
    /// Open opportunities without activity for the rule's number of days, and past their close date.
    pub stale_open_opportunities: i64,
    pub past_due_open_opportunities: i64,
    /// Sales meetings and events attended in the period.
    pub meetings_and_events: i64,
    /// Satisfaction scores received in the period on the rep's accounts.
    pub satisfaction_scores: Vec<i64>,
    /// The same scores per account (by the account's name, in any order), to name an unhappy
    /// account; the accounts that are not unhappy may be left out.
    pub satisfaction_by_account: Vec<AccountScores>,
    /// Per product line the rep sells in the period: its name and the demos given on its
    /// opportunities.
    pub demos_by_line: Vec<LineDemos>,
    /// The period's length in months (a quarter 3, a 30-day month 1, a week 7 ÷ 31 in January).
    pub months: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccountScores {
    pub account: String,
    pub scores: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineDemos {
    pub line: String,
    pub demos: i64,
}

/// One product line, judged month by month (`KPIS.md`: "estimates issued in the month per product
/// line").
#[derive(Debug, Clone, PartialEq)]
pub struct LineEstimates {
    pub line: String,
    /// Each month of the period that has begun by the evaluation day, in order.
    pub months: Vec<MonthEstimates>,
}

/// A product line's estimates and deal quota in the part of the period that falls in one month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthEstimates {
    /// The part of the period in the month (the whole month when the period covers it).
    pub piece: Period,
    pub estimates: i64,
    /// The line's deal quotas prorated to the piece by days; `None` when the line has none.
    pub deal_quota: Option<f64>,
}

impl MonthEstimates {
    /// The estimates the piece needs: `target` × its deal quota rounded up, and at least one (a
    /// line without a deal quota needs one estimate a month).
    pub fn required(&self, target: f64) -> f64 {
        // A prorated quota such as 4 × 10 / 30 × 3 may come out a hair above a whole number.
        let needed = (target * self.deal_quota.unwrap_or(0.0) - 1e-9).ceil();
        needed.max(1.0)
    }
}

/// One evaluated standard (for the estimates rule, one per product line).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub standard: StandardKey,
    /// The product line the evaluation is about, for per-line rules.
    pub subject: Option<String>,
    pub passed: bool,
    pub actual: f64,
    pub required: f64,
    /// By how much a failed estimates rule falls short: the estimates missing, summed over the
    /// months that fall short (a month's surplus does not make up for another's gap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortfall: Option<f64>,
    /// The evaluation in words, e.g. "estimates for Storage: 7 of 12".
    pub text: String,
    /// The accounts that made the rule fail (customer satisfaction: those whose mean is below
    /// the target), by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
}

/// Customer satisfaction: the mean score, and NPS = % of scores 9–10 − % of scores 0–6.
pub fn satisfaction(scores: &[i64]) -> (Option<f64>, Option<f64>) {
    if scores.is_empty() {
        return (None, None);
    }
    let n = scores.len() as f64;
    let mean = scores.iter().sum::<i64>() as f64 / n;
    let promoters = scores.iter().filter(|&&s| s >= 9).count() as f64;
    let detractors = scores.iter().filter(|&&s| s <= 6).count() as f64;
    (Some(mean), Some((promoters - detractors) / n * 100.0))
}

/// Whether an account's `scores` make it unhappy: their mean is below the customer satisfaction
/// standard's `target`. Such accounts are named where the standard is evaluated.
pub fn is_unhappy(scores: &[i64], target: f64) -> bool {
    satisfaction(scores).0.is_some_and(|mean| mean < target)
}

/// Evaluates every enabled rule of `standards` on `facts`. A rule with nothing to evaluate (no
/// quota, no leads, no contacts, no scores) is left out rather than passed or failed.
pub fn evaluate(standards: &Standards, facts: &StandardsFacts, lang: Lang) -> Vec<Evaluation> {
    let mut out = Vec::new();
    for rule in standards.rules.iter().filter(|rule| rule.enabled) {
        let mut push = |subject: Option<String>, passed: bool, actual: f64, required: f64| {
            let text = texts::describe(rule.key, subject.as_deref(), actual, required, lang);
            out.push(Evaluation {
                standard: rule.key,
                subject,
                passed,
                actual,
                required,
                shortfall: None,
                text,
                accounts: Vec::new(),
            });
        };
        match rule.key {
            StandardKey::QuotaAttainment => {
                if let Some(attainment) = facts.revenue_attainment {
                    push(None, attainment >= rule.target, attainment, rule.target);
                }
            }
            StandardKey::EstimatesPerProductLine => {
                for line in facts.estimates_by_line.iter().filter(|line| !line.months.is_empty()) {
                    out.push(judge_line(line, rule.target, lang));
                }
            }
            StandardKey::LeadFollowUp => {
                if let Some(share) = crate::kpi::ratio(facts.company_leads_touched_in_time, facts.company_leads) {
                    push(None, share >= rule.target, share, rule.target);
                }
            }
            StandardKey::ContactCompleteness => {
                if let Some(share) = crate::kpi::ratio(facts.complete_contacts, facts.contacts) {
                    push(None, share >= rule.target, share, rule.target);
                }
            }
            StandardKey::CrmCurrency => {
                let lapses = (facts.stale_open_opportunities + facts.past_due_open_opportunities) as f64;
                push(None, lapses == 0.0, lapses, 0.0);
            }
            StandardKey::MeetingsAndEvents => {
                let actual = facts.meetings_and_events as f64;
                push(None, actual >= rule.target, actual, rule.target);
            }
            StandardKey::CustomerSatisfaction => {
                if let (Some(mean), _) = satisfaction(&facts.satisfaction_scores) {
                    let unhappy = unhappy_accounts(&facts.satisfaction_by_account, rule.target);
                    push(None, mean >= rule.target && unhappy.is_empty(), mean, rule.target);
                    if let Some(evaluation) = out.last_mut().filter(|_| !unhappy.is_empty()) {
                        let named = name_unhappy(&unhappy, lang);
                        evaluation.text = format!("{}; {named}", evaluation.text);
                        evaluation.accounts = unhappy;
                    }
                }
            }
            StandardKey::DemosPerProductLine => {
                // The target is per month: a quarter asks for 3, a week for none (0.23 rounds to
                // 0), so a period too short to require a demo leaves the line out.
                let required = (rule.target * facts.months).round();
                for line in facts.demos_by_line.iter().filter(|_| required > 0.0) {
                    let actual = line.demos as f64;
                    push(Some(line.line.clone()), actual >= required, actual, required);
                }
            }
        }
    }
    out
}

/// The months of `period` the estimates rule judges on the evaluation day `as_of`: the part of the
/// period in each month that has begun by then (a month yet to come has nothing to judge).
pub fn judged_months(period: Period, as_of: NaiveDate) -> Vec<Period> {
    period.month_pieces().filter(|piece| piece.start() <= as_of).collect()
}

/// A product line's deal quotas (target, the quota's period) prorated to `piece` by days
/// (`KPIS.md`: attribution); `None` when no deal quota of the line overlaps the piece.
pub fn deal_quota_in(piece: Period, quotas: &[(i64, Period)]) -> Option<f64> {
    // Each quota's overlap with the piece is counted once: every card judges every line's months.
    let mut overlapping = false;
    let mut sum = 0.0;
    for &(target, period) in quotas {
        let shared = period.overlap_days(piece);
        if shared > 0 {
            overlapping = true;
            let (numerator, denominator) = crate::period::prorated_over(target, period, shared);
            sum += numerator as f64 / denominator as f64;
        }
    }
    overlapping.then_some(sum)
}

/// A line passes when every month judged passes; the evaluation adds up the months' figures and
/// names the months that fall short.
fn judge_line(line: &LineEstimates, target: f64, lang: Lang) -> Evaluation {
    let key = StandardKey::EstimatesPerProductLine;
    let (mut actual, mut required, mut shortfall) = (0.0, 0.0, 0.0);
    let mut short_months = Vec::new();
    for month in &line.months {
        let (got, needed) = (month.estimates as f64, month.required(target));
        actual += got;
        required += needed;
        if got < needed {
            shortfall += needed - got;
            short_months.push(crate::QuotaPeriod::month_of(month.piece.start()).to_string());
        }
    }
    let passed = short_months.is_empty();
    let mut text = texts::describe(key, Some(&line.line), actual, required, lang);
    if !passed {
        text.push_str(&texts::short_by(shortfall, &short_months, lang));
    }
    Evaluation {
        standard: key,
        subject: Some(line.line.clone()),
        passed,
        actual,
        required,
        shortfall: (!passed).then_some(shortfall),
        text,
        accounts: Vec::new(),
    }
}

/// How many unhappy accounts a text names; the rest are counted. A team's or an organisation's
/// total may have thousands, all in the evaluation's `accounts`.
const UNHAPPY_NAMED: usize = 5;

/// The unhappy accounts in words: the first [`UNHAPPY_NAMED`] by name, then how many more.
fn name_unhappy(unhappy: &[String], lang: Lang) -> String {
    let named = unhappy[..unhappy.len().min(UNHAPPY_NAMED)].join(", ");
    match unhappy.len().checked_sub(UNHAPPY_NAMED).filter(|&more| more > 0) {
        None => lang.tf("standard.unhappy_accounts", &[("accounts", &named)]),
        Some(more) => {
            lang.tf("standard.unhappy_accounts_more", &[("accounts", &named), ("more", &lang.count(more as i64))])
        }
    }
}

/// The names of the accounts whose mean score is below `target`, in name order. Only these are
/// sorted, not every account with a score: an organisation's total has many.
fn unhappy_accounts(accounts: &[AccountScores], target: f64) -> Vec<String> {
    let mut unhappy: Vec<String> = accounts
        .iter()
        .filter(|account| is_unhappy(&account.scores, target))
        .map(|account| account.account.clone())
        .collect();
    unhappy.sort_unstable();
    unhappy
}

/// How many months `period` spans: each calendar month it overlaps counts by the share of its
/// days inside the period.
pub fn months_in(period: crate::Period) -> f64 {
    let mut months = 0.0;
    let mut month = crate::Period::containing(crate::period::PeriodKind::Month, period.start());
    while month.start() < period.end() {
        months += period.overlap_days(month) as f64 / month.days() as f64;
        month = month.next();
    }
    months
}

#[cfg(test)]
mod tests;
