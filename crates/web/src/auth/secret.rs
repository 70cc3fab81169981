//! Random secrets (session and API tokens, CSRF tokens) and the hashes they are stored as.

use sha2::{Digest, Sha256};

/// 256 random bits as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The operating system's generator does not fail on the platforms Quotient runs on; if it
    // ever did, serving predictable tokens would be worse than stopping.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random generator works");
    hex(&bytes)
}

/// The SHA-256 of a token, as stored: tokens carry 256 random bits, so a fast hash suffices.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal without telling where two strings differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
