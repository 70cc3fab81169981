//! How the plans file's JSON is read into the plan's types where the shape depends on a field
//! (`kind`) or on which fields are given (awards, prizes): every field read in its own place, so a
//! mistake inside one names its full JSON path.

use super::plan::{Award, Component, ComponentKind, Credit, CurvePoint, Metric, PlanPeriod, Prize, Tier, TierMode};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindKey {
    Commission,
    Bonus,
}

/// A component as written, kind-specific fields optional until `kind` says which it needs.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentShape {
    key: String,
    metric: Metric,
    #[serde(default)]
    product_line_id: Option<String>,
    credit: Credit,
    period: PlanPeriod,
    #[serde(default)]
    cumulative: bool,
    kind: KindKey,
    #[serde(default)]
    tier_mode: Option<TierMode>,
    #[serde(default)]
    tiers: Option<Vec<Tier>>,
    #[serde(default)]
    target_cents: Option<i64>,
    #[serde(default)]
    curve: Option<Vec<CurvePoint>>,
    #[serde(default, with = "super::exact::option")]
    gate: Option<Decimal>,
    #[serde(default)]
    cap_cents: Option<i64>,
    #[serde(default)]
    clawback_days: Option<u32>,
}

impl TryFrom<ComponentShape> for Component {
    type Error = String;

    fn try_from(shape: ComponentShape) -> Result<Component, String> {
        let kind = match shape.kind {
            KindKey::Commission => match (shape.tier_mode, shape.tiers, shape.target_cents, shape.curve) {
                (Some(tier_mode), Some(tiers), None, None) => ComponentKind::Commission { tier_mode, tiers },
                (_, _, Some(_), _) | (_, _, _, Some(_)) => {
                    return Err(
                        "a commission has no target_cents or curve: remove them, or make it \"kind\": \"bonus\"".into(),
                    );
                }
                _ => return Err("a commission needs tier_mode (retroactive or marginal) and tiers: add them".into()),
            },
            KindKey::Bonus => match (shape.tier_mode, shape.tiers, shape.target_cents, shape.curve) {
                (None, None, Some(target_cents), Some(curve)) => ComponentKind::Bonus { target_cents, curve },
                (Some(_), _, _, _) | (_, Some(_), _, _) => {
                    return Err(
                        "a bonus has no tier_mode or tiers: remove them, or make it \"kind\": \"commission\"".into()
                    );
                }
                _ => return Err("a bonus needs target_cents and curve: add them".into()),
            },
        };
        Ok(Component {
            key: shape.key,
            metric: shape.metric,
            product_line_id: shape.product_line_id,
            credit: shape.credit,
            period: shape.period,
            cumulative: shape.cumulative,
            kind,
            gate: shape.gate,
            cap_cents: shape.cap_cents,
            clawback_days: shape.clawback_days,
        })
    }
}

/// An award as written: `per_unit_cents` (with an optional `threshold`) or `prizes`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwardShape {
    #[serde(default)]
    per_unit_cents: Option<i64>,
    #[serde(default, with = "super::exact::option")]
    threshold: Option<Decimal>,
    #[serde(default)]
    prizes: Option<Vec<Prize>>,
}

impl TryFrom<AwardShape> for Award {
    type Error = String;

    fn try_from(shape: AwardShape) -> Result<Award, String> {
        match (shape.per_unit_cents, shape.threshold, shape.prizes) {
            (Some(per_unit_cents), threshold, None) => Ok(Award::PerUnit { per_unit_cents, threshold }),
            (None, None, Some(prizes)) => Ok(Award::Ranking { prizes }),
            (None, Some(_), Some(_)) => Err("a ranking has no threshold: remove it".into()),
            (Some(_), _, Some(_)) => {
                Err("an award is per unit or by ranking: give per_unit_cents or prizes, not both".into())
            }
            (None, _, None) => Err("no award: give per_unit_cents (and a threshold if any) or prizes".into()),
        }
    }
}

impl<'de> Deserialize<'de> for Prize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Prize, D::Error> {
        deserializer.deserialize_any(PrizeVisitor)
    }
}

struct PrizeVisitor;

impl Visitor<'_> for PrizeVisitor {
    type Value = Prize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an amount in whole cents (10000) or a prize in words (\"a day off\")")
    }

    fn visit_i64<E: de::Error>(self, cents: i64) -> Result<Prize, E> {
        Ok(Prize::Cents(cents))
    }

    fn visit_u64<E: de::Error>(self, cents: u64) -> Result<Prize, E> {
        i64::try_from(cents).map(Prize::Cents).map_err(|_| E::custom(format!("{cents} cents is too large")))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Prize, E> {
        Ok(Prize::Text(text.to_string()))
    }
}
