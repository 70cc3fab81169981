//! Contest awards (`INCENTIVES.md` §5): money per unit above a threshold, or prizes by place with
//! ties sharing the place.

use super::plan::{Award, Contest, Prize};
use super::{round_half_away, to_cents};
use crate::Period;
use crate::period::PeriodKind;
use rust_decimal::Decimal;
use serde::Serialize;

impl Contest {
    /// The days the contest runs: from its start up to and including its end (`None` when the
    /// end is before the start, which a checked file never has).
    pub fn days(&self) -> Option<Period> {
        Period::range(self.start, self.end.succ_opt()?)
    }

    /// Whether the contest's awards are decided in `month`: the month holding its end date.
    pub fn decided_in(&self, month: Period) -> bool {
        Period::containing(PeriodKind::Month, month.start()).contains(self.end)
    }
}

/// A participant's measure over the contest (deals, currency units of revenue, or a count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub rep_id: i64,
    #[serde(serialize_with = "super::exact::serialize")]
    pub value: Decimal,
}

/// What one rep wins in a contest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContestAward {
    pub contest: String,
    pub rep_id: i64,
    /// The place shared or held (ranking contests only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<u32>,
    /// The rep's measure.
    #[serde(serialize_with = "super::exact::serialize")]
    pub value: Decimal,
    pub amount_cents: i64,
    /// Prizes in words the rep wins (recognition costs nothing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prizes: Vec<String>,
}

/// Live standings, best first: value descending, then rep id ascending (the earlier id first).
pub fn ranked(standings: &[Standing]) -> Vec<Standing> {
    let mut ranked = standings.to_vec();
    ranked.sort_by(|a, b| b.value.cmp(&a.value).then(a.rep_id.cmp(&b.rep_id)));
    ranked
}

/// The awards of `contest` for the final `standings`; only reps who win something are listed.
///
/// Per unit: `per_unit_cents` × (value − threshold)⁺, rounded half away from zero.
/// Ranking: reps with a value above 0 are ranked; reps with equal values share the first place of
/// their group and hold as many places as they are; money prizes of those places are pooled and
/// split equally, rounded down to the cent, the remaining cents one each to the earlier rep ids;
/// each of them receives every text prize of those places.
pub fn decide_awards(contest: &Contest, standings: &[Standing]) -> Vec<ContestAward> {
    let award = |rep_id, place, value, amount_cents, prizes| ContestAward {
        contest: contest.name.clone(),
        rep_id,
        place,
        value,
        amount_cents,
        prizes,
    };
    match &contest.award {
        Award::PerUnit { per_unit_cents, threshold } => standings
            .iter()
            .filter_map(|standing| {
                let units = standing.value.saturating_sub(threshold.unwrap_or(Decimal::ZERO)).max(Decimal::ZERO);
                let cents = to_cents(round_half_away(units.saturating_mul(Decimal::from(*per_unit_cents))));
                (cents > 0).then(|| award(standing.rep_id, None, standing.value, cents, Vec::new()))
            })
            .collect(),
        Award::Ranking { prizes } => {
            let ranked: Vec<Standing> =
                ranked(standings).into_iter().filter(|standing| standing.value > Decimal::ZERO).collect();
            let mut awards = Vec::new();
            let mut first = 0;
            while first < ranked.len() && first < prizes.len() {
                let value = ranked[first].value;
                let tied = ranked[first..].iter().take_while(|standing| standing.value == value).count();
                let places = prizes.iter().skip(first).take(tied);
                let pool: i64 = places
                    .clone()
                    .filter_map(|prize| match prize {
                        Prize::Cents(cents) => Some(*cents),
                        Prize::Text(_) => None,
                    })
                    .sum();
                let texts: Vec<String> = places
                    .filter_map(|prize| match prize {
                        Prize::Text(text) => Some(text.clone()),
                        Prize::Cents(_) => None,
                    })
                    .collect();
                let count = i64::try_from(tied).unwrap_or(i64::MAX);
                let (each, remainder) = (pool / count, pool % count);
                let place = u32::try_from(first + 1).unwrap_or(u32::MAX);
                for (index, standing) in ranked[first..first + tied].iter().enumerate() {
                    let extra = i64::from(i64::try_from(index).unwrap_or(i64::MAX) < remainder);
                    awards.push(award(standing.rep_id, Some(place), value, each + extra, texts.clone()));
                }
                first += tied;
            }
            awards
        }
    }
}
