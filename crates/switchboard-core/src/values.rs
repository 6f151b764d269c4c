//! Text that arrives from outside (a request body, a command line, a pack) and is checked once, where
//! it arrives: parse, don't validate. Each type holds a value known to be good, so the rule behind it
//! is written here and nowhere else, and its OpenAPI schema (feature `openapi`) states the same rule as
//! a pattern with lengths.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Unicode `White_Space` (what `char::is_whitespace` and `str::trim` test) as the body of an ECMA-262
/// character class. Patterns spell it out rather than use `\s`, whose meaning differs between
/// ECMA-262, Rust's `regex` and Python's `re`.
macro_rules! blank {
    () => {
        r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    };
}

/// [`blank!`] as a constant, for tests and documents that check patterns.
pub const BLANK_CLASS: &str = blank!();

/// Characters that show nothing but make two strings differ (controls other than blanks, soft
/// hyphens, zero-width and direction marks, fillers, variation selectors, the BOM), as the body of an
/// ECMA-262 character class; `invisible_in_names!` leaves out the zero-width joiner and non-joiner,
/// which some scripts write names with.
macro_rules! invisible_in_names {
    () => {
        r"\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    };
}
macro_rules! invisible {
    () => {
        concat!(invisible_in_names!(), r"\u200c\u200d")
    };
}

/// [`invisible!`] as a constant, for tests that check patterns.
pub const INVISIBLE_CLASS: &str = invisible!();

/// Whether `c` is one of [`INVISIBLE_CLASS`] (`in_name`: but the joiners, which names may hold).
pub fn is_invisible(c: char, in_name: bool) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{ad}' | '\u{34f}'
        | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}' | '\u{180b}'..='\u{180f}' | '\u{200b}'
        | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{3164}'
        | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}' | '\u{fff0}'..='\u{fff8}')
        || (!in_name && matches!(c, '\u{200c}' | '\u{200d}'))
}

/// Text as it is compared and stored: Unicode NFKC, so look-alike forms (full-width letters,
/// ligatures) are one string.
fn nfkc(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkc().collect()
}

/// Text that is not a value of its kind. The message names the field the value is sent as, so an
/// API error can name it too.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {message}")]
pub struct InvalidValue {
    pub field: &'static str,
    pub message: String,
}

/// What the schema of a kind of value says: its pattern, lengths and an example.
#[derive(Clone, Copy, Debug)]
pub struct ValueRule {
    /// The schema's name in the OpenAPI document.
    pub name: &'static str,
    /// The field such values are sent as.
    pub field: &'static str,
    pub description: &'static str,
    /// An ECMA-262 pattern; `None` for values whose pattern would say nothing (passwords).
    pub pattern: Option<&'static str>,
    pub min_length: usize,
    pub max_length: usize,
    pub example: &'static str,
}

impl ValueRule {
    fn invalid(&self, message: impl Into<String>) -> InvalidValue {
        InvalidValue { field: self.field, message: message.into() }
    }

    #[cfg(feature = "openapi")]
    fn schema(&self) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(self.description))
            .pattern(self.pattern)
            .min_length((self.min_length > 0).then_some(self.min_length))
            .max_length(Some(self.max_length))
            .examples([serde_json::Value::from(self.example)])
            .into()
    }
}

/// A name: at most `max_length` characters, not all blank, nothing invisible; kept in NFKC.
fn name(rule: &ValueRule, text: &str) -> Result<String, InvalidValue> {
    if text.chars().any(|c| is_invisible(c, true)) {
        return Err(rule.invalid("a name must not hold invisible characters (zero-width, control, direction marks)"));
    }
    // The rule is checked as given (as the pattern states it); the form kept is its NFKC.
    if text.trim().is_empty() || text.chars().count() > rule.max_length {
        let message = format!("a name must have 1 to {} characters, not all blank", rule.max_length);
        return Err(rule.invalid(message));
    }
    Ok(nfkc(text))
}

/// Declares a value type: a `String` that only `parse` makes, with the conversions, serde and (with
/// feature `openapi`) schema every such type has.
macro_rules! value_type {
    ($(#[$meta:meta])* $name:ident, $rule:expr, $parse:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub const RULE: ValueRule = $rule;

            /// Checks `text` against the rule; the value kept may be normalized (see the type).
            pub fn parse(text: &str) -> Result<Self, InvalidValue> {
                let parse: fn(&ValueRule, &str) -> Result<String, InvalidValue> = $parse;
                parse(&Self::RULE, text).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;
            fn try_from(text: String) -> Result<Self, InvalidValue> {
                Self::parse(&text)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidValue;
            fn try_from(text: &str) -> Result<Self, InvalidValue> {
                Self::parse(text)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                Self::RULE.schema()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                Self::RULE.name.into()
            }
        }
    };
}

/// Declares that a value type may be shown: `Display`, `Debug` and `Serialize` print the value.
macro_rules! shown {
    ($($name:ident),*) => {$(
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    )*};
}

value_type!(
    /// An email address, compared case-insensitively: kept trimmed, in NFKC and lowercased. At most 254
    /// characters as given (blanks around it included); once those blanks are dropped, a non-empty
    /// local part, `@`, a domain with a dot, and no blank or invisible character anywhere.
    Email,
    ValueRule {
        name: "Email",
        field: "email",
        description: "At most 254 characters: a local part, `@`, and a domain with a dot, without blanks or \
                      invisible characters (surrounding blanks are dropped); stored in Unicode NFKC, lowercased.",
        pattern: Some(concat!(
            "^[",
            blank!(),
            "]*[^",
            blank!(),
            invisible!(),
            "@]+@[^",
            blank!(),
            invisible!(),
            r"]*\.[^",
            blank!(),
            invisible!(),
            "]*[",
            blank!(),
            "]*$"
        )),
        min_length: 3,
        max_length: 254,
        example: "grace@example.com",
    },
    |rule, text| {
        // The rule (the pattern) is checked on the address as given; the form kept and compared is
        // its NFKC, lowercased, without blanks a compatibility form may bring (`¯` is ` ̄`).
        let given = text.trim();
        let valid = text.chars().count() <= rule.max_length
            && given.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
            && !given.chars().any(|c| c.is_whitespace() || is_invisible(c, false));
        if !valid {
            return Err(rule.invalid(format!("`{text}` is not an email address")));
        }
        Ok(nfkc(given).to_lowercase().chars().filter(|c| !c.is_whitespace()).collect())
    }
);

value_type!(
    /// The name of a person, workgroup, IVR or API key: 1 to 200 characters, not all blank, nothing
    /// invisible; kept in NFKC.
    DisplayName,
    ValueRule {
        name: "DisplayName",
        field: "name",
        description: "1 to 200 characters, not all blank, without invisible characters; stored in Unicode NFKC.",
        pattern: Some(concat!("^[^", invisible_in_names!(), "]*[^", blank!(), invisible_in_names!(), "][^", invisible_in_names!(), "]*$")),
        min_length: 1,
        max_length: 200,
        example: "Grace Hopper",
    },
    name
);

value_type!(
    /// The name of a role: 1 to 100 characters, not all blank, nothing invisible; kept in NFKC.
    RoleName,
    ValueRule {
        name: "RoleName",
        field: "name",
        description: "1 to 100 characters, not all blank, without invisible characters; stored in Unicode NFKC.",
        pattern: Some(concat!("^[^", invisible_in_names!(), "]*[^", blank!(), invisible_in_names!(), "][^", invisible_in_names!(), "]*$")),
        min_length: 1,
        max_length: 100,
        example: "Call center supervisor",
    },
    name
);

value_type!(
    /// The key of a role: lowercase a-z, 0-9 and `_`, starting with a letter, at most 128 characters.
    RoleKey,
    ValueRule {
        name: "RoleKey",
        field: "role",
        description: "A role's key: lowercase a-z, 0-9 and `_`, starting with a letter.",
        pattern: Some("^[a-z][a-z0-9_]*$"),
        min_length: 1,
        max_length: 128,
        example: "manager",
    },
    |rule, text| {
        if !crate::catalog::is_valid_key(text) || text.contains('.') {
            return Err(rule.invalid(format!(
                "`{text}` is not a valid role key: use lowercase a-z, 0-9 and _, starting with a letter"
            )));
        }
        Ok(text.to_owned())
    }
);

value_type!(
    /// A phone number in E.164 form: `+`, then 2 to 15 digits, the first not 0.
    E164,
    ValueRule {
        name: "E164",
        field: "e164",
        description: "A phone number in E.164 form: `+` and 2 to 15 digits, the first not 0.",
        pattern: Some(r"^\+[1-9][0-9]{1,14}$"),
        min_length: 3,
        max_length: 16,
        example: "+14155550100",
    },
    |rule, text| {
        let digits = text.strip_prefix('+').unwrap_or("");
        let valid = (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if valid {
            Ok(text.to_owned())
        } else {
            Err(rule.invalid(format!("`{text}` is not an E.164 number: `+` and 2 to 15 digits, the first not 0")))
        }
    }
);

value_type!(
    /// An account's slug, its name in URLs and sign-in: 1 to 63 of a-z, 0-9 and `-`, not first or last.
    Slug,
    ValueRule {
        name: "Slug",
        field: "slug",
        description: "1 to 63 of a-z, 0-9 and `-`, not starting or ending with `-`.",
        pattern: Some("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"),
        min_length: 1,
        max_length: 63,
        example: "acme",
    },
    |rule, text| {
        let valid = (1..=rule.max_length).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-');
        if valid {
            Ok(text.to_owned())
        } else {
            Err(rule.invalid(format!(
                "`{text}` is not a valid account slug: use 1 to 63 of a-z, 0-9 and -, not first or last"
            )))
        }
    }
);

value_type!(
    /// A new password: 8 to 256 characters. It is never shown: `Debug` hides it and it has no
    /// `Display` or `Serialize`, so it cannot reach a log or a response by accident.
    Password,
    ValueRule {
        name: "Password",
        field: "password",
        description: "8 to 256 characters; stored as an argon2id hash, never shown.",
        pattern: None,
        min_length: 8,
        max_length: 256,
        example: "correct horse battery staple",
    },
    |rule, text| {
        let n = text.chars().count();
        if n < rule.min_length {
            return Err(rule.invalid(format!("the password must have at least {} characters", rule.min_length)));
        }
        if n > rule.max_length {
            return Err(rule.invalid(format!("the password must have at most {} characters", rule.max_length)));
        }
        Ok(text.to_owned())
    }
);

value_type!(
    /// A password given to prove who one is (the current one, when changing one's own): at most 256
    /// characters, like every password; whether it is right is the caller's to check. Never shown.
    CurrentPassword,
    ValueRule {
        name: "CurrentPassword",
        field: "current_password",
        description: "Your current password, at most 256 characters; never shown.",
        pattern: None,
        min_length: 0,
        max_length: 256,
        example: "correct horse battery staple",
    },
    |rule, text| {
        if text.chars().count() > rule.max_length {
            return Err(rule.invalid(format!("a password has at most {} characters", rule.max_length)));
        }
        Ok(text.to_owned())
    }
);

shown!(Email, DisplayName, RoleName, RoleKey, E164, Slug);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<hidden>)")
    }
}

impl fmt::Debug for CurrentPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CurrentPassword(<hidden>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased_and_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(Email::parse("  Grace@Example.COM ").unwrap().as_str(), "grace@example.com");
        for bad in ["", "grace", "@example.com", "grace@example", "gr ace@example.com", "grace@exa\u{a0}mple.com"] {
            let error = Email::parse(bad).unwrap_err();
            assert_eq!(error.field, "email", "{bad:?}");
        }
        let longest = format!("{}@acme.example", "e".repeat(254 - "@acme.example".len()));
        assert!(Email::parse(&longest).is_ok());
        assert!(Email::parse(&format!("{longest}x")).is_err(), "255 characters");
        assert!(Email::parse(&format!(" {longest}")).is_err(), "blanks count towards the limit");
    }

    #[test]
    fn names_have_1_to_200_characters_and_are_not_all_blank() {
        assert_eq!(DisplayName::parse(" Ann ").unwrap().as_str(), " Ann ", "kept as given");
        assert!(DisplayName::parse(&"n".repeat(200)).is_ok());
        for bad in ["", " \u{a0}\t", &"n".repeat(201)] {
            assert_eq!(DisplayName::parse(bad).unwrap_err().field, "name");
        }
    }

    #[test]
    fn role_keys_are_lowercase_words_without_dots() {
        assert!(RoleKey::parse("call_center_supervisor").is_ok());
        for bad in ["", "Manager", "1st", "billing.admin", "a-b", &"k".repeat(129)] {
            assert!(RoleKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn e164_numbers_have_a_plus_and_2_to_15_digits_not_starting_with_0() {
        assert!(E164::parse("+14155550100").is_ok());
        assert!(E164::parse("+12").is_ok());
        for bad in ["14155550100", "+0123", "+1", "+1234567890123456", "+1415 555", ""] {
            assert!(E164::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn slugs_are_lowercase_with_inner_hyphens() {
        assert!(Slug::parse("acme-2").is_ok());
        for bad in ["", "-acme", "acme-", "Acme", "ac_me", &"a".repeat(64)] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_have_8_to_256_characters_and_never_show() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"p".repeat(257)).is_err());
        assert!(CurrentPassword::parse(&"p".repeat(257)).is_err(), "a given password is bounded too");
        assert_eq!(format!("{:?}", CurrentPassword::parse("old").unwrap()), "CurrentPassword(<hidden>)");
        let password = Password::parse("correct horse battery").unwrap();
        assert_eq!(format!("{password:?}"), "Password(<hidden>)");
    }

    #[test]
    fn a_value_arrives_through_serde_only_if_it_parses_and_the_error_names_its_field() {
        let email: Email = serde_json::from_str("\" A@B.CO \"").unwrap();
        assert_eq!(email.as_str(), "a@b.co");
        let error = serde_json::from_str::<Email>("\"nope\"").unwrap_err().to_string();
        assert!(error.starts_with("field `email`:"), "{error}");
        assert_eq!(serde_json::to_string(&email).unwrap(), "\"a@b.co\"");
    }

    /// The characters of a class body made of `\t`, `\r`, `\uXXXX`, literal characters and ranges.
    fn class_members(body: &str) -> Vec<char> {
        let mut atoms = Vec::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            let atom = match c {
                '\\' => match chars.next() {
                    Some('t') => '\t',
                    Some('r') => '\r',
                    Some('u') => {
                        let hex: String = chars.by_ref().take(4).collect();
                        char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap()
                    }
                    other => panic!("unexpected escape {other:?}"),
                },
                '-' if !atoms.is_empty() => {
                    atoms.push('-');
                    continue;
                }
                other => other,
            };
            atoms.push(atom);
        }
        let mut members = Vec::new();
        let mut i = 0;
        while i < atoms.len() {
            if atoms.get(i + 1) == Some(&'-') && i + 2 < atoms.len() {
                members.extend(atoms[i]..=atoms[i + 2]);
                i += 3;
            } else {
                members.push(atoms[i]);
                i += 1;
            }
        }
        members
    }

    #[test]
    fn the_documented_blank_class_is_exactly_what_trim_and_is_whitespace_test() {
        let mut documented = class_members(BLANK_CLASS);
        documented.sort_unstable();
        let rust: Vec<char> = (char::MIN..=char::MAX).filter(|c| c.is_whitespace()).collect();
        assert_eq!(documented, rust);
    }

    #[test]
    fn the_documented_invisible_classes_are_exactly_what_is_invisible_tests() {
        for (class, in_name) in [(INVISIBLE_CLASS, false), (invisible_in_names!(), true)] {
            let mut documented = class_members(class);
            documented.sort_unstable();
            let rust: Vec<char> = (char::MIN..=char::MAX).filter(|c| is_invisible(*c, in_name)).collect();
            assert_eq!(documented, rust, "in names: {in_name}");
        }
    }

    #[test]
    fn what_the_pattern_allows_parses_even_when_its_nfkc_form_has_a_blank_or_grows() {
        assert_eq!(Email::parse("\u{af}a@b.co").unwrap().as_str(), "\u{304}a@b.co", "`¯` is a space and a macron");
        assert!(DisplayName::parse(&"\u{fdfa}".repeat(200)).is_ok(), "200 characters as given");
    }

    #[test]
    fn emails_and_names_are_compared_in_nfkc_and_refuse_invisible_characters() {
        let full_width = Email::parse("\u{ff41}da@example.com").unwrap();
        assert_eq!(full_width.as_str(), "ada@example.com", "one address, however it is typed");
        for hidden in ["a\u{200b}da@example.com", "ada@exa\u{200d}mple.com", "ada@example.com\u{feff}", "a\u{7}da@x.io"]
        {
            assert!(Email::parse(hidden).is_err(), "{hidden:?}");
        }
        assert_eq!(DisplayName::parse("\u{fb01}nance").unwrap().as_str(), "finance");
        assert!(DisplayName::parse("Ow\u{200b}ner").is_err(), "no look-alike of another name");
        assert!(RoleName::parse("Ow\u{202e}renwo").is_err(), "no direction override");
        assert!(DisplayName::parse("\u{645}\u{6cc}\u{200c}\u{62e}").is_ok(), "the non-joiner, as Persian writes it");
    }

    #[test]
    fn every_pattern_that_names_blanks_names_all_of_them() {
        for pattern in [Email::RULE.pattern, DisplayName::RULE.pattern, RoleName::RULE.pattern].map(Option::unwrap) {
            assert!(pattern.contains(&format!("[^{BLANK_CLASS}")), "{pattern}");
        }
    }
}
