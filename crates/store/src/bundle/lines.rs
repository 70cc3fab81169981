//! The line a record starts on, counted the way an editor counts lines: `\n`, `\r\n` and a lone
//! `\r` each end one, inside quoted fields as well.
//!
//! The CSV reader's own count is of the `\n` bytes consumed before a record, and it ends a record
//! at the `\r` of a `\r\n`: in a file with Windows line endings every record but the first would be
//! placed a line early, and a record after blank lines on the first blank line. So the bytes are
//! counted here, on their way into the reader, and a record's line is found from its byte offset.

use std::collections::VecDeque;
use std::io::{self, Read};

/// A reader that notes where each line break is in the bytes that pass through it.
pub struct LineCounting<R> {
    inner: R,
    /// Bytes passed through so far.
    offset: u64,
    /// The line breaks not yet forgotten, in order: offset of the first byte and length (1 or 2).
    breaks: VecDeque<(u64, u8)>,
    /// Line breaks forgotten: every one ends before the records still to be placed.
    forgotten: u64,
    /// The last byte passed through (0 before the first), for a `\r\n` split between two reads.
    previous: u8,
}

impl<R: Read> LineCounting<R> {
    pub fn new(inner: R) -> Self {
        LineCounting { inner, offset: 0, breaks: VecDeque::new(), forgotten: 0, previous: 0 }
    }

    /// The 1-based line of the record the CSV reader placed at byte `start`: the first line at or
    /// after `start` that is not blank. Records must be placed in order; the breaks before `start`
    /// are forgotten.
    pub fn line_of(&mut self, start: u64) -> u64 {
        while let Some(&(at, len)) = self.breaks.front()
            && at + u64::from(len) <= start
        {
            self.breaks.pop_front();
            self.forgotten += 1;
        }
        // `start` may be on the `\n` of a `\r\n` (the reader ends a record at its `\r`), and
        // blank lines the reader skipped may follow.
        let mut line = self.forgotten + 1;
        let mut position = start;
        for &(at, len) in &self.breaks {
            if at > position {
                break;
            }
            position = at + u64::from(len);
            line += 1;
        }
        line
    }

    fn note_breaks(&mut self, bytes: &[u8]) {
        for index in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let at = self.offset + index as u64;
            let previous = index.checked_sub(1).map_or(self.previous, |i| bytes[i]);
            match (previous, bytes[index]) {
                // The `\n` of a `\r\n`: the `\r` is the last break noted, unless a record placed
                // after it has had it forgotten already.
                (b'\r', b'\n') => {
                    if let Some((cr, len)) = self.breaks.back_mut()
                        && *cr + 1 == at
                    {
                        *len = 2;
                    }
                }
                _ => self.breaks.push_back((at, 1)),
            }
        }
        if let Some(&last) = bytes.last() {
            self.previous = last;
        }
        self.offset += bytes.len() as u64;
    }
}

impl<R: Read> Read for LineCounting<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.note_breaks(&buffer[..read]);
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands its bytes over `chunk` at a time, so that a `\r\n` can be split between two reads.
    struct Trickle<'a> {
        bytes: &'a [u8],
        chunk: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            let n = self.chunk.min(buffer.len()).min(self.bytes.len());
            buffer[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// The first field and line of each record of `text`, read `chunk` bytes at a time.
    fn record_lines(text: &str, chunk: usize) -> Vec<(String, u64)> {
        let input = LineCounting::new(Trickle { bytes: text.as_bytes(), chunk });
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
        let mut record = csv::StringRecord::new();
        let mut found = Vec::new();
        while reader.read_record(&mut record).expect("valid CSV") {
            let start = record.position().map_or(0, csv::Position::byte);
            found.push((record[0].to_string(), reader.get_mut().line_of(start)));
        }
        found
    }

    fn expect(text: &str, expected: &[(&str, u64)]) {
        let expected: Vec<(String, u64)> = expected.iter().map(|(f, l)| (f.to_string(), *l)).collect();
        for chunk in [1, 2, 3, 7, 8192] {
            assert_eq!(record_lines(text, chunk), expected, "{text:?} read {chunk} bytes at a time");
        }
    }

    #[test]
    fn every_line_ending_counts_once() {
        let records = [("h", 1), ("a", 2), ("b", 3), ("c", 4)];
        expect("h\na\nb\nc\n", &records);
        expect("h\r\na\r\nb\r\nc\r\n", &records);
        expect("h\ra\rb\rc", &records);
        expect("h\r\na\nb\rc", &records);
    }

    #[test]
    fn blank_lines_are_skipped_not_blamed() {
        expect("h\n\na\n\n\nb\n", &[("h", 1), ("a", 3), ("b", 6)]);
        expect("\r\n\r\nh\r\n\r\na\r\n", &[("h", 3), ("a", 5)]);
    }

    #[test]
    fn quoted_newlines_are_lines_of_their_record() {
        expect(
            "h\r\n\"two\r\nlines\",x\r\nb\r\n\"three\nlines\rhere\"\r\nc",
            &[("h", 1), ("two\r\nlines", 2), ("b", 4), ("three\nlines\rhere", 5), ("c", 8)],
        );
    }
}
