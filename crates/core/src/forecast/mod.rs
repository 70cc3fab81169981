//! Forecasting a period's revenue: the forecast from the data and how accurate calls turn out.

pub mod accuracy;
pub mod model;
