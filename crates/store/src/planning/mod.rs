//! Planning and coaching data: what planning reads from history, the company plan and the quotas
//! allocated from it, territory plans, account maps and 1:1 sessions (`PRODUCT.md` §2, §5, §6).

pub mod account_maps;
pub mod company_plan;
mod history;
pub mod one_on_ones;
pub mod quotas;
pub mod territory_plans;

pub use history::{PlanMetric, rep_history, seasonality};
