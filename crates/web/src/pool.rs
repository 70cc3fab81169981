//! A small pool of store connections. Store calls are blocking, so each runs on tokio's blocking
//! threads with a connection taken from the pool; at most `size` run at once.

use crate::error::Error;
use quotient_store::Db;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

struct Inner {
    url: String,
    idle: Mutex<Vec<Db>>,
    permits: Semaphore,
}

impl Pool {
    /// A pool over `url`; the first connection is opened (and migrations applied) now, so that a
    /// bad URL fails at start-up.
    pub fn open(url: &str, size: usize) -> Result<Pool, quotient_store::StoreError> {
        let first = quotient_store::open(url)?;
        Ok(Pool {
            inner: Arc::new(Inner {
                url: url.to_string(),
                idle: Mutex::new(vec![first]),
                permits: Semaphore::new(size.max(1)),
            }),
        })
    }

    /// Runs `work` with a connection on a blocking thread.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Db) -> Result<T, Error> + Send + 'static,
    {
        let _permit = self.inner.permits.acquire().await.map_err(|_| Error::Unavailable)?;
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let taken = inner.idle.lock().map_err(|_| Error::Unavailable)?.pop();
            let mut db = match taken {
                Some(db) => db,
                None => quotient_store::Db::open(&inner.url)?,
            };
            let result = work(&mut db);
            // A connection whose transaction failed midway is rolled back by the store; it is
            // safe to reuse.
            if let Ok(mut idle) = inner.idle.lock() {
                idle.push(db);
            }
            result
        })
        .await
        .map_err(|_| Error::Unavailable)?
    }
}
