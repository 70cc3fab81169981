//! The ids of the organisation's records as types of their own at the operations' boundary, so
//! that an opportunity's id cannot be passed where a rep's is expected. Inside the store an id is
//! the `i64` its table keys on.

macro_rules! ids {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The id as its table keys it.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.trim().parse().map($name)
            }
        }
    )+};
}

ids! {
    /// A person of the directory (a rep or a manager): a row of `reps`.
    RepId,
    AccountId,
    ContactId,
    LeadId,
    OpportunityId,
    ActivityId,
    /// A satisfaction score given on an account: a row of `feedback`.
    FeedbackId,
    /// A 1:1 of a manager with a rep.
    OneOnOneId,
    /// An action agreed in a 1:1.
    ActionId,
    /// A record of a kind named beside it (a form's or a listing's table).
    RecordId,
}
