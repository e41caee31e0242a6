//! [`SplitMix64`]: the run's one source of randomness, seeded from `--seed`.

use std::time::{SystemTime, UNIX_EPOCH};

/// A small deterministic generator (SplitMix64, Steele, Lea and Flood 2014): the same seed
/// gives the same fixture, the same writer choices and the same fault schedule.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    #[must_use]
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// An index into a slice of `len` elements (0 when empty).
    pub fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).unwrap_or(0)
    }

    /// `true` with a chance of `percent` in 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A random element, `None` for an empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.index(items.len()))
        }
    }

    /// An independent generator for stream `stream` (one per thread), derived from this one.
    #[must_use]
    pub fn fork(&self, stream: u64) -> SplitMix64 {
        let mut mixed = SplitMix64::new(self.state ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03));
        SplitMix64::new(mixed.next_u64())
    }

    /// A random (version 4 shaped) UUID.
    pub fn uuid(&mut self) -> uuid::Uuid {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// A seed from the clock, for runs without `--seed` (always printed, so any run can be
/// repeated).
#[must_use]
pub fn seed_from_clock() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut rng = SplitMix64::new((nanos as u64) ^ u64::from(std::process::id()));
    rng.next_u64() % 1_000_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers_and_forks_differ() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = SplitMix64::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..5)
            .map({
                let mut r = SplitMix64::new(7);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        let root = SplitMix64::new(7);
        assert_ne!(root.fork(1).next_u64(), root.fork(2).next_u64());
        assert!(SplitMix64::new(1).below(10) < 10);
        assert_eq!(SplitMix64::new(1).below(0), 0);
    }
}
