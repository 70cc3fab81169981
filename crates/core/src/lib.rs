//! Quotient's pure domain: the vocabulary of `PRODUCT.md` and `KPIS.md` as types.
//!
//! Nothing here does I/O. Every function takes plain data and returns plain data, so the rules can be
//! tested by hand-computed cases and reused by the store, the web application and the command line.

pub mod access;
pub mod coaching;
pub mod diagnostics;
pub mod forecast;
pub mod incentives;
pub mod input;
pub mod kpi;
mod lang;
pub mod model;
pub mod money;
pub mod period;
pub mod planning;
pub mod quota_period;
pub mod refusal;
pub mod settings;
pub mod standards;
pub mod work_time;

pub use lang::Lang;
pub use money::Money;
pub use period::Period;
pub use quota_period::QuotaPeriod;
