//! A bonus's payout curve (`INCENTIVES.md` §1): linear between points, 0 below the first point,
//! flat after the last.

use super::plan::CurvePoint;
use rust_decimal::Decimal;

/// The payout factor at `attainment` (multiply by the target).
pub fn payout(curve: &[CurvePoint], attainment: Decimal) -> Decimal {
    let (Some(first), Some(last)) = (curve.first(), curve.last()) else {
        return Decimal::ZERO;
    };
    if attainment < first.attainment {
        return Decimal::ZERO;
    }
    if attainment >= last.attainment {
        return last.payout;
    }
    for pair in curve.windows(2) {
        let (low, high) = (pair[0], pair[1]);
        if attainment >= low.attainment && attainment < high.attainment {
            let span = high.attainment - low.attainment;
            if span.is_zero() {
                return high.payout;
            }
            return low.payout + (attainment - low.attainment) * (high.payout - low.payout) / span;
        }
    }
    last.payout
}
