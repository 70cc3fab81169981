//! String-keyed enumerations: each variant has one stable snake_case key used in the bundle, the
//! database, the API and as the translation key.

/// A text that names no variant of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{given}' is not one of: {}", .allowed.join(", "))]
pub struct UnknownKey {
    pub given: String,
    pub allowed: &'static [&'static str],
}

/// Declares an enum whose variants map one-to-one to stable string keys.
#[macro_export]
macro_rules! keyed_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every key, in declaration order.
            pub const KEYS: &'static [&'static str] = &[$($key),+];

            /// The stable key of this variant.
            pub const fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::model::UnknownKey;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($key => Ok($name::$variant),)+
                    _ => Err($crate::model::UnknownKey { given: text.to_string(), allowed: Self::KEYS }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.key())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::model::{ActivityType, QuotaMetric};

    #[test]
    fn every_key_round_trips() {
        for activity in ActivityType::ALL {
            assert_eq!(activity.key().parse::<ActivityType>().ok(), Some(*activity));
        }
    }

    #[test]
    fn an_unknown_key_lists_the_allowed_ones() {
        let error = "calls".parse::<QuotaMetric>().err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            error,
            "'calls' is not one of: revenue, margin, deals, estimates, first_appointments, cold_calls, call_backs, \
             conversations, appointments_set, field_visits, proposals"
        );
    }
}
