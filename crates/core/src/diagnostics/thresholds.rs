//! The thresholds flags are raised at: `KPIS.md`'s defaults, overridable per organisation.

use serde::Serialize;

/// Shares are fractions (0.65 = 65%); the barometer is in %.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    pub first_appointment_to_next_step: f64,
    pub first_appointment_to_proposal: f64,
    pub closing_ratio: f64,
    pub barometer_pct: f64,
    /// Flag average revenue per sale this share or more below the peers'.
    pub revenue_per_sale_below_peers: f64,
    /// Spot a sales cycle this share or more shorter than the peers'.
    pub cycle_shorter_than_peers: f64,
    /// Flag a top-level-contact share (first appointments at authority level ≥ the cut-off) below this.
    pub top_level_contact_share: f64,
    /// Flag a conversation → appointment ratio below this.
    pub conversation_to_appointment: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            first_appointment_to_next_step: 0.65,
            first_appointment_to_proposal: 0.60,
            closing_ratio: 0.65,
            barometer_pct: 100.0,
            revenue_per_sale_below_peers: 0.40,
            cycle_shorter_than_peers: 0.30,
            // `docs/KPIS.md`: half of the first appointments at the top is what the method aims for.
            top_level_contact_share: 0.50,
            // One conversation in five turning into an appointment: a fixed bar every team can read,
            // rather than a moving team median that flags half of any team.
            conversation_to_appointment: 0.20,
        }
    }
}

/// Why a threshold setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    #[error("'{0}' is not a threshold: use one of {list}", list = Thresholds::KEYS.join(", "))]
    UnknownKey(String),
    #[error("threshold {key} = '{value}': give a number between 0 and {max}")]
    BadValue { key: String, value: String, max: String },
}

impl Thresholds {
    pub const KEYS: [&'static str; 8] = [
        "first_appointment_to_next_step",
        "first_appointment_to_proposal",
        "closing_ratio",
        "barometer_pct",
        "revenue_per_sale_below_peers",
        "cycle_shorter_than_peers",
        "top_level_contact_share",
        "conversation_to_appointment",
    ];

    /// The largest value a threshold takes: 1 for a share, 1000 for the barometer's %.
    pub fn max(key: &str) -> f64 {
        if key == "barometer_pct" { 1000.0 } else { 1.0 }
    }

    /// The threshold named `key`, to read or set.
    pub fn slot_mut(&mut self, key: &str) -> Option<&mut f64> {
        Some(match key {
            "first_appointment_to_next_step" => &mut self.first_appointment_to_next_step,
            "first_appointment_to_proposal" => &mut self.first_appointment_to_proposal,
            "closing_ratio" => &mut self.closing_ratio,
            "barometer_pct" => &mut self.barometer_pct,
            "revenue_per_sale_below_peers" => &mut self.revenue_per_sale_below_peers,
            "cycle_shorter_than_peers" => &mut self.cycle_shorter_than_peers,
            "top_level_contact_share" => &mut self.top_level_contact_share,
            "conversation_to_appointment" => &mut self.conversation_to_appointment,
            _ => return None,
        })
    }

    /// Sets one threshold by its key, as stored in the organisation's settings.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), SettingError> {
        let max = Self::max(key);
        let slot = self.slot_mut(key).ok_or_else(|| SettingError::UnknownKey(key.to_string()))?;
        let bad = || SettingError::BadValue { key: key.to_string(), value: value.to_string(), max: max.to_string() };
        let parsed: f64 = value.trim().parse().map_err(|_| bad())?;
        if !(0.0..=max).contains(&parsed) {
            return Err(bad());
        }
        *slot = parsed;
        Ok(())
    }
}
