//! Changing quotas without rewriting history ("start low, raise later"): the months up to and
//! including the current one keep the quotas they had, and a change lands on the months still to
//! come, phased by the same seasonality. A plan beyond what history supports may instead keep every
//! rep at their realistic goal, the rest of the plan left unallocated.

use super::{Allocation, allocate};

/// Why a change cannot be placed on the months to come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FutureError {
    /// The year has no month after the current one.
    NoMonthsLeft,
    /// The months kept already hold more than the new total: it would take a negative quota.
    BelowMonthsPast { kept: i64 },
}

/// The index (0 = January) of the first month of `year` that a change made on a day of
/// (`today_year`, `today_month`) may still touch: the month after the current one; 0 for a year
/// still to come, 12 for a year gone.
pub fn first_open_month(year: i32, today_year: i32, today_month: u32) -> usize {
    match today_year.cmp(&year) {
        std::cmp::Ordering::Less => 0,
        std::cmp::Ordering::Equal => today_month.min(12) as usize,
        std::cmp::Ordering::Greater => 12,
    }
}

/// `amount` phased over the months from `first` on by their `weights`, exactly (the months before
/// `first` are 0). When every one of those months weighs 0 the split is equal.
pub fn phase_from(amount: i64, weights: &[u64; 12], first: usize) -> [i64; 12] {
    let mut months = [0; 12];
    if first < 12 {
        for (month, part) in (first..12).zip(allocate(amount, &weights[first..])) {
            months[month] = part;
        }
    }
    months
}

/// A rep's yearly quota set to `yearly` with the months before `first` kept as they are (`kept`):
/// what they do not already hold is phased over the months from `first` on.
pub fn change_from(kept: &[i64; 12], first: usize, yearly: i64, weights: &[u64; 12]) -> Result<[i64; 12], FutureError> {
    if first >= 12 {
        return Err(FutureError::NoMonthsLeft);
    }
    let held: i64 = kept[..first].iter().sum();
    if yearly < held {
        return Err(FutureError::BelowMonthsPast { kept: held });
    }
    let mut months = phase_from(yearly - held, weights, first);
    months[..first].copy_from_slice(&kept[..first]);
    Ok(months)
}

/// Each rep's quota set to their realistic goal (rounded to a whole unit), phased by `weights`: a
/// plan beyond what history supports, kept at what it supports. The rest of the plan is left
/// unallocated ([`unallocated`]).
pub fn keep_realistic_goals<Id>(allocation: &mut Allocation<Id>, weights: &[u64; 12]) {
    for quota in &mut allocation.reps {
        quota.yearly = quota.realistic.max(0.0).round() as i64;
        quota.monthly = phase_from(quota.yearly, weights, 0);
    }
}

/// The plan minus what the reps' quotas hold: what no rep carries (0 when fully allocated).
pub fn unallocated<Id>(plan: i64, allocation: &Allocation<Id>) -> i64 {
    (plan - allocation.reps.iter().map(|q| q.yearly).sum::<i64>()).max(0)
}

/// An allocation re-placed so that the months before `first` keep the quotas they had (`kept`, by
/// rep): what the allocation asks beyond what they hold (its total minus every rep's kept months)
/// is split over the reps in proportion to their allocated yearly shares and phased over the
/// months from `first` on. The quotas still sum to the allocation's total.
pub fn keep_months_past<Id>(
    allocation: &mut Allocation<Id>,
    kept: impl Fn(&Id) -> [i64; 12],
    first: usize,
    weights: &[u64; 12],
) -> Result<(), FutureError> {
    if first == 0 {
        return Ok(());
    }
    if first >= 12 {
        return Err(FutureError::NoMonthsLeft);
    }
    let kept: Vec<[i64; 12]> = allocation.reps.iter().map(|q| kept(&q.rep)).collect();
    let total: i64 = allocation.reps.iter().map(|q| q.yearly).sum();
    let held: i64 = kept.iter().map(|months| months[..first].iter().sum::<i64>()).sum();
    if total < held {
        return Err(FutureError::BelowMonthsPast { kept: held });
    }
    let shares: Vec<u64> = allocation.reps.iter().map(|q| q.yearly.max(0) as u64).collect();
    let parts = allocate(total - held, &shares);
    for ((quota, months), part) in allocation.reps.iter_mut().zip(&kept).zip(parts) {
        let mut monthly = phase_from(part, weights, first);
        monthly[..first].copy_from_slice(&months[..first]);
        quota.yearly = monthly.iter().sum();
        quota.monthly = monthly;
    }
    Ok(())
}
