//! A small pool of store connections, and one writer that commits queued writes together.
//!
//! Store calls are blocking, so each runs on tokio's blocking threads with a connection taken from
//! the pool; at most `size` run at once. The frequent small writes (logging an activity) go to
//! [`Pool::write`] instead: one thread takes every write waiting in the queue and runs them in one
//! transaction, each in its own savepoint, so that a burst of writers pays for one commit instead
//! of queueing for the database's single write lock one by one. A write that only fails at the
//! commit (a deferred foreign key) must not take the others down with it: when a shared commit
//! fails, each write of the batch runs again in a transaction of its own.

use crate::error::Error;
use quotient_store::{Db, Dialect};
use std::sync::{Arc, Mutex};
use tokio::sync::{Semaphore, mpsc, oneshot};

/// The most writes committed together.
const BATCH: usize = 64;

/// How often the write-ahead log is copied back into the database off the writer's path, so that
/// the checkpoint a commit runs when the log has grown finds little left to copy.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
    writes: mpsc::UnboundedSender<Job>,
}

struct Inner {
    url: String,
    idle: Mutex<Vec<Db>>,
    permits: Semaphore,
}

/// A queued write: runs in the batch's transaction, and returns what tells its caller the outcome
/// once the batch has committed (or failed to). It may run more than once: a run whose transaction
/// did not commit left nothing behind, and only the last run's reply is sent.
type Job = Box<dyn FnMut(&mut Db) -> Reply + Send>;
type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;

impl Pool {
    /// A pool over `url`; the first connection is opened (and migrations applied) now, so that a
    /// bad URL fails at start-up.
    pub fn open(url: &str, size: usize) -> Result<Pool, quotient_store::StoreError> {
        let first = quotient_store::open(url)?;
        let first_dialect = first.dialect();
        let writer = Db::open(url)?;
        let (writes, queue) = mpsc::unbounded_channel();
        let writer_url = url.to_string();
        spawn("quotient-writer", move || write_batches(&writer_url, writer, queue))?;
        let inner = Arc::new(Inner {
            url: url.to_string(),
            idle: Mutex::new(vec![first]),
            permits: Semaphore::new(size.max(1)),
        });
        if first_dialect == Dialect::Sqlite {
            let mut checkpointer = Db::open(url)?;
            let alive = Arc::downgrade(&inner);
            spawn("quotient-checkpoints", move || {
                // Until the pool is gone.
                while alive.upgrade().is_some() {
                    std::thread::sleep(CHECKPOINT_EVERY);
                    if let Err(error) = checkpointer.checkpoint() {
                        tracing::warn!(%error, "checkpoint failed");
                    }
                }
            })?;
        }
        Ok(Pool { inner, writes })
    }

    /// Runs `work` with a connection on a blocking thread.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Db) -> Result<T, Error> + Send + 'static,
    {
        let _permit = self.inner.permits.acquire().await.map_err(|_| Error::Unavailable)?;
        let inner = Arc::clone(&self.inner);
        // What the work logs belongs to the request it serves.
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _request = span.enter();
            let taken = inner.idle.lock().map_err(|_| Error::Unavailable)?.pop();
            let mut db = match taken {
                Some(db) => db,
                None => quotient_store::Db::open(&inner.url)?,
            };
            let result = work(&mut db);
            // A connection whose transaction failed midway is rolled back by the store; it is
            // safe to reuse, unless a transaction was left open on it all the same. One the server
            // closed (a restart) is dropped, even before the client has noticed the closed socket:
            // the next request opens a fresh one.
            let lost = db.is_broken()
                || db.in_open_transaction()
                || matches!(&result, Err(Error::Store(error)) if error.is_unavailable());
            if !lost && let Ok(mut idle) = inner.idle.lock() {
                idle.push(db);
            }
            result
        })
        .await
        .map_err(|_| Error::Unavailable)?
    }

    /// Runs `work` with a connection on a blocking thread, beside the request that asks for it:
    /// nobody waits for it, and its error is logged.
    pub fn detach(&self, work: impl FnOnce(&mut Db) -> Result<(), Error> + Send + 'static) {
        let pool = self.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(error) = pool.run(work).await {
                        tracing::warn!(%error, "computing beside the requests failed");
                    }
                });
            }
            Err(_) => tracing::warn!("no runtime to compute beside the requests on"),
        }
    }

    /// Runs `work`, a short write, on the writer: in a transaction shared with the writes queued
    /// beside it, inside its own savepoint. An error of `work` undoes `work` alone, and so does one
    /// that only the commit finds (`work` then runs again alone); the answer comes once the
    /// transaction has committed.
    pub async fn write<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: Fn(&mut Db) -> Result<T, Error> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let answer = Arc::new(Mutex::new(Some(answer)));
        let span = tracing::Span::current();
        let job: Job = Box::new(move |db: &mut Db| {
            let result = span.in_scope(|| db.transaction(&work));
            let answer = Arc::clone(&answer);
            Box::new(move |committed: Result<(), String>| {
                let result = match (result, committed) {
                    (Ok(_), Err(error)) => Err(Error::NotCommitted(error)),
                    (result, _) => result,
                };
                // The caller may have gone away; the write stands.
                if let Some(answer) = answer.lock().ok().and_then(|mut answer| answer.take()) {
                    let _ = answer.send(result);
                }
            })
        });
        self.writes.send(job).map_err(|_| Error::Unavailable)?;
        answered.await.map_err(|_| Error::Unavailable)?
    }
}

fn spawn(name: &str, work: impl FnOnce() + Send + 'static) -> Result<(), quotient_store::StoreError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(work)
        .map(drop)
        .map_err(|source| quotient_store::StoreError::Io { path: name.into(), source })
}

/// The writer's loop: waits for a write, takes whatever else is queued (up to [`BATCH`]), runs them
/// in one transaction and tells each caller the outcome. Ends when the pool is gone.
fn write_batches(url: &str, db: Db, mut queue: mpsc::UnboundedReceiver<Job>) {
    let mut connection = Some(db);
    while let Some(first) = queue.blocking_recv() {
        let mut jobs = vec![first];
        while jobs.len() < BATCH {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        // After a panic or a lost connection, each batch tries a fresh connection until the
        // database answers again; until then its callers hear that the writer is unavailable.
        let mut db = match connection.take().map_or_else(|| Db::open(url), Ok) {
            Ok(db) => db,
            Err(error) => {
                tracing::error!(%error, "the writer cannot reach the database; {} write(s) refused", jobs.len());
                continue;
            }
        };
        let batch = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| commit_batch(&mut db, jobs)));
        if batch.is_err() {
            tracing::error!("a write panicked; its batch was not committed");
        } else if db.is_broken() {
            tracing::warn!("the writer lost its connection; the next write opens another");
        } else {
            connection = Some(db);
        }
    }
}

fn commit_batch(db: &mut Db, mut jobs: Vec<Job>) {
    let mut replies = Vec::with_capacity(jobs.len());
    let committed = db.transaction(|db| {
        replies.extend(jobs.iter_mut().map(|job| job(db)));
        Ok::<_, quotient_store::StoreError>(())
    });
    match committed {
        Err(error) if jobs.len() > 1 => {
            tracing::warn!(%error, writes = jobs.len(), "a batch of writes failed to commit; each runs alone");
            drop(replies);
            for job in jobs {
                commit_batch(db, vec![job]);
            }
        }
        committed => {
            let outcome = committed.map_err(|error| {
                tracing::error!(%error, "a write failed to commit");
                error.to_string()
            });
            for reply in replies {
                reply(outcome.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quotient_store::Value;

    /// Concurrent writes share transactions; one that fails is undone alone, and every caller
    /// hears its own outcome.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_writes_commit_together_and_fail_alone() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let url = format!("sqlite://{}", dir.path().join("writes.db").display());
        let pool = Pool::open(&url, 2).unwrap_or_else(|e| panic!("{e}"));
        pool.run(|db| Ok(db.batch("CREATE TABLE written (n INTEGER NOT NULL)")?))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let writes = (0..40i64).map(|n| {
            let pool = pool.clone();
            tokio::spawn(async move {
                pool.write(move |db| {
                    db.execute("INSERT INTO written (n) VALUES (?)", &[Value::Int(n)])?;
                    // Every third write changes its mind after writing.
                    if n % 3 == 0 { Err(Error::invalid("n", "a multiple of three")) } else { Ok(n) }
                })
                .await
            })
        });
        let mut answers = Vec::new();
        for write in writes.collect::<Vec<_>>() {
            answers.push(write.await.unwrap_or_else(|e| panic!("{e}")));
        }
        for (n, answer) in answers.iter().enumerate() {
            match answer {
                Ok(value) => assert!(n % 3 != 0 && *value == n as i64),
                Err(error) => assert!(n % 3 == 0 && matches!(error, Error::Invalid(_)), "{error}"),
            }
        }
        let stored = pool
            .run(|db| Ok(db.query_map("SELECT n FROM written ORDER BY n", &[], |row| Ok(row.int(0)?.unwrap_or(-1)))?))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored, (0..40).filter(|n| n % 3 != 0).collect::<Vec<i64>>());
    }

    /// A write that only its commit refuses (a deferred foreign key) fails alone: the writes
    /// queued with it commit, and the writer takes the next writes instead of holding the
    /// database's write lock in a transaction left open.
    async fn a_write_refused_at_commit_fails_alone(pool: Pool) {
        pool.run(|db| {
            Ok(db.batch(
                "CREATE TABLE parent (id BIGINT PRIMARY KEY);
                 CREATE TABLE child (id BIGINT PRIMARY KEY,
                     parent_id BIGINT NOT NULL REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
                 INSERT INTO parent (id) VALUES (1);",
            )?)
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        // Every fifth write names a parent that does not exist.
        let parent_of = |n: i64| if n % 5 == 0 { 999 } else { 1 };
        let writes: Vec<_> = (0..40i64)
            .map(|n| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    pool.write(move |db| {
                        let params = [Value::Int(n), Value::Int(parent_of(n))];
                        Ok(db.execute("INSERT INTO child (id, parent_id) VALUES (?, ?)", &params)?)
                    })
                    .await
                })
            })
            .collect();
        for (n, write) in (0..40i64).zip(writes) {
            let answer = write.await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(answer.is_ok(), parent_of(n) == 1, "write {n}: {answer:?}");
        }
        let stored = pool
            .run(|db| Ok(db.query_map("SELECT id FROM child ORDER BY id", &[], |row| Ok(row.int(0)?.unwrap_or(-1)))?))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored, (0..40).filter(|n| n % 5 != 0).collect::<Vec<i64>>());
        // And the next write goes through at once.
        let next = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            pool.write(|db| Ok(db.execute("INSERT INTO parent (id) VALUES (2)", &[])?)),
        )
        .await;
        assert!(matches!(next, Ok(Ok(1))), "{next:?}");
    }

    /// Opens the pool outside the runtime and closes it there too (the PostgreSQL client blocks on
    /// a runtime of its own), and runs the test in one.
    fn with_pool(url: &str, test: impl AsyncFnOnce(Pool)) {
        let pool = Pool::open(url, 2).unwrap_or_else(|e| panic!("{e}"));
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
        runtime.unwrap_or_else(|e| panic!("{e}")).block_on(test(pool.clone()));
        drop(pool);
    }

    #[test]
    fn a_write_refused_at_commit_fails_alone_on_sqlite() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        with_pool(
            &format!("sqlite://{}", dir.path().join("writes.db").display()),
            a_write_refused_at_commit_fails_alone,
        );
    }

    #[test]
    fn a_write_refused_at_commit_fails_alone_on_postgres() {
        if let Some(schema) = quotient_store::testing::TestSchema::create("pool") {
            with_pool(&schema.url, a_write_refused_at_commit_fails_alone);
        }
    }
}
