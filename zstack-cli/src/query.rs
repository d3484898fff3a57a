//! Query flags the way operators write them: `--where 'state=Running'`,
//! `--where 'memorySize>1G'`, `--sort -createDate`, `--fields uuid,name`.
//! Conditions are checked against the inventory's fields and kinds, then go
//! through the SDK's own [`Condition`] checks (values the MN would mis-parse
//! are refused).

use clap::ArgMatches;
use zstack_runtime::query::{Condition, QueryParams, Sort};

use crate::exit::Failure;
use crate::table::{FieldKind, Inventory};

/// Operators, longest first so `!?=` is not read as `!` + `?=`.
const OPERATORS: &[&str] = &["!?=", "!~=", "?=", "~=", "!=", ">=", "<=", "=", ">", "<"];

/// The query params from `--where`, `--sort`, `--fields`, `--limit`, `--start`.
pub fn params(matches: &ArgMatches, inventory: Option<&Inventory>) -> Result<QueryParams, Failure> {
    let mut params = QueryParams::default();
    for text in matches.get_many::<String>("where").into_iter().flatten() {
        params
            .conditions
            .push(condition(text, inventory).map_err(|e| Failure::Usage(format!("--where {text:?}: {e}")))?);
    }
    if let Some(sort) = matches.get_one::<String>("sort") {
        let (field, desc) = match sort.strip_prefix('-') {
            Some(field) => (field, true),
            None => (sort.strip_prefix('+').unwrap_or(sort), false),
        };
        known_field(field, inventory).map_err(|e| Failure::Usage(format!("--sort: {e}")))?;
        params.sort = Some(if desc { Sort::desc(field) } else { Sort::asc(field) });
    }
    for field in matches.get_many::<String>("fields").into_iter().flatten() {
        known_field(field, inventory).map_err(|e| Failure::Usage(format!("--fields: {e}")))?;
        params.fields.push(field.clone());
    }
    params.limit = matches.get_one::<u32>("limit").copied();
    params.start = matches.get_one::<u32>("start").copied();
    Ok(params)
}

/// One `--where` condition: `field<op>value`, `field is null`, `field not null`.
pub fn condition(text: &str, inventory: Option<&Inventory>) -> Result<Condition, String> {
    let text = text.trim();
    for (suffix, null) in [(" is null", true), (" not null", false)] {
        if let Some(field) = text.strip_suffix(suffix) {
            let field = field.trim();
            known_field(field, inventory)?;
            return Ok(if null { Condition::is_null(field) } else { Condition::not_null(field) });
        }
    }
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).unwrap_or(text.len());
    let (field, rest) = text.split_at(end);
    if field.is_empty() {
        return Err("expected field<op>value, e.g. state=Running".into());
    }
    let op = OPERATORS
        .iter()
        .find(|op| rest.starts_with(**op))
        .ok_or_else(|| format!("no operator after `{field}` (use one of {})", OPERATORS.join(" ")))?;
    let value = &rest[op.len()..];
    let kind = known_field(field, inventory)?;
    let one = |v: &str| typed_value(kind, v);
    let condition = match *op {
        "=" => Condition::eq(field, one(value)?),
        "!=" => Condition::not_eq(field, one(value)?),
        ">" => Condition::gt(field, one(value)?),
        ">=" => Condition::ge(field, one(value)?),
        "<" => Condition::lt(field, one(value)?),
        "<=" => Condition::le(field, one(value)?),
        "~=" | "!~=" => {
            if matches!(kind, Some(FieldKind::Int | FieldKind::Float | FieldKind::Bool)) {
                return Err(format!("`{field}` is a number or boolean; LIKE needs text"));
            }
            if *op == "~=" { Condition::like(field, value) } else { Condition::not_like(field, value) }
        }
        _ => {
            let values: Vec<String> = value.split(',').map(one).collect::<Result<_, _>>()?;
            if *op == "?=" { Condition::is_in(field, values) } else { Condition::not_in(field, values) }
        }
    };
    condition.check()?;
    Ok(condition)
}

/// The kind of `field` (its first segment, for dotted paths into nested
/// fields); `None` when there is no inventory to check against.
fn known_field(field: &str, inventory: Option<&Inventory>) -> Result<Option<FieldKind>, String> {
    let Some(inventory) = inventory else { return Ok(None) };
    let (head, nested) = match field.split_once('.') {
        Some((head, _)) => (head, true),
        None => (field, false),
    };
    match inventory.field(head) {
        Some(FieldKind::Nested) if nested => Ok(None),
        Some(kind) if !nested => Ok(Some(kind)),
        Some(_) => Err(format!("`{head}` of {} has no fields of its own", inventory.name)),
        None => {
            let names: Vec<&str> = inventory.fields.iter().map(|(f, _)| *f).collect();
            Err(format!("{} has no field `{head}`; its fields: {}", inventory.name, names.join(", ")))
        }
    }
}

/// A value checked against the field's kind; integers take size suffixes
/// (`1G` = 1073741824: K, M, G, T, P, powers of 1024).
fn typed_value(kind: Option<FieldKind>, value: &str) -> Result<String, String> {
    match kind {
        Some(FieldKind::Int) => parse_int(value).map(|n| n.to_string()),
        Some(FieldKind::Float) => match value.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(value.to_string()),
            _ => Err(format!("expected a number, got {value:?}")),
        },
        Some(FieldKind::Bool) => match value {
            "true" | "false" => Ok(value.to_string()),
            _ => Err(format!("expected true or false, got {value:?}")),
        },
        _ => Ok(value.to_string()),
    }
}

fn parse_int(value: &str) -> Result<i64, String> {
    let bad = || format!("expected an integer (size suffixes K, M, G, T, P allowed), got {value:?}");
    let (digits, shift) = match value.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                'P' => 50,
                _ => return Err(bad()),
            };
            (&value[..i], shift)
        }
        _ => (value, 0),
    };
    let n: i64 = digits.parse().map_err(|_| bad())?;
    n.checked_mul(1i64 << shift).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    static VM: Inventory = Inventory {
        name: "VmInstanceInventory",
        fields: &[
            ("uuid", FieldKind::Str),
            ("state", FieldKind::Str),
            ("memorySize", FieldKind::Int),
            ("createDate", FieldKind::Time),
            ("vmNics", FieldKind::Nested),
        ],
        columns: &["uuid"],
    };

    fn wire(text: &str) -> Result<String, String> {
        condition(text, Some(&VM)).map(|c| c.to_wire())
    }

    #[test]
    fn conditions_parse_with_every_operator() {
        assert_eq!(wire("state=Running").unwrap(), "state=Running");
        assert_eq!(wire("memorySize>1G").unwrap(), "memorySize>1073741824");
        assert_eq!(wire("memorySize<=512m").unwrap(), "memorySize<=536870912");
        assert_eq!(wire("state?=Running,Stopped").unwrap(), "state?=Running,Stopped");
        assert_eq!(wire("state!?=Destroyed").unwrap(), "state!?=Destroyed");
        assert_eq!(wire("uuid~=ab%").unwrap(), "uuid~=ab%");
        assert_eq!(wire("uuid!~=ab%").unwrap(), "uuid!~=ab%");
        assert_eq!(wire("vmNics.ip=10.0.0.1").unwrap(), "vmNics.ip=10.0.0.1");
        assert_eq!(wire("createDate is null").unwrap(), condition("createDate is null", None).unwrap().to_wire());
    }

    #[test]
    fn mistakes_are_refused_with_a_reason() {
        assert!(wire("staet=Running").unwrap_err().contains("has no field `staet`"));
        assert!(wire("memorySize>lots").unwrap_err().contains("integer"));
        assert!(wire("memorySize>9999999P").is_err(), "overflow");
        assert!(wire("state Running").unwrap_err().contains("no operator"));
        assert!(wire("state.x=1").unwrap_err().contains("no fields"));
        assert!(wire("memorySize~=1%").unwrap_err().contains("LIKE"));
        // The SDK's own check: a value the MN would read as an operator.
        assert!(wire("state=a=b").unwrap_err().contains("operator"));
        assert!(wire("=x").is_err());
    }
}
