//! SCIM filters (RFC 7644 §3.4.2.2) and attribute paths (§3.5.2): parsed once into a tree, then
//! evaluated against a resource's JSON. Attribute names compare without case; string values too,
//! except the attributes whose values are case-exact (`id`, `externalId`, members' `value`).

use serde_json::Value;
use std::cmp::Ordering;

/// An attribute path: `userName`, `name.givenName`, with any schema URN prefix dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrPath {
    /// The attribute, as written.
    pub attr: String,
    pub sub: Option<String>,
}

impl AttrPath {
    /// Whether the path names `attr` (and no sub-attribute, when `sub` is `None`).
    pub fn is(&self, attr: &str, sub: Option<&str>) -> bool {
        self.attr.eq_ignore_ascii_case(attr)
            && match (&self.sub, sub) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            }
    }

    fn case_exact(&self) -> bool {
        let leaf = self.sub.as_deref().unwrap_or(&self.attr);
        self.is("id", None)
            || self.is("externalId", None)
            || (self.sub.is_some() && leaf.eq_ignore_ascii_case("value") && self.attr.eq_ignore_ascii_case("members"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Lt,
    Ge,
    Le,
}

/// A parsed filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    Present(AttrPath),
    Compare(AttrPath, CompareOp, Value),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `emails[type eq "work"]`: some element of a multi-valued attribute matches.
    Elements(String, Box<Filter>),
}

/// A PATCH operation's target: an attribute, its sub-attribute, or the elements of a multi-valued
/// attribute that match a filter (and optionally one sub-attribute of those).
#[derive(Clone, Debug, PartialEq)]
pub struct PatchPath {
    pub attr: String,
    pub filter: Option<Filter>,
    pub sub: Option<String>,
}

/// Why a filter or path could not be read; answered as SCIM's `invalidFilter` or `invalidPath`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError(pub String);

/// Longest filter accepted: providers send short ones; a long one is an attack on the parser.
const MAX_LEN: usize = 4096;
/// Deepest nesting of parentheses and `not`.
const MAX_DEPTH: usize = 32;

pub fn parse_filter(text: &str) -> Result<Filter, SyntaxError> {
    let mut p = Parser::new(text)?;
    let filter = p.or_expr(0)?;
    p.skip_ws();
    if !p.done() {
        return Err(p.error("unexpected text"));
    }
    Ok(filter)
}

pub fn parse_patch_path(text: &str) -> Result<PatchPath, SyntaxError> {
    let mut p = Parser::new(text)?;
    let path = p.attr_path()?;
    let mut out = PatchPath { attr: path.attr, filter: None, sub: path.sub };
    if out.sub.is_none() && p.eat("[") {
        let inner = p.or_expr(1)?;
        p.skip_ws();
        if !p.eat("]") {
            return Err(p.error("expected `]`"));
        }
        out.filter = Some(inner);
        if p.eat(".") {
            out.sub = Some(p.name()?);
        }
    }
    if !p.done() {
        return Err(p.error("unexpected text"));
    }
    Ok(out)
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Result<Self, SyntaxError> {
        if text.len() > MAX_LEN {
            return Err(SyntaxError(format!("longer than {MAX_LEN} characters")));
        }
        Ok(Parser { text, at: 0 })
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn done(&self) -> bool {
        self.at == self.text.len()
    }

    fn error(&self, what: &str) -> SyntaxError {
        SyntaxError(format!("{what} at character {} of `{}`", self.at + 1, self.text))
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.at = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    /// A keyword (`and`, `not`…) followed by a space or `(`, in any case.
    fn keyword(&mut self, word: &str) -> bool {
        let rest = self.rest();
        let matches = rest.len() >= word.len()
            && rest[..word.len()].eq_ignore_ascii_case(word)
            && rest[word.len()..].starts_with([' ', '(']);
        if matches {
            self.at += word.len();
        }
        matches
    }

    fn or_expr(&mut self, depth: usize) -> Result<Filter, SyntaxError> {
        self.joined(depth, "or", Self::and_expr, Filter::Or)
    }

    fn and_expr(&mut self, depth: usize) -> Result<Filter, SyntaxError> {
        self.joined(depth, "and", Self::unary, Filter::And)
    }

    /// Terms read by `term`, joined left to right by the keyword `word` into `join`.
    fn joined(
        &mut self,
        depth: usize,
        word: &str,
        term: fn(&mut Self, usize) -> Result<Filter, SyntaxError>,
        join: fn(Box<Filter>, Box<Filter>) -> Filter,
    ) -> Result<Filter, SyntaxError> {
        let mut left = term(self, depth)?;
        loop {
            self.skip_ws();
            if !self.keyword(word) {
                return Ok(left);
            }
            let right = term(self, depth)?;
            left = join(Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self, depth: usize) -> Result<Filter, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip_ws();
        if self.keyword("not") {
            self.skip_ws();
            if !self.eat("(") {
                return Err(self.error("expected `(` after `not`"));
            }
            let inner = self.or_expr(depth + 1)?;
            self.skip_ws();
            if !self.eat(")") {
                return Err(self.error("expected `)`"));
            }
            return Ok(Filter::Not(Box::new(inner)));
        }
        if self.eat("(") {
            let inner = self.or_expr(depth + 1)?;
            self.skip_ws();
            if !self.eat(")") {
                return Err(self.error("expected `)`"));
            }
            return Ok(inner);
        }
        let path = self.attr_path()?;
        if path.sub.is_none() && self.eat("[") {
            let inner = self.or_expr(depth + 1)?;
            self.skip_ws();
            if !self.eat("]") {
                return Err(self.error("expected `]`"));
            }
            return Ok(Filter::Elements(path.attr, Box::new(inner)));
        }
        self.skip_ws();
        let op = self.name()?;
        let op = match op.to_ascii_lowercase().as_str() {
            "pr" => return Ok(Filter::Present(path)),
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "co" => CompareOp::Co,
            "sw" => CompareOp::Sw,
            "ew" => CompareOp::Ew,
            "gt" => CompareOp::Gt,
            "lt" => CompareOp::Lt,
            "ge" => CompareOp::Ge,
            "le" => CompareOp::Le,
            other => return Err(SyntaxError(format!("unknown operator `{other}` in `{}`", self.text))),
        };
        self.skip_ws();
        let value = self.value()?;
        Ok(Filter::Compare(path, op, value))
    }

    /// `[urn:…:]attr[.sub]`
    fn attr_path(&mut self) -> Result<AttrPath, SyntaxError> {
        self.skip_ws();
        let start = self.at;
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$' | ':' | '.')))
            .unwrap_or(self.rest().len());
        let raw = &self.text[start..start + len];
        if raw.is_empty() {
            return Err(self.error("expected an attribute name"));
        }
        self.at += len;
        // A URN prefix ends at the last `:`; the attribute follows it.
        let name = match raw.rfind(':') {
            Some(colon) if raw[..colon].to_ascii_lowercase().starts_with("urn:") => &raw[colon + 1..],
            Some(_) => return Err(SyntaxError(format!("`{raw}` is not an attribute path"))),
            None => raw,
        };
        let mut parts = name.split('.');
        let attr = parts.next().unwrap_or_default();
        let sub = parts.next();
        if attr.is_empty() || sub.is_some_and(str::is_empty) || parts.next().is_some() || !valid_name(attr) {
            return Err(SyntaxError(format!("`{raw}` is not an attribute path")));
        }
        Ok(AttrPath { attr: attr.to_owned(), sub: sub.map(str::to_owned) })
    }

    fn name(&mut self) -> Result<String, SyntaxError> {
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$')))
            .unwrap_or(self.rest().len());
        if len == 0 {
            return Err(self.error("expected a name"));
        }
        let name = self.rest()[..len].to_owned();
        self.at += len;
        Ok(name)
    }

    fn value(&mut self) -> Result<Value, SyntaxError> {
        let rest = self.rest();
        if rest.starts_with('"') {
            // the shortest JSON string: find its closing quote, skipping escapes
            let mut escaped = false;
            for (i, c) in rest.char_indices().skip(1) {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => {
                        let value =
                            serde_json::from_str(&rest[..=i]).map_err(|e| self.error(&format!("bad string ({e})")))?;
                        self.at += i + 1;
                        return Ok(value);
                    }
                    _ => {}
                }
            }
            return Err(self.error("unterminated string"));
        }
        let len = rest.find([' ', ')', ']']).unwrap_or(rest.len());
        let word = &rest[..len];
        let value = match word.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            _ => match serde_json::from_str::<serde_json::Number>(word) {
                Ok(n) => Value::Number(n),
                Err(_) => return Err(self.error("expected a string, number, true, false or null")),
            },
        };
        self.at += len;
        Ok(value)
    }
}

fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '$')
}

/// The value of `key` in a JSON object, the key compared without case.
pub fn field<'v>(object: &'v Value, key: &str) -> Option<&'v Value> {
    object.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

mod eval;

#[cfg(test)]
mod tests;
