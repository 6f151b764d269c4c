//! Compiled permission sets: fixed-width bitsets, so a check is a bit test and a union is an OR.
//!
//! A section's level is stored as two bits, "at least view" and "at least the top level" (manage or
//! full), which keeps union (highest level wins) and subset (no level above the other's) as plain
//! bitwise operations.

use crate::catalog::{Catalog, Level, MAX_RIGHTS, MAX_SECTIONS, RightId, SectionId};

const SECTION_WORDS: usize = MAX_SECTIONS / 64;
const RIGHT_WORDS: usize = MAX_RIGHTS / 64;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PermissionSet {
    at_least_view: [u64; SECTION_WORDS],
    at_least_top: [u64; SECTION_WORDS],
    rights: [u64; RIGHT_WORDS],
}

/// The first thing one set holds that another does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surplus {
    /// `section` is held at rank `rank`, above the other set's `other_rank`.
    Level {
        section: SectionId,
        rank: u8,
        other_rank: u8,
    },
    Right {
        right: RightId,
    },
}

#[inline]
fn bit(words: &[u64], index: usize) -> bool {
    words.get(index / 64).is_some_and(|w| w & (1u64 << (index % 64)) != 0)
}

#[inline]
fn set_bit(words: &mut [u64], index: usize) {
    if let Some(w) = words.get_mut(index / 64) {
        *w |= 1u64 << (index % 64);
    }
}

fn first_bit_not_in(mine: &[u64], theirs: &[u64]) -> Option<usize> {
    mine.iter().zip(theirs).enumerate().find_map(|(i, (m, t))| {
        let extra = m & !t;
        (extra != 0).then(|| i * 64 + extra.trailing_zeros() as usize)
    })
}

impl PermissionSet {
    pub const EMPTY: PermissionSet =
        PermissionSet { at_least_view: [0; SECTION_WORDS], at_least_top: [0; SECTION_WORDS], rights: [0; RIGHT_WORDS] };

    /// Every section at its top level and every right: what the superadmin holds.
    pub fn everything(catalog: &Catalog) -> PermissionSet {
        let mut set = PermissionSet::EMPTY;
        for s in catalog.sections() {
            set.raise(s.id, s.def.level_set.top());
        }
        for r in catalog.rights() {
            set.add_right(r.id);
        }
        set
    }

    /// Raises a section to at least `level`.
    pub fn raise(&mut self, section: SectionId, level: Level) {
        let rank = level.rank();
        if rank >= 1 {
            set_bit(&mut self.at_least_view, section.index());
        }
        if rank >= 2 {
            set_bit(&mut self.at_least_top, section.index());
        }
    }

    pub fn add_right(&mut self, right: RightId) {
        set_bit(&mut self.rights, right.index());
    }

    /// The rank (see [`Level::rank`]) this set holds for a section.
    #[inline]
    pub fn rank(&self, section: SectionId) -> u8 {
        u8::from(bit(&self.at_least_view, section.index())) + u8::from(bit(&self.at_least_top, section.index()))
    }

    #[inline]
    pub fn has_right(&self, right: RightId) -> bool {
        bit(&self.rights, right.index())
    }

    /// Highest level per section, union of rights.
    pub fn union_with(&mut self, other: &PermissionSet) {
        for (a, b) in self.at_least_view.iter_mut().zip(other.at_least_view) {
            *a |= b;
        }
        for (a, b) in self.at_least_top.iter_mut().zip(other.at_least_top) {
            *a |= b;
        }
        for (a, b) in self.rights.iter_mut().zip(other.rights) {
            *a |= b;
        }
    }

    /// Only what lets its holder change things: sections at their top level (manage or full) and
    /// rights, without the view levels.
    pub fn authority(mut self) -> PermissionSet {
        self.at_least_view = self.at_least_top;
        self
    }

    /// Lowest level per section, rights held by both.
    pub fn intersection(mut self, other: &PermissionSet) -> PermissionSet {
        for (a, b) in self.at_least_view.iter_mut().zip(other.at_least_view) {
            *a &= b;
        }
        for (a, b) in self.at_least_top.iter_mut().zip(other.at_least_top) {
            *a &= b;
        }
        for (a, b) in self.rights.iter_mut().zip(other.rights) {
            *a &= b;
        }
        self
    }

    pub fn union(mut self, other: &PermissionSet) -> PermissionSet {
        self.union_with(other);
        self
    }

    pub fn is_subset_of(&self, other: &PermissionSet) -> bool {
        self.surplus_over(other).is_none()
    }

    /// The first section level or right this set holds beyond `other`, if any.
    pub fn surplus_over(&self, other: &PermissionSet) -> Option<Surplus> {
        let level = first_bit_not_in(&self.at_least_view, &other.at_least_view)
            .or_else(|| first_bit_not_in(&self.at_least_top, &other.at_least_top));
        if let Some(index) = level {
            let section = SectionId(index as u16);
            return Some(Surplus::Level { section, rank: self.rank(section), other_rank: other.rank(section) });
        }
        first_bit_not_in(&self.rights, &other.rights).map(|i| Surplus::Right { right: RightId(i as u16) })
    }

    pub fn is_empty(&self) -> bool {
        *self == PermissionSet::EMPTY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_keeps_the_highest_level_of_each_section() {
        let c = Catalog::core();
        let numbers = c.section_id("numbers").expect("section");
        let mut view = PermissionSet::EMPTY;
        view.raise(numbers, Level::View);
        let mut manage = PermissionSet::EMPTY;
        manage.raise(numbers, Level::Manage);
        assert_eq!(view.union(&manage).rank(numbers), 2);
        assert!(view.is_subset_of(&manage));
        assert!(!manage.is_subset_of(&view));
        assert_eq!(manage.surplus_over(&view), Some(Surplus::Level { section: numbers, rank: 2, other_rank: 1 }));
    }

    #[test]
    fn everything_holds_every_right_at_every_top_level() {
        let c = Catalog::core();
        let all = PermissionSet::everything(&c);
        assert!(c.sections().iter().all(|s| all.rank(s.id) == 2));
        assert!(c.rights().iter().all(|r| all.has_right(r.id)));
    }
}
