//! Quotient's web application: the server-rendered pages, the JSON API and authentication.
//!
//! Not built yet: the `quotient` binary has no `serve` command so far. The crate exists so the
//! workspace shows its layering (core · store · web/CLI) from the start.
