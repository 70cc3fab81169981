//! The application: its shared state, the router, and serving it.

use crate::auth::throttle::{self, Throttle};
use crate::auth::{self, sign_in};
use crate::cache::Cache;
use crate::error::Error;
use crate::pool::Pool;
use crate::{api, assets, pages, security_headers};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use quotient_store::Db;
use quotient_store::kpi::Directory;
use quotient_store::orgs::{OrgId, Revision};
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub directories: Directories,
    pub dashboards: Arc<Cache<pages::dashboard::Dashboard>>,
    pub leaderboards: Arc<Cache<pages::leaderboard::Leaderboard>>,
    pub goal_sheets: Arc<Cache<pages::goals::GoalSheet>>,
    pub plan_views: Arc<Cache<pages::plan::Allocation>>,
    pub seasonalities: Arc<Cache<quotient_core::planning::MonthlyIndex>>,
    /// Whether cookies carry `Secure` (served over HTTPS, or anywhere but loopback).
    pub secure_cookies: bool,
    /// Whether a reverse proxy stands in front and names the client in `X-Forwarded-For`.
    pub behind_proxy: bool,
    /// How failed sign-ins slow down the next ones.
    pub throttle: Throttle,
    /// The rollup rebuilds running in the background after a setting changed.
    pub rebuilds: crate::rebuilds::Rebuilds,
    /// The CRM exports uploaded and imported through the import page.
    pub imports: crate::imports::Imports,
}

impl AppState {
    pub fn new(pool: Pool, secure_cookies: bool) -> AppState {
        let dashboards = Arc::new(Cache::new(Revision::Data));
        let seasonalities = Arc::new(Cache::new(Revision::History));
        let (leaderboards, goal_sheets, plan_views) = (
            Arc::new(Cache::new(Revision::Data)),
            Arc::new(Cache::new(Revision::Data)),
            Arc::new(Cache::new(Revision::Data)),
        );
        let (behind_proxy, throttle) = (false, Throttle::default());
        AppState {
            pool,
            directories: Directories::default(),
            dashboards,
            leaderboards,
            goal_sheets,
            plan_views,
            seasonalities,
            secure_cookies,
            behind_proxy,
            throttle,
            rebuilds: crate::rebuilds::Rebuilds::default(),
            imports: crate::imports::Imports::default(),
        }
    }
}

/// Each organisation's [`Directory`] (who reports to whom): every request needs it to scope, and
/// it changes only with an import.
#[derive(Clone)]
pub struct Directories {
    cache: Arc<Cache<Directory>>,
}

impl Default for Directories {
    fn default() -> Self {
        Directories { cache: Arc::new(Cache::new(Revision::Directory)) }
    }
}

impl Directories {
    pub fn get(&self, db: &mut Db, org: OrgId) -> Result<Arc<Directory>, Error> {
        self.cache.get(db, org, String::new(), |db| Ok(Directory::load(db, org)?))
    }
}

/// Every page and API route, behind the authentication middleware.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home::home))
        .route(
            "/sign-in",
            get(sign_in::form).post(sign_in::sign_in).layer(DefaultBodyLimit::max(sign_in::MAX_FORM_BYTES)),
        )
        .route("/sign-out", post(sign_in::sign_out))
        .route("/dashboard", get(pages::dashboard::dashboard))
        .route("/breakdowns", get(pages::breakdowns::page))
        .route("/reps/{rep}", get(pages::scorecard::scorecard))
        .route("/leaderboard", get(pages::leaderboard::leaderboard))
        .route("/earnings", get(pages::earnings::own))
        .route("/reps/{rep}/earnings", get(pages::earnings::of_rep))
        .route("/statements", get(pages::statements::page))
        .route("/statements/export.csv", get(pages::statements::export))
        .route("/statements/{rep}/{period}/approve", post(pages::statements::approve))
        .route("/statements/{rep}/{period}/lock", post(pages::statements::lock))
        .route("/statements/{rep}/{period}/disputes", post(pages::earnings::dispute))
        .route("/disputes/{id}/resolve", post(pages::statements::resolve))
        .route("/incentives", get(pages::incentives::page).post(pages::incentives::save))
        .route("/incentives/preview", post(pages::incentives::preview))
        .route("/goals", get(pages::goals::goals))
        .route("/goals/set", post(pages::goals::set_goals))
        .route("/plan", get(pages::plan::page).post(pages::plan::save))
        .route("/plan/allocate", post(pages::plan::allocate))
        .route("/plan/quotas", post(pages::plan::adjust))
        .route("/territory-plans", get(pages::territory_plans::overview))
        .route("/territory-plans/{rep}", get(pages::territory_plans::page).post(pages::territory_plans::save))
        .route("/territory-plans/{rep}/{step}", post(pages::territory_plans::step))
        .route("/accounts/{id}/map", get(pages::account_map::page))
        .route("/accounts/{id}/feedback", post(pages::account_map::enter_feedback))
        .route("/contacts/{id}/relationship", post(pages::account_map::set_relationship))
        .route("/accounts/{id}/decision-process", post(pages::decision_process::save))
        .route("/reps/{rep}/one-on-ones", get(pages::one_on_ones::list).post(pages::one_on_ones::open))
        .route("/one-on-ones/{id}", get(pages::one_on_ones::page))
        .route("/one-on-ones/{id}/notes", post(pages::one_on_ones::save_notes))
        .route("/one-on-ones/{id}/actions", post(pages::one_on_ones::add_action))
        .route("/one-on-one-actions/{id}", post(pages::one_on_ones::set_done))
        .route("/forecast", get(pages::forecast::page))
        .route("/forecast/call", post(pages::forecast::submit_call))
        .route("/forecast/adjust", post(pages::forecast::adjust_call))
        .route("/forecast/deals/{id}/category", post(pages::forecast::set_category))
        .route("/pipeline", get(pages::pipeline::pipeline))
        .route("/opportunities/{id}/stage", post(pages::pipeline::move_stage))
        .route("/log", get(pages::log_activity::form).post(pages::log_activity::log))
        .route("/settings", get(pages::settings::page).post(pages::settings::save))
        .route("/settings/stages", post(pages::settings::save_stage))
        .route("/settings/stages/{key}/remove", post(pages::settings::remove_stage))
        .route("/settings/gateway-types", post(pages::settings::save_gateway_type))
        .route(
            "/import",
            get(pages::import::page)
                .post(pages::import::upload)
                .layer(DefaultBodyLimit::max(pages::import::MAX_UPLOAD_BYTES)),
        )
        .route("/import/stages", post(pages::import::confirm))
        .route("/import/status", get(pages::import::status))
        .route("/me", get(pages::me::page))
        .route("/me/language", post(pages::me::set_language))
        .route("/me/tokens", post(pages::me::create_token))
        .route("/me/tokens/{id}/revoke", post(pages::me::revoke_token))
        .route("/me/sign-out-everywhere", post(pages::me::sign_out_everywhere))
        .route("/records/{resource}", get(pages::records::list))
        .route("/records/{resource}/export.csv", get(pages::records::export))
        .route("/records/{resource}/new", get(pages::editing::new).post(pages::editing::create))
        .route("/records/{resource}/{id}", get(pages::records::detail))
        .route("/records/{resource}/{id}/edit", get(pages::editing::edit).post(pages::editing::update))
        .route("/records/leads/{id}/convert", get(pages::editing::conversion).post(pages::editing::convert))
        .route("/records/{resource}/{id}/delete", post(pages::records::delete))
        .route("/records/{resource}/{id}/restore", post(pages::records::restore))
        .nest("/api/v1", api::router())
        .route("/assets/{file}", get(assets::serve))
        .layer(middleware::from_fn(crate::error::readable_rejections))
        .layer(middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(middleware::map_response(security_headers::add))
        .layer(middleware::from_fn(crate::request_id::tag))
        .with_state(state)
}

/// Serves the application on `addr` until Ctrl-C, sweeping old sign-in records meanwhile.
pub async fn serve(state: AppState, addr: SocketAddr, on_ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let _sweeper = throttle::Sweeper::start(&state);
    serve_router(router(state), addr, on_ready).await
}

/// Serves `app` (the [`router`], with any routes merged in) on `addr` until Ctrl-C; a handler that
/// panics answers 500 and the server carries on.
pub async fn serve_router(app: Router, addr: SocketAddr, on_ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_ready(listener.local_addr()?);
    // The peer's address is what sign-in throttling counts.
    let app = app
        .layer(middleware::from_fn(crate::panics::answer_panics_with_500))
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
