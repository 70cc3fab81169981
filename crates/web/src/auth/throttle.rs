//! How fast passwords may be guessed, and who is slowed down.
//!
//! # The policy
//!
//! Every failed sign-in is recorded with its account (the SHA-256 of the e-mail typed) and its
//! client's address. Before a password is checked, three counts over the last [`Throttle::window`]
//! are weighed, each with its own number of free failures:
//!
//! - **per account** (every address): guessing one account's password from anywhere;
//! - **per client address** (every account): spraying many accounts from one place;
//! - **overall**: spraying from many places at once.
//!
//! Past its free failures, a scope makes the next attempt wait: the first wait after the last
//! failure in that scope, doubling with each further failure, up to [`MAX_WAIT`]. There is no hard
//! lock: an attempt is refused only until the wait is over, and a refused attempt is not counted,
//! so hammering does not lengthen it. A refusal answers 429 with `Retry-After`.
//!
//! A stranger must not keep the owner out: the per-account and overall counts do not apply at an
//! address the account signed in from successfully in the last [`Throttle::known_for`] (its
//! owner's usual address). There only that address's own failures count, which a stranger
//! elsewhere cannot add to, so the owner's right password gets in at once, or after at most
//! [`MAX_WAIT`] if the owner mistyped it many times.
//!
//! The client address is the connection's peer; behind a reverse proxy (a setting says so) it is
//! the last address of `X-Forwarded-For`, the one the proxy itself appended. IPv6 clients are
//! counted by their /64 network, which one client usually holds whole.

use crate::app::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use chrono::{DateTime, TimeDelta, Utc};
use quotient_store::access::{self, Failures, SignInHistory};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The longest wait: a stranger can slow a new address down to one guess per this, never lock.
pub const MAX_WAIT: TimeDelta = TimeDelta::minutes(15);

/// Free failures of a scope, and the first wait once they are used.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub free: i64,
    pub first_wait: TimeDelta,
}

impl Backoff {
    /// How long after its latest failure a scope makes the next attempt wait.
    fn wait(self, failures: Failures) -> TimeDelta {
        let beyond = failures.count - self.free;
        if beyond < 0 {
            return TimeDelta::zero();
        }
        // 2^10 times the first wait is past MAX_WAIT for any first wait of a second or more.
        let doubled = self.first_wait * 2_i32.pow(beyond.min(10) as u32);
        doubled.min(MAX_WAIT)
    }
}

/// The throttle's settings; [`Throttle::default`] is the policy described above.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    pub per_account: Backoff,
    pub per_client: Backoff,
    pub overall: Backoff,
    /// How far back failures count; older ones are swept.
    pub window: TimeDelta,
    /// How long an address stays the account's usual one after a successful sign-in from it.
    pub known_for: TimeDelta,
    /// How often old failures, old addresses and expired sessions are swept.
    pub sweep_every: std::time::Duration,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            per_account: Backoff { free: 5, first_wait: TimeDelta::seconds(10) },
            per_client: Backoff { free: 20, first_wait: TimeDelta::seconds(10) },
            overall: Backoff { free: 500, first_wait: TimeDelta::seconds(1) },
            window: TimeDelta::hours(1),
            known_for: TimeDelta::days(60),
            sweep_every: std::time::Duration::from_secs(5 * 60),
        }
    }
}

impl Throttle {
    /// The history to weigh at `now`: failures within the window, addresses known within `known_for`.
    pub fn history(
        &self,
        db: &mut quotient_store::Db,
        account_key: &str,
        client: &ClientAddress,
        now: DateTime<Utc>,
    ) -> Result<SignInHistory, quotient_store::StoreError> {
        access::sign_in_history(db, account_key, &client.0, now - self.window, now - self.known_for)
    }

    /// How long the attempt must still wait at `now`; zero when it may be checked.
    pub fn wait(&self, history: &SignInHistory, now: DateTime<Utc>) -> TimeDelta {
        let mut scopes = vec![(self.per_client, history.client)];
        if !history.known_client {
            scopes.push((self.per_account, history.account));
            scopes.push((self.overall, history.overall));
        }
        scopes
            .into_iter()
            .filter_map(|(backoff, failures)| Some(failures.latest? + backoff.wait(failures) - now))
            .max()
            .unwrap_or_default()
            .max(TimeDelta::zero())
    }
}

/// Where a request comes from, as the throttle counts it (at most 45 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl ClientAddress {
    pub fn of(ip: IpAddr) -> ClientAddress {
        ClientAddress(match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let s = v6.segments();
                Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0).to_string() + "/64"
            }
            v4 => v4.to_string(),
        })
    }

    /// The connection's peer, or behind a proxy the last `X-Forwarded-For` entry; "unknown" when
    /// neither is there (a router called without a listener, as in tests).
    fn from_parts(parts: &Parts, behind_proxy: bool) -> ClientAddress {
        let forwarded = behind_proxy
            .then(|| parts.headers.get_all("x-forwarded-for").iter().next_back())
            .flatten()
            .and_then(|list| list.to_str().ok()?.rsplit(',').next())
            .and_then(|last| last.trim().parse::<IpAddr>().ok());
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        forwarded.or(peer).map_or_else(|| ClientAddress("unknown".into()), ClientAddress::of)
    }
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress::from_parts(parts, state.behind_proxy))
    }
}

/// Sweeps old sign-in records every [`Throttle::sweep_every`] while it lives (the server does), so
/// that a stream of failed sign-ins cannot grow the database while nobody signs in.
pub struct Sweeper(tokio::task::JoinHandle<()>);

impl Sweeper {
    pub fn start(state: &AppState) -> Sweeper {
        let (pool, throttle) = (state.pool.clone(), state.throttle);
        Sweeper(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(throttle.sweep_every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let now = Utc::now();
                let (failures_before, addresses_before) = (now - throttle.window, now - throttle.known_for);
                let swept =
                    pool.run(move |db| Ok(access::sweep_sign_in_records(db, failures_before, addresses_before)?)).await;
                match swept {
                    Ok(swept) => tracing::debug!(?swept, "swept sign-in records"),
                    Err(error) => tracing::warn!(%error, "sweeping sign-in records failed; trying again later"),
                }
            }
        }))
    }
}

impl Drop for Sweeper {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(count: i64, seconds_ago: i64, now: DateTime<Utc>) -> Failures {
        Failures { count, latest: Some(now - TimeDelta::seconds(seconds_ago)) }
    }

    #[test]
    fn waits_double_past_the_free_failures_and_stop_at_the_longest() {
        let now = Utc::now();
        let throttle = Throttle::default();
        let account = |count| SignInHistory { account: failures(count, 0, now), ..SignInHistory::default() };
        assert_eq!(throttle.wait(&account(4), now), TimeDelta::zero());
        assert_eq!(throttle.wait(&account(5), now), TimeDelta::seconds(10));
        assert_eq!(throttle.wait(&account(6), now), TimeDelta::seconds(20));
        assert_eq!(throttle.wait(&account(8), now), TimeDelta::seconds(80));
        assert_eq!(throttle.wait(&account(400), now), MAX_WAIT);
        assert_eq!(throttle.wait(&account(i64::MAX), now), MAX_WAIT);
        // The wait runs from the latest failure.
        let later = SignInHistory { account: failures(6, 15, now), ..SignInHistory::default() };
        assert_eq!(throttle.wait(&later, now), TimeDelta::seconds(5));
        let over = SignInHistory { account: failures(6, 25, now), ..SignInHistory::default() };
        assert_eq!(throttle.wait(&over, now), TimeDelta::zero());
    }

    #[test]
    fn at_its_usual_address_an_account_waits_only_for_that_addresss_own_failures() {
        let now = Utc::now();
        let throttle = Throttle::default();
        let attacked = SignInHistory {
            account: failures(1000, 0, now),
            overall: failures(100_000, 0, now),
            client: failures(2, 0, now),
            known_client: false,
        };
        assert_eq!(throttle.wait(&attacked, now), MAX_WAIT);
        let owner = SignInHistory { known_client: true, ..attacked };
        assert_eq!(throttle.wait(&owner, now), TimeDelta::zero());
        let mistyping = SignInHistory { client: failures(21, 0, now), ..owner };
        assert_eq!(throttle.wait(&mistyping, now), TimeDelta::seconds(20));
    }

    #[test]
    fn addresses_are_counted_by_host_or_ipv6_network() {
        assert_eq!(ClientAddress::of("203.0.113.7".parse().expect("ip")).0, "203.0.113.7");
        assert_eq!(ClientAddress::of("::ffff:203.0.113.7".parse().expect("ip")).0, "203.0.113.7");
        assert_eq!(ClientAddress::of("2001:db8:1:2:3:4:5:6".parse().expect("ip")).0, "2001:db8:1:2::/64");
        let longest = ClientAddress::of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff".parse().expect("ip"));
        assert!(longest.0.len() <= access::MAX_KEY_LENGTH, "{}", longest.0);
    }
}
