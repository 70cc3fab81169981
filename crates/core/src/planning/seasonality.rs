//! Seasonality: each calendar month's share of the organisation's trailing years.

use chrono::{Datelike, NaiveDate};

/// The months' totals over the trailing years (January first) and the shares they give.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MonthlyIndex {
    /// Per calendar month, the sum over the years used.
    pub totals: [u64; 12],
    /// Per calendar month, its share of the whole (they sum to 1); equal shares without history.
    pub shares: [f64; 12],
    /// How many whole years of history the index rests on.
    pub years: u32,
}

impl MonthlyIndex {
    /// The weights to phase with: the totals, or equal weights when there is no history.
    pub fn weights(&self) -> [u64; 12] {
        if self.totals.iter().all(|&t| t == 0) { [1; 12] } else { self.totals }
    }

    /// An index set by hand: the months' weights (e.g. percentages), January first.
    pub fn from_weights(weights: [u64; 12]) -> MonthlyIndex {
        let sum: u64 = weights.iter().sum();
        let mut shares = [1.0 / 12.0; 12];
        if sum > 0 {
            for (share, &weight) in shares.iter_mut().zip(&weights) {
                *share = weight as f64 / sum as f64;
            }
        }
        MonthlyIndex { totals: weights, shares, years: 0 }
    }

    /// A month's index as a factor around 1 (its share × 12): 1.2 is a month 20% above average.
    pub fn factor(&self, month: u32) -> f64 {
        self.shares[(month.clamp(1, 12) - 1) as usize] * 12.0
    }
}

/// The index from monthly values (the first day of each month → its total, e.g. revenue won in
/// cents), over the `years` (2 or 3) whole years of twelve months that end before `before` (the
/// first month of the plan). Months without a value count as 0; negative values as 0. The history
/// begins with its first month of business: when that lies inside the years, a calendar month is
/// read as its average over the years that reach it, and a month no year reaches (an organisation
/// with eight months of history knows nothing of the other four) as the average of those that are
/// reached — not as a month that sells nothing.
pub fn monthly_index(history: &[(NaiveDate, i64)], before: NaiveDate, years: u32) -> MonthlyIndex {
    let end = NaiveDate::from_ymd_opt(before.year(), before.month(), 1).unwrap_or(before);
    let start = end.with_year(end.year() - years as i32).unwrap_or(end);
    let mut totals = [0u64; 12];
    for &(month, value) in history {
        if month >= start && month < end {
            totals[month.month0() as usize] += value.max(0) as u64;
        }
    }
    let first = history.iter().filter(|&&(month, value)| month >= start && month < end && value > 0).map(|p| p.0).min();
    if let Some(first) = first.filter(|&first| first > start) {
        totals = averaged_over_reached_years(totals, first, end);
    }
    let sum: u64 = totals.iter().sum();
    let shares = if sum == 0 {
        [1.0 / 12.0; 12]
    } else {
        let mut shares = [0.0; 12];
        for (share, &total) in shares.iter_mut().zip(&totals) {
            *share = total as f64 / sum as f64;
        }
        shares
    };
    MonthlyIndex { totals, shares, years }
}

/// Each calendar month's total as an average over the years of `[first, end)` that reach it,
/// scaled by a common multiple of those counts so that the weights stay whole numbers; months no
/// year reaches take the average of the others.
fn averaged_over_reached_years(totals: [u64; 12], first: NaiveDate, end: NaiveDate) -> [u64; 12] {
    let mut reached = [0u64; 12];
    let mut month = first;
    while month < end {
        reached[month.month0() as usize] += 1;
        month = month.checked_add_months(chrono::Months::new(1)).unwrap_or(end);
    }
    let scale = reached.iter().filter(|&&n| n > 0).fold(1u64, |acc, &n| lcm(acc, n));
    let mut averaged = [0u64; 12];
    for ((average, &total), &n) in averaged.iter_mut().zip(&totals).zip(&reached) {
        if let Some(share) = scale.checked_div(n) {
            *average = total.saturating_mul(share);
        }
    }
    let known = reached.iter().filter(|&&n| n > 0).count() as u64;
    let mean = averaged.iter().sum::<u64>() / known.max(1);
    for (average, &n) in averaged.iter_mut().zip(&reached) {
        if n == 0 {
            *average = mean;
        }
    }
    averaged
}

fn lcm(a: u64, b: u64) -> u64 {
    let gcd = |mut x: u64, mut y: u64| {
        while y != 0 {
            (x, y) = (y, x % y);
        }
        x
    };
    a / gcd(a, b) * b
}
