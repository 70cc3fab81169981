//! Splitting an amount exactly: integer shares that sum to the whole, by the largest-remainder rule.

/// Splits `total` (cents, or a count) in proportion to `weights`. Each part is the floor of its exact
/// share `total × weight ÷ Σ weights`; the units left over go one each to the parts with the largest
/// remainders, ties to the earlier part. The parts sum to `total` exactly. With no weight at all
/// (every weight 0, or none), the split is equal, by the same rule.
pub fn allocate(total: i64, weights: &[u64]) -> Vec<i64> {
    if weights.is_empty() {
        return vec![];
    }
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    let (weights, sum): (Vec<u128>, u128) = if sum == 0 {
        (vec![1; weights.len()], weights.len() as u128)
    } else {
        (weights.iter().map(|&w| u128::from(w)).collect(), sum)
    };
    let magnitude = u128::from(total.unsigned_abs());
    let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, &weight) in weights.iter().enumerate() {
        let exact = magnitude * weight;
        parts.push(exact / sum);
        remainders.push((exact % sum, i));
    }
    let given: u128 = parts.iter().sum();
    let left = (magnitude - given) as usize;
    // Largest remainder first; among equal remainders, the earlier part.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(left) {
        parts[i] += 1;
    }
    let sign = if total < 0 { -1 } else { 1 };
    parts.into_iter().map(|p| sign * p as i64).collect()
}

/// A yearly amount phased over the twelve months by the monthly weights (e.g. the seasonality's
/// month totals), exactly.
pub fn phase(yearly: i64, monthly_weights: &[u64; 12]) -> [i64; 12] {
    let parts = allocate(yearly, monthly_weights);
    let mut months = [0; 12];
    months.copy_from_slice(&parts);
    months
}
