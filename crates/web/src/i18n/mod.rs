//! The languages of the interface are the languages of the product: one catalog file per language in
//! `crates/core/locales/`, chosen by the user's setting, else the browser's `Accept-Language`
//! ([`Locale::negotiate`]). A page is rendered in a `Locale`, which writes its messages, numbers,
//! money and dates.

pub use quotient_core::Lang as Locale;
