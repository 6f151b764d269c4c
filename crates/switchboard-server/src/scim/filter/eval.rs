//! Evaluating a parsed filter against a resource's JSON.

use super::*;

impl Filter {
    /// Whether `resource` (a SCIM resource as JSON) matches.
    pub fn matches(&self, resource: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(resource) && b.matches(resource),
            Filter::Or(a, b) => a.matches(resource) || b.matches(resource),
            Filter::Not(a) => !a.matches(resource),
            Filter::Elements(attr, inner) => match field(resource, attr) {
                Some(Value::Array(items)) => items.iter().any(|item| inner.matches(item)),
                Some(item @ Value::Object(_)) => inner.matches(item),
                _ => false,
            },
            Filter::Present(path) => values(resource, path).iter().any(|v| !is_empty(v)),
            Filter::Compare(path, op, wanted) => {
                let found = values(resource, path);
                match op {
                    // `ne` holds when no value equals (an absent attribute included)
                    CompareOp::Ne => !found.iter().any(|v| compare(v, CompareOp::Eq, wanted, path.case_exact())),
                    _ => found.iter().any(|v| compare(v, *op, wanted, path.case_exact())),
                }
            }
        }
    }

    /// The value an `attr eq "…"` term at the top of the filter (alone or under `and`) asks for: what
    /// an index can find the candidates by.
    pub fn equality(&self, attr: &str) -> Option<&str> {
        match self {
            Filter::Compare(path, CompareOp::Eq, Value::String(s)) if path.is(attr, None) => Some(s),
            Filter::And(a, b) => a.equality(attr).or_else(|| b.equality(attr)),
            _ => None,
        }
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The values a path names in `resource`: several for a multi-valued attribute. A path to a complex
/// multi-valued attribute without a sub-attribute compares its elements' `value`.
fn values<'v>(resource: &'v Value, path: &AttrPath) -> Vec<&'v Value> {
    let Some(top) = field(resource, &path.attr) else { return Vec::new() };
    let items: Vec<&Value> = match top {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let sub = path.sub.as_deref().or_else(|| items.iter().any(|i| i.is_object()).then_some("value"));
    match sub {
        Some(sub) => items
            .into_iter()
            .filter_map(|i| field(i, sub))
            .flat_map(|v| match v {
                Value::Array(a) => a.iter().collect(),
                one => vec![one],
            })
            .collect(),
        None => items,
    }
}

fn compare(found: &Value, op: CompareOp, wanted: &Value, case_exact: bool) -> bool {
    match (found, wanted) {
        (Value::String(f), Value::String(w)) => {
            let (f, w) = if case_exact { (f.clone(), w.clone()) } else { (f.to_lowercase(), w.to_lowercase()) };
            match op {
                CompareOp::Eq => f == w,
                CompareOp::Ne => f != w,
                CompareOp::Co => f.contains(&w),
                CompareOp::Sw => f.starts_with(&w),
                CompareOp::Ew => f.ends_with(&w),
                _ => ordered(f.cmp(&w), op),
            }
        }
        (Value::Number(f), Value::Number(w)) => match (f.as_f64(), w.as_f64()) {
            (Some(f), Some(w)) => {
                f.partial_cmp(&w).is_some_and(|o| ordered(o, op) || (op == CompareOp::Eq && o.is_eq()))
            }
            _ => false,
        },
        (Value::Bool(f), Value::Bool(w)) => match op {
            CompareOp::Eq => f == w,
            CompareOp::Ne => f != w,
            _ => false,
        },
        (_, Value::Null) => matches!(op, CompareOp::Eq) && found.is_null(),
        _ => false,
    }
}

fn ordered(o: Ordering, op: CompareOp) -> bool {
    match op {
        CompareOp::Eq => o.is_eq(),
        CompareOp::Ne => !o.is_eq(),
        CompareOp::Gt => o.is_gt(),
        CompareOp::Lt => o.is_lt(),
        CompareOp::Ge => o.is_ge(),
        CompareOp::Le => o.is_le(),
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}
