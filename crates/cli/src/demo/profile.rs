//! Each demo rep's habits, drawn so that the organisation reads like a real sales team: top,
//! median and bottom producers, and each weakness that `KPIS.md` diagnoses in some reps and not in
//! others, so that a flag or a standard separates reps instead of marking nearly all of them.
//!
//! The spreads follow real teams (`../shared/data/maven-crm`, 30 agents over 15 months): revenue
//! per agent from 0.4× to 4× the median, average deal size from 0.4× to 1.4× the median, sales
//! cycles within ±25% of the median, here with a few reps whose cycle is half the median (the best
//! practice to share). A trait is not drawn rep by rep (forty coin tosses may give
//! three weak closers or twenty) but dealt: each trait's share of the reps, rounded, shuffled by
//! the seed, so every seed and every size of organisation shows every diagnosis.

/// A rep's place among the producers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Top,
    Core,
    Bottom,
}

/// What makes one rep's numbers differ from another's.
#[derive(Debug, Clone)]
pub struct Profile {
    /// 0 (sloppiest) … 1 (most careful): how closely the rep keeps the standards.
    pub discipline: f64,
    pub opportunities_per_month: f64,
    pub p_first_appointment: f64,
    /// Of first appointments, the share that reach the gateway (the next step).
    pub p_gateway: f64,
    /// Of those at the gateway, the share that reach a proposal.
    pub p_proposal: f64,
    /// Of proposals, the share won.
    pub p_win: f64,
    /// Median deal size in cents.
    pub deal_cents: f64,
    /// Typical days from creation to close of a won deal.
    pub cycle_days: f64,
    pub cold_calls_per_day: f64,
    /// Of the cold calls that set no appointment, the share that reach someone (a conversation).
    pub cold_call_connect_rate: f64,
    /// Shares of company leads never followed up, and followed up after 48 hours.
    pub neglects_leads: f64,
    pub late_leads: f64,
    /// Every contact with name, address, phone and e-mail.
    pub complete_contacts: bool,
    /// Every open deal touched in the last 30 days and none past its expected close.
    pub keeps_crm_current: bool,
    /// Issues at least three estimates per deal of quota in every product line, every month.
    pub estimates_diligently: bool,
    /// The mean satisfaction score of the rep's accounts.
    pub satisfaction: f64,
    /// New business in the as-of year relative to before: below 1 a rep slipping behind plan,
    /// above 1 one growing past it.
    pub trend: f64,
}

/// The median deal of the organisation, in cents.
const MEDIAN_DEAL_CENTS: f64 = 1_200_000.0;
/// The median sales cycle of a won deal, in days.
const MEDIAN_CYCLE_DAYS: f64 = 60.0;

/// Shares of reps with each trait.
const TOP_PRODUCERS: f64 = 0.2;
const BOTTOM_PRODUCERS: f64 = 0.2;
/// First appointments without a defined next step (first appointment → next step below 65%).
const NO_NEXT_STEP: f64 = 0.2;
/// Reaching the gateway but rarely a proposal (first appointment → proposal below 60%, with the
/// reps above: about a third of the team).
const NO_PROPOSAL: f64 = 0.15;
/// Decision process unknown (closing ratio below 65%).
const WEAK_CLOSERS: f64 = 0.25;
/// Deals 40% or more below the peers' ("leaving money on the table").
const SMALL_DEALS: f64 = 0.2;
/// Cycles 30% or more shorter than the peers' (the best practice to share).
const FAST_CYCLES: f64 = 0.15;
/// Slipping in the as-of year (behind plan, barometer low), and growing.
const SLIPPING: f64 = 0.25;
/// Talking without asking for the meeting (conversation → appointment below 20%).
const WEAK_CONVERTERS: f64 = 0.25;
const GROWING: f64 = 0.25;

/// Each rep's place in one trait's deal: a seeded permutation of `0..reps`, so that
/// `place < dealt(share)` holds for exactly that many reps.
fn deal(rng: &mut fastrand::Rng, reps: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..reps).collect();
    rng.shuffle(&mut order);
    order
}

/// A value between `low` and `high`.
fn between(rng: &mut fastrand::Rng, low: f64, high: f64) -> f64 {
    low + (high - low) * rng.f64()
}

/// The profiles of `reps` reps.
pub fn draw(rng: &mut fastrand::Rng, reps: usize) -> Vec<Profile> {
    let [tier, funnel, closing, deals, cycles, trend, discipline, converting] = [(); 8].map(|()| deal(rng, reps));
    // How many reps of `share`.
    let dealt = |share: f64| (share * reps as f64).round() as usize;
    (0..reps)
        .map(|rep| {
            let tier = tier_of(tier[rep], reps);
            // Evenly spread, with a little noise so that the standards do not fall like dominoes.
            let place = (discipline[rep] as f64 + 0.5) / reps as f64;
            let discipline = (place + 0.15 * (rng.f64() - 0.5)).clamp(0.0, 1.0);
            let (volume, size, first_appointment) = match tier {
                Tier::Top => (38.0, 1.6, 0.70),
                Tier::Core => (28.0, 1.0, 0.64),
                Tier::Bottom => (22.0, 0.85, 0.58),
            };
            let no_next_step = funnel[rep] < dealt(NO_NEXT_STEP);
            let no_proposal = !no_next_step && funnel[rep] < dealt(NO_NEXT_STEP) + dealt(NO_PROPOSAL);
            let small_deals = deals[rep] < dealt(SMALL_DEALS);
            let fast = cycles[rep] < dealt(FAST_CYCLES);
            Profile {
                discipline,
                opportunities_per_month: volume * between(rng, 0.9, 1.1),
                p_first_appointment: first_appointment + between(rng, -0.03, 0.03),
                p_gateway: if no_next_step { between(rng, 0.46, 0.56) } else { between(rng, 0.80, 0.88) },
                p_proposal: if no_proposal { between(rng, 0.56, 0.64) } else { between(rng, 0.86, 0.93) },
                p_win: if closing[rep] < dealt(WEAK_CLOSERS) {
                    between(rng, 0.42, 0.55)
                } else {
                    between(rng, 0.78, 0.88)
                },
                deal_cents: MEDIAN_DEAL_CENTS
                    * size
                    * if small_deals { between(rng, 0.38, 0.46) } else { between(rng, 0.9, 1.2) },
                cycle_days: MEDIAN_CYCLE_DAYS * if fast { between(rng, 0.42, 0.52) } else { between(rng, 0.9, 1.25) },
                cold_calls_per_day: volume / 3.8 * between(rng, 0.9, 1.1),
                cold_call_connect_rate: if converting[rep] < dealt(WEAK_CONVERTERS) {
                    between(rng, 0.5, 0.56)
                } else {
                    between(rng, 0.18, 0.25)
                },
                neglects_leads: if discipline > 0.45 { 0.0 } else { between(rng, 0.05, 0.25) },
                late_leads: if discipline > 0.45 { 0.0 } else { between(rng, 0.1, 0.2) },
                complete_contacts: discipline > 0.5,
                keeps_crm_current: discipline > 0.6,
                estimates_diligently: discipline > 0.4,
                satisfaction: 6.9 + 1.7 * discipline + if tier == Tier::Top { 0.3 } else { 0.0 },
                trend: match trend[rep] {
                    place if place < dealt(SLIPPING) => between(rng, 0.6, 0.75),
                    place if place >= reps - dealt(GROWING) => between(rng, 1.25, 1.4),
                    _ => between(rng, 1.0, 1.1),
                },
            }
        })
        .collect()
}

/// The tier of the rep at `place` of `reps` in the producers' deal.
fn tier_of(place: usize, reps: usize) -> Tier {
    let dealt = |share: f64| (share * reps as f64).round() as usize;
    match place {
        place if place < dealt(TOP_PRODUCERS) => Tier::Top,
        place if place >= reps - dealt(BOTTOM_PRODUCERS) => Tier::Bottom,
        _ => Tier::Core,
    }
}

impl Profile {
    /// The share of opportunities won.
    pub fn expected_win_rate(&self) -> f64 {
        self.p_first_appointment * self.p_gateway * self.p_proposal * self.p_win
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Forty reps: 8 top and 8 bottom producers, 8 without a next step and 6 more without
    /// proposals, 10 weak closers, 8 with small deals, 6 with fast cycles, 10 slipping and 10
    /// growing, 10 talking without asking for the meeting — for any seed.
    #[test]
    fn every_trait_is_dealt_to_its_share_of_the_reps() {
        for seed in [1, 42, 1_000] {
            let profiles = draw(&mut fastrand::Rng::with_seed(seed), 40);
            let count = |test: &dyn Fn(&Profile) -> bool| profiles.iter().filter(|p| test(p)).count();
            let tiers: Vec<Tier> = (0..40).map(|place| tier_of(place, 40)).collect();
            assert_eq!(tiers.iter().filter(|t| **t == Tier::Top).count(), 8);
            assert_eq!(tiers.iter().filter(|t| **t == Tier::Bottom).count(), 8);
            assert_eq!(count(&|p| p.p_gateway < 0.6), 8);
            assert_eq!(count(&|p| p.p_gateway * p.p_proposal < 0.6), 14);
            assert_eq!(count(&|p| p.p_win < 0.6), 10);
            assert_eq!(count(&|p| p.deal_cents / MEDIAN_DEAL_CENTS < 0.7), 8);
            assert_eq!(count(&|p| p.cycle_days / MEDIAN_CYCLE_DAYS < 0.6), 6);
            assert_eq!(count(&|p| p.trend < 0.8), 10);
            assert_eq!(count(&|p| p.trend > 1.2), 10);
            assert_eq!(count(&|p| p.cold_call_connect_rate > 0.4), 10);
            // The most careful rep keeps every habit, the sloppiest none.
            let careful = count(&|p| p.complete_contacts && p.keeps_crm_current && p.estimates_diligently);
            let sloppy = count(&|p| !p.complete_contacts && !p.keeps_crm_current && !p.estimates_diligently);
            assert!(careful >= 10 && sloppy >= 10, "{careful} careful, {sloppy} sloppy");
        }
    }
}
