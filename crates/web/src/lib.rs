//! Quotient's web application: server-rendered pages and the JSON API over the store, with
//! sign-in, sessions, roles and scoping. Handlers extract, authorise, call the store and render.

mod api;
pub mod app;
mod assets;
pub mod auth;
mod cache;
mod charts;
pub mod error;
pub mod i18n;
mod imports;
pub mod pages;
mod panics;
mod params;
pub mod pool;
mod rebuilds;
mod request_id;
mod security_headers;
mod templates;

pub use app::{AppState, router, serve, serve_router};
pub use auth::password;
pub use pool::Pool;
