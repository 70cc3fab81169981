//! Progress of long commands: a bar with rows/s on a terminal, plain log lines otherwise.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use quotient_store::bundle::Progress;
use std::io::IsTerminal;
use std::time::Instant;

pub enum Reporter {
    Bar { bar: Option<ProgressBar>, started: Instant },
    Log { file: String, started: Instant, last_report: Instant },
}

impl Reporter {
    /// A bar when stderr is a terminal, log lines otherwise.
    pub fn new() -> Self {
        if std::io::stderr().is_terminal() {
            Reporter::Bar { bar: None, started: Instant::now() }
        } else {
            Reporter::Log { file: String::new(), started: Instant::now(), last_report: Instant::now() }
        }
    }
}

impl Progress for Reporter {
    fn file_started(&mut self, file: &str, bytes: u64) {
        match self {
            Reporter::Bar { bar, started } => {
                let new = if bytes > 0 { ProgressBar::new(bytes) } else { ProgressBar::new_spinner() };
                new.set_draw_target(ProgressDrawTarget::stderr());
                let template = if bytes > 0 {
                    "{prefix:>18} [{bar:30}] {percent:>3}% {msg} {elapsed_precise}"
                } else {
                    "{prefix:>18} {spinner} {msg} {elapsed_precise}"
                };
                new.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
                new.set_prefix(file.to_string());
                *bar = Some(new);
                *started = Instant::now();
            }
            Reporter::Log { file: current, started, last_report } => {
                *current = file.to_string();
                *started = Instant::now();
                *last_report = Instant::now();
            }
        }
    }

    fn advanced(&mut self, rows: u64, bytes: u64) {
        match self {
            Reporter::Bar { bar: Some(bar), started } => {
                if bytes > 0 {
                    bar.set_position(bytes);
                }
                bar.set_message(format!("{rows} rows, {:.0} rows/s", rate(rows, *started)));
            }
            Reporter::Bar { bar: None, .. } => {}
            Reporter::Log { file, started, last_report } => {
                if last_report.elapsed().as_secs() >= 5 {
                    eprintln!("{file}: {rows} rows, {:.0} rows/s", rate(rows, *started));
                    *last_report = Instant::now();
                }
            }
        }
    }

    fn file_finished(&mut self, file: &str, rows: u64) {
        match self {
            Reporter::Bar { bar, started } => {
                if let Some(bar) = bar.take() {
                    bar.finish_with_message(format!("{rows} rows, {:.0} rows/s", rate(rows, *started)));
                }
            }
            Reporter::Log { started, .. } => {
                eprintln!("{file}: {rows} rows in {:.1} s", started.elapsed().as_secs_f64())
            }
        }
    }

    fn step(&mut self, message: &str) {
        eprintln!("{message} …");
    }
}

fn rate(rows: u64, since: Instant) -> f64 {
    rows as f64 / since.elapsed().as_secs_f64().max(1e-3)
}
