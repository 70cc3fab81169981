//! What the pages compute from an organisation's data, kept until the organisation's revision
//! moves: every write that changes a KPI raises it in its own transaction (in this process or any
//! other, such as an import from the command line). A request pays one indexed read of the revision
//! instead of recomputing.
//!
//! After a write, the first request computes the value again; requests that arrive while it does
//! are answered with the value before the write instead of waiting for it (under a steady trickle
//! of writes, waiting tripled a dashboard's slowest answers: docs/BENCHMARKS.md). A value is
//! therefore never older than the computation in progress, and a request that finds none in
//! progress always gets the current one.
//!
//! A large subject's value (a page of an organisation of thousands of reps) takes longer to compute
//! than a request may wait, and under a steady trickle of writes one request in every computation
//! would wait for it: such a value is computed beside the requests instead ([`Cache::get_or_refresh`]),
//! and a write shows on it once that computation has ended. Each computation then rests a while
//! before the next, so that the writes of a busy day do not keep a core computing one page.

use crate::error::Error;
use crate::pool::Pool;
use quotient_store::Db;
use quotient_store::kpi::{Directory, Subject};
use quotient_store::orgs::{self, OrgId, Revision};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most values kept; past it, the cache starts again empty (values are cheap to recompute
/// once, and a bound keeps memory flat whatever the traffic).
const CAPACITY: usize = 1024;

/// A value, the revision it was computed at, and when its computation ended and how long it took.
type Entry<V> = (i64, Arc<V>, Instant, Duration);

/// What a value is kept under: its organisation and the page's key.
type Key = (OrgId, String);

/// Values of type `V` by organisation and key, each with the revision it was computed at.
pub struct Cache<V> {
    /// The revision the values depend on.
    kind: Revision,
    entries: Mutex<HashMap<Key, Entry<V>>>,
    /// One lock per key being computed: after a write, the requests that find a key out of date
    /// wait for the first of them to compute it instead of each computing it again (under load,
    /// every write set all of them recomputing the same dashboard at once).
    computing: Mutex<HashMap<Key, Arc<Mutex<()>>>>,
    /// The keys whose computation beside the requests has been asked for and has not ended.
    refreshing: Mutex<std::collections::HashSet<Key>>,
}

impl<V> Cache<V> {
    pub fn new(kind: Revision) -> Self {
        Cache {
            kind,
            entries: Mutex::new(HashMap::new()),
            computing: Mutex::new(HashMap::new()),
            refreshing: Mutex::new(Default::default()),
        }
    }

    /// The value of `key` at the organisation's current revision (or a later one), computed by
    /// `compute` when there is none.
    pub fn get(
        &self,
        db: &mut Db,
        org: OrgId,
        key: String,
        compute: impl FnOnce(&mut Db) -> Result<V, Error>,
    ) -> Result<Arc<V>, Error> {
        let revision = orgs::revision(db, org, self.kind)?;
        let key = (org, key);
        if let Some(value) = self.current(&key, revision) {
            return Ok(value);
        }
        let turn = self.computing.lock().ok().map(|mut computing| {
            if computing.len() >= CAPACITY {
                computing.retain(|_, lock| Arc::strong_count(lock) > 1);
            }
            Arc::clone(computing.entry(key.clone()).or_default())
        });
        let _turn = match turn.as_ref().map(|lock| lock.try_lock()) {
            Some(Ok(turn)) => Some(turn),
            Some(Err(std::sync::TryLockError::WouldBlock)) => match self.previous(&key) {
                Some(value) => return Ok(value),
                None => turn.as_ref().map(|lock| lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner)),
            },
            Some(Err(std::sync::TryLockError::Poisoned(poisoned))) => Some(poisoned.into_inner()),
            None => None,
        };
        // Whoever held the turn before may have computed it.
        if let Some(value) = self.current(&key, revision) {
            return Ok(value);
        }
        let started = Instant::now();
        let value = Arc::new(compute(db)?);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(key, (revision, Arc::clone(&value), Instant::now(), started.elapsed()));
        }
        Ok(value)
    }

    /// The value of `key` whatever its revision.
    fn previous(&self, key: &Key) -> Option<Arc<V>> {
        self.entries.lock().ok()?.get(key).map(|(_, value, _, _)| Arc::clone(value))
    }

    /// The value of `key` if it was computed at `revision` or later.
    fn current(&self, key: &Key, revision: i64) -> Option<Arc<V>> {
        let entries = self.entries.lock().ok()?;
        let (at, value, _, _) = entries.get(key)?;
        (*at >= revision).then(|| Arc::clone(value))
    }

    /// Whether the computation of `key` that ended last rests still: for [`REST`] times as long as
    /// it took.
    fn resting(&self, key: &Key) -> bool {
        let Ok(entries) = self.entries.lock() else { return false };
        entries.get(key).is_some_and(|(_, _, ended, took)| ended.elapsed() < *took * REST)
    }
}

/// How many times as long as a large value's computation took it rests before the next one: the
/// computations of a page that every write puts out of date take at most a third of a core.
const REST: u32 = 2;

impl<V: Send + Sync + 'static> Cache<V> {
    /// Like [`Cache::get`]; for a `large` value out of date, the value at hand at once while it is
    /// computed again on a connection of `pool`, beside the request and once at a time. A value
    /// never computed is computed in the request.
    pub fn get_or_refresh(
        self: &Arc<Self>,
        db: &mut Db,
        org: OrgId,
        key: String,
        large: bool,
        pool: &Pool,
        compute: impl FnOnce(&mut Db) -> Result<V, Error> + Send + 'static,
    ) -> Result<Arc<V>, Error> {
        if large {
            let revision = orgs::revision(db, org, self.kind)?;
            let full = (org, key);
            if let Some(value) = self.current(&full, revision) {
                return Ok(value);
            }
            if let Some(previous) = self.previous(&full) {
                if !self.resting(&full) && self.refreshing.lock().is_ok_and(|mut keys| keys.insert(full.clone())) {
                    // Asked for once: the key is let go when the computation ends or is dropped.
                    let refresh = Refresh { cache: Arc::clone(self), key: full };
                    pool.detach(move |db| {
                        let (cache, (org, key)) = (Arc::clone(&refresh.cache), refresh.key.clone());
                        cache.get(db, org, key, compute).map(drop)
                    });
                }
                return Ok(previous);
            }
            return self.get(db, org, full.1, compute);
        }
        self.get(db, org, key, compute)
    }
}

/// A computation beside the requests asked for: its key is let go when it is dropped.
struct Refresh<V> {
    cache: Arc<Cache<V>>,
    key: Key,
}

impl<V> Drop for Refresh<V> {
    fn drop(&mut self) {
        if let Ok(mut keys) = self.cache.refreshing.lock() {
            keys.remove(&self.key);
        }
    }
}

/// The fewest reps of a large subject, whose values are computed beside the requests.
pub const LARGE: usize = 200;

/// Whether `subject` covers [`LARGE`] reps or more.
pub fn large(directory: &Directory, subject: &Subject) -> bool {
    directory.resolve(subject).is_ok_and(|scope| scope.reps.len() >= LARGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A setting saved as the command line saves it: a write that changes the KPIs.
    fn set_closing_ratio(db: &mut Db, org: OrgId) {
        let directory = quotient_store::kpi::Directory::load(db, org).expect("directory");
        let operator = quotient_store::access::Viewer::operator(org, &directory);
        let command = quotient_store::ops::settings::SaveSettings {
            values: vec![("threshold.closing_ratio".into(), "0.5".into())],
        };
        quotient_store::ops::settings::save_settings(db, &operator, &command).expect("setting");
    }

    /// An organisation in a SQLite file of its own: the folder (kept while it is used), the
    /// database's URL, a connection and the organisation.
    fn organisation() -> (tempfile::TempDir, String, Db, OrgId) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let mut db = quotient_store::open(&url).expect("open");
        let org = orgs::find_or_create(&mut db, "acme", "Acme").expect("org").id;
        (dir, url, db, org)
    }

    #[test]
    fn a_value_is_kept_until_the_revision_moves() {
        let (_dir, _, mut db, org) = organisation();
        let cache: Cache<u32> = Cache::new(Revision::Data);
        let mut computed = 0;
        let mut get = |db: &mut Db| {
            *cache
                .get(db, org, "k".into(), |_| {
                    computed += 1;
                    Ok(computed)
                })
                .expect("value")
        };
        assert_eq!((get(&mut db), get(&mut db)), (1, 1), "computed once");
        // A setting is a write that changes the KPIs.
        set_closing_ratio(&mut db, org);
        assert_eq!(get(&mut db), 2, "computed again after the write");
    }

    /// Requests that find a value out of date together compute it once.
    #[test]
    fn concurrent_requests_compute_a_value_once() {
        let (_dir, url, _db, org) = organisation();
        let cache: Cache<u32> = Cache::new(Revision::Data);
        let computed = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    let mut db = quotient_store::open(&url).expect("open");
                    cache
                        .get(&mut db, org, "k".into(), |_| {
                            std::thread::sleep(std::time::Duration::from_millis(50));
                            Ok(computed.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
                        })
                        .expect("value");
                });
            }
        });
        assert_eq!(computed.into_inner(), 1);
    }

    /// While a write's new value is being computed, other requests get the value before the write
    /// at once; once it is computed, everyone gets it.
    #[test]
    fn requests_during_a_computation_get_the_previous_value() {
        let (_dir, url, mut db, org) = organisation();
        let cache: Cache<&str> = Cache::new(Revision::Data);
        let get = |db: &mut Db, value: &'static str, pause: u64| {
            *cache
                .get(db, org, "k".into(), |_| {
                    std::thread::sleep(std::time::Duration::from_millis(pause));
                    Ok(value)
                })
                .expect("value")
        };
        assert_eq!(get(&mut db, "before", 0), "before");
        set_closing_ratio(&mut db, org);
        std::thread::scope(|scope| {
            let computing = scope.spawn(|| get(&mut quotient_store::open(&url).expect("open"), "after", 300));
            std::thread::sleep(std::time::Duration::from_millis(100));
            let started = std::time::Instant::now();
            assert_eq!(get(&mut db, "unused", 0), "before", "the value before the write, while it is computed");
            assert!(started.elapsed() < std::time::Duration::from_millis(150), "without waiting");
            assert_eq!(computing.join().expect("computed"), "after");
        });
        assert_eq!(get(&mut db, "unused", 0), "after");
    }

    /// A large value out of date is answered at once with the value at hand, and computed again
    /// beside the request: the next requests get the new value.
    #[test]
    fn a_large_value_is_computed_again_beside_the_requests() {
        let (_dir, url, mut db, org) = organisation();
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let pool = Pool::open(&url, 2).expect("pool");
        let cache: Arc<Cache<&str>> = Arc::new(Cache::new(Revision::Data));
        let get = |value: &'static str, pause: u64| {
            let (cache, pool2) = (Arc::clone(&cache), pool.clone());
            runtime
                .block_on(pool.run(move |db| {
                    cache.get_or_refresh(db, org, "k".into(), true, &pool2, move |_| {
                        std::thread::sleep(std::time::Duration::from_millis(pause));
                        Ok(value)
                    })
                }))
                .map(|value| *value)
                .expect("value")
        };
        assert_eq!(get("before", 0), "before", "computed in the request the first time");
        set_closing_ratio(&mut db, org);
        let started = std::time::Instant::now();
        assert_eq!(get("after", 300), "before", "the value at hand after the write");
        assert!(started.elapsed() < std::time::Duration::from_millis(250), "without waiting");
        assert_eq!(get("unused", 0), "before", "while it is computed, without a second computation");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while get("unused", 0) != "after" {
            assert!(std::time::Instant::now() < deadline, "computed beside the requests");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
