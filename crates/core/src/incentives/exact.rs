//! Exact decimals in the plans file: a string (`"0.05"`) or a JSON number with at most six
//! decimals (`0.05`), never a binary float in a payout.

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The most decimals a JSON number may carry (`INCENTIVES.md` §7).
pub const MAX_NUMBER_DECIMALS: u32 = 6;

/// Reads a decimal as the plans file writes it; see the module's text.
pub fn parse(text: &str) -> Result<Decimal, String> {
    let text = text.trim();
    let plain = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+')
        && !text.ends_with('.')
        && !text.starts_with('.');
    match Decimal::from_str(text) {
        Ok(value) if plain => Ok(value.normalize()),
        _ => Err(format!("'{text}' is not a decimal: write digits with a point, e.g. \"0.05\"")),
    }
}

pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.normalize().to_string())
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    deserializer.deserialize_any(ExactVisitor)
}

struct ExactVisitor;

impl Visitor<'_> for ExactVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal as a string (\"0.05\") or a number with at most 6 decimals")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
        parse(text).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    /// serde_json hands a number with a fraction over as `f64`; its shortest text is what the file
    /// wrote (for up to 15 significant digits), which is read exactly.
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Decimal, E> {
        let text = value.to_string();
        let decimals = text.split_once('.').map_or(0, |(_, fraction)| fraction.len());
        if !value.is_finite() || text.contains(['e', 'E']) || decimals > MAX_NUMBER_DECIMALS as usize {
            return Err(E::custom(format!(
                "{text} has more than {MAX_NUMBER_DECIMALS} decimals: write it as a string, e.g. \"{text}\""
            )));
        }
        parse(&text).map_err(E::custom)
    }
}

/// The same for an optional field (`"gate": "0.5"` or absent or `null`).
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => super::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super")] Decimal);
        Option::<Wrapped>::deserialize(deserializer).map(|wrapped| wrapped.map(|Wrapped(value)| value))
    }
}
