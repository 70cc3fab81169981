//! Rows handed from the thread that reads and checks a file to the one that writes them, so that
//! parsing and checking run beside the database's work on a second core. Rows travel in batches,
//! and emptied batches travel back to be filled again.

use crate::db::Value;
use std::sync::mpsc::{self, Receiver, SyncSender};

/// Rows a batch holds before it is handed over.
const BATCH_ROWS: usize = 2048;
/// Full batches waiting for the writer: enough to ride out a slow write, few enough to bound memory.
const BATCHES_WAITING: usize = 4;

/// Parsed rows of `width` values each, with each row's line in the file.
struct Batch {
    values: Vec<Value<'static>>,
    lines: Vec<u64>,
    /// How far the reader was when the batch was handed over: rows and bytes of the file.
    rows_read: u64,
    bytes_read: u64,
}

impl Batch {
    fn new(width: usize) -> Self {
        Batch {
            values: Vec::with_capacity(width * BATCH_ROWS),
            lines: Vec::with_capacity(BATCH_ROWS),
            rows_read: 0,
            bytes_read: 0,
        }
    }
}

/// The reading side: takes rows and hands them over a batch at a time.
pub struct Handoff {
    width: usize,
    batch: Batch,
    full: SyncSender<Batch>,
    empty: Receiver<Batch>,
}

impl Handoff {
    /// Adds a row (its first `width` values; they are copied out of the record they borrow from).
    /// `false` once the writer has stopped: reading on would be wasted.
    pub fn push<'r>(&mut self, row: impl IntoIterator<Item = Value<'r>>, line: u64) -> bool {
        self.batch.values.extend(row.into_iter().take(self.width).map(Value::into_owned));
        self.batch.lines.push(line);
        debug_assert_eq!(
            self.batch.values.len(),
            self.batch.lines.len() * self.width,
            "a row is {} values",
            self.width
        );
        self.batch.lines.len() < BATCH_ROWS || self.hand_over()
    }

    /// Notes how far the reader is, for the progress shown.
    pub fn read_to(&mut self, rows: u64, bytes: u64) {
        (self.batch.rows_read, self.batch.bytes_read) = (rows, bytes);
    }

    fn hand_over(&mut self) -> bool {
        let next = self.empty.try_recv().unwrap_or_else(|_| Batch::new(self.width));
        let (rows, bytes) = (self.batch.rows_read, self.batch.bytes_read);
        let full = std::mem::replace(&mut self.batch, next);
        self.read_to(rows, bytes);
        self.full.send(full).is_ok()
    }
}

/// Runs `read` on a second thread, handing rows of `width` values to `write` on this one, and
/// tells `progress` how far the reader is (rows, bytes) as batches arrive. Returns what `read`
/// returned, or `write`'s first error: the reader then stops at its next row.
pub fn stream<T: Send, E>(
    width: usize,
    read: impl FnOnce(&mut Handoff) -> T + Send,
    mut write: impl FnMut(&[Value<'static>], u64) -> Result<(), E>,
    mut progress: impl FnMut(u64, u64),
) -> Result<T, E> {
    std::thread::scope(|scope| {
        // Made inside the scope, so that an early return drops the receiver before the scope waits
        // for the reader: its next hand-over fails and it stops.
        let (full_sender, full) = mpsc::sync_channel(BATCHES_WAITING);
        let (empty_sender, empty) = mpsc::channel();
        let reader = scope.spawn(move || {
            let mut handoff = Handoff { width, batch: Batch::new(width), full: full_sender, empty };
            let read = read(&mut handoff);
            handoff.hand_over();
            read
        });
        for mut batch in full.iter() {
            for (row, line) in batch.values.chunks_exact(width).zip(&batch.lines) {
                write(row, *line)?;
            }
            progress(batch.rows_read, batch.bytes_read);
            batch.values.clear();
            batch.lines.clear();
            // The reader may have finished already; the batch is then simply dropped.
            let _ = empty_sender.send(batch);
        }
        Ok(reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_arrives_in_order_with_its_line() {
        let rows = 3 * BATCH_ROWS as i64 + 5;
        let mut seen = Vec::new();
        let read = stream(
            2,
            |handoff| {
                for n in 0..rows {
                    handoff.read_to(n as u64 + 1, 0);
                    // A third value is beyond the width and is not handed over.
                    assert!(handoff.push([Value::Int(n), Value::owned(format!("row {n}")), Value::Null], n as u64 + 2));
                }
                "done"
            },
            |row, line| {
                seen.push((row.to_vec(), line));
                Ok::<_, String>(())
            },
            |_, _| {},
        );
        assert_eq!(read, Ok("done"));
        assert_eq!(seen.len(), rows as usize);
        for (n, (row, line)) in seen.iter().enumerate() {
            assert_eq!(row, &vec![Value::Int(n as i64), Value::owned(format!("row {n}"))]);
            assert_eq!(*line, n as u64 + 2);
        }
    }

    #[test]
    fn a_write_error_stops_the_reader() {
        let mut pushed = 0;
        let result = stream(
            1,
            |handoff| {
                while handoff.push([Value::Int(1)], 1) {
                    pushed += 1;
                }
            },
            |_, _| Err("disk full"),
            |_, _| {},
        );
        assert_eq!(result, Err("disk full"));
        // The reader stopped once the writer's receiver was gone, not after reading forever.
        assert!(pushed < (BATCHES_WAITING + 3) * BATCH_ROWS, "{pushed}");
    }
}
