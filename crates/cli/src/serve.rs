//! `quotient serve`: the web application and the API.

use anyhow::{Context, Result};
use quotient_web::{AppState, Pool};
use std::net::SocketAddr;

#[derive(clap::Args, Clone)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "QUOTIENT_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Database connections serving requests at once.
    #[arg(long, env = "QUOTIENT_CONNECTIONS", default_value_t = 8)]
    pub connections: usize,
    /// Mark cookies `Secure` (only sent over HTTPS). Default: on unless listening on loopback.
    #[arg(long, env = "QUOTIENT_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// A reverse proxy stands in front: take the client's address (which sign-in throttling counts)
    /// from the last entry of X-Forwarded-For. Off unless every request passes through the proxy.
    #[arg(long, env = "QUOTIENT_BEHIND_PROXY")]
    pub behind_proxy: bool,
}

/// Serves until Ctrl-C; `banner` is printed once the address is bound.
pub fn serve(database_url: &str, args: &ServeArgs, banner: impl FnOnce(SocketAddr)) -> Result<()> {
    let pool = Pool::open(database_url, args.connections).with_context(|| format!("opening {database_url}"))?;
    let secure = args.secure_cookies.unwrap_or(!args.listen.ip().is_loopback());
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the server runtime")?;
    runtime
        .block_on(quotient_web::serve(
            AppState { behind_proxy: args.behind_proxy, ..AppState::new(pool, secure) },
            args.listen,
            banner,
        ))
        .with_context(|| format!("serving on {}", args.listen))
}

pub fn run(database_url: &str, args: &ServeArgs) -> Result<()> {
    serve(database_url, args, |addr| {
        println!("Quotient is serving http://{addr}/ (Ctrl-C stops it)");
    })
}
