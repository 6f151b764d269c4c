//! One small deterministic generator (xorshift64), so a seed names a workload or a world exactly.

/// Deterministic, fast and good enough to spread test data; not for anything secret.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator; every seed works (0 is moved off xorshift's one fixed point).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// In `0..n`; 0 when `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One flag per chance, each true `percent` times in a hundred (flags drawn in order).
    pub fn flags<const N: usize>(&mut self, percents: [u64; N]) -> [bool; N] {
        percents.map(|percent| self.chance(percent))
    }

    /// One of `items`, or `None` when there are none.
    pub fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() { None } else { Some(items[self.below(items.len())].clone()) }
    }

    /// One of `items`, which must not be empty.
    pub fn one_of<T: Clone>(&mut self, items: &[T]) -> T {
        assert!(!items.is_empty(), "one_of needs something to choose from");
        items[self.below(items.len())].clone()
    }

    /// Each of `items` with the given chance, in order.
    pub fn some<T: Clone>(&mut self, items: &[T], percent: u64) -> Vec<T> {
        items.iter().filter(|_| self.chance(percent)).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn a_seed_names_one_sequence_and_zero_is_a_seed_too() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!((0..5).map(|_| a.next_u64()).collect::<Vec<_>>(), (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        let mut zero = Rng::new(0);
        assert_ne!(zero.next_u64(), 0);
        assert_eq!(zero.below(0), 0);
        assert_eq!(zero.pick::<u8>(&[]), None);
    }
}
