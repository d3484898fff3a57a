//! Command-line values → a [`DynamicRequest`]: each param's text converted by
//! its kind from the table, and checked against its constraints with the same
//! checks a typed request runs.

use std::io::Read as _;

use clap::ArgMatches;
use serde_json::{Map, Number, Value};
use zstack_runtime::dynamic::DynamicRequest;
use zstack_runtime::plumbing::validate;
use zstack_runtime::request::InvalidRequest;
use zstack_runtime::secret::Password;

use crate::exit::Failure;
use crate::table::{Api, Kind, Param, Scalar};

/// The largest `@file` read for a param: a request body is never larger.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// The clap id of a param: its flag, which never collides with the CLI's own
/// (codegen renames params that would, see `RESERVED_FLAGS`).
pub fn param_id(param: &Param) -> &'static str {
    param.flag
}

/// The request for `api` from the parsed command line.
pub fn request(api: &'static Api, matches: &ArgMatches) -> Result<DynamicRequest, Failure> {
    let mut request = DynamicRequest::new(api.route);
    for param in api.params {
        let raw: Vec<&String> = match matches.get_many::<String>(param_id(param)) {
            Some(values) => values.collect(),
            None => continue,
        };
        let value = convert(param, &raw).map_err(|reason| usage(api, param, reason))?;
        check(api, param, &value)?;
        request = request.param(param.name, value);
    }
    Ok(request)
}

fn usage(api: &Api, param: &Param, reason: String) -> Failure {
    Failure::Usage(format!("--{} ({} of {}): {reason}", param.flag, param.name, api.route.action))
}

/// The JSON value of one param from its command-line strings.
pub fn convert(param: &Param, raw: &[&String]) -> Result<Value, String> {
    match param.kind {
        Kind::One(scalar) => {
            let text = raw.last().map(|s| s.as_str()).unwrap_or("");
            if param.secret {
                let plain = if text == "-" { prompt_secret(param.name)? } else { text.to_string() };
                return Ok(Value::String(Password::plain(&plain).as_digest().to_string()));
            }
            scalar_value(scalar, text)
        }
        Kind::List(scalar) => raw.iter().map(|s| scalar_value(scalar, s)).collect::<Result<_, _>>().map(Value::Array),
        Kind::Map(scalar) => {
            let mut map = Map::new();
            for text in raw {
                if let Some(path) = text.strip_prefix('@') {
                    match read_json(path)? {
                        Value::Object(o) => map.extend(o),
                        _ => return Err(format!("{path} does not hold a JSON object")),
                    }
                    continue;
                }
                let (k, v) = text.split_once('=').ok_or_else(|| format!("expected key=value, got {text:?}"))?;
                map.insert(k.to_string(), scalar_value(scalar, v)?);
            }
            Ok(Value::Object(map))
        }
        Kind::Json => json_value(raw),
    }
}

fn scalar_value(scalar: Scalar, text: &str) -> Result<Value, String> {
    match scalar {
        Scalar::Str => Ok(Value::String(text.to_string())),
        Scalar::Bool => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("expected true or false, got {text:?}")),
        },
        Scalar::Int => text
            .parse::<i64>()
            .map(|n| Value::Number(n.into()))
            .map_err(|_| format!("expected an integer, got {text:?}")),
        Scalar::Float => text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("expected a finite number, got {text:?}")),
    }
}

/// Raw JSON: each value is JSON, `@file.json`, or `key=value` (members of one
/// object, values read as JSON when they parse, else as strings). One value is
/// itself; several plain JSON values are an array.
fn json_value(raw: &[&String]) -> Result<Value, String> {
    let mut object = Map::new();
    let mut items = Vec::new();
    for text in raw {
        if let Some(path) = text.strip_prefix('@') {
            items.push(read_json(path)?);
        } else if let Ok(value) = serde_json::from_str::<Value>(text) {
            items.push(value);
        } else if let Some((k, v)) = text.split_once('=') {
            let value = serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_string()));
            object.insert(k.to_string(), value);
        } else {
            return Err(format!("expected JSON, @file.json or key=value, got {text:?}"));
        }
    }
    match (object.is_empty(), items.len()) {
        (false, 0) => Ok(Value::Object(object)),
        (false, _) => Err("mixes key=value with whole JSON values".into()),
        (true, 1) => Ok(items.pop().unwrap_or(Value::Null)),
        (true, _) => Ok(Value::Array(items)),
    }
}

/// A JSON file, at most [`MAX_FILE_BYTES`] long.
pub fn read_json(path: &str) -> Result<Value, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text).map_err(|e| format!("cannot read {path}: {e}"))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("{path} is larger than {} MiB", MAX_FILE_BYTES >> 20));
    }
    serde_json::from_str(&text).map_err(|e| format!("{path} is not JSON: {e}"))
}

fn prompt_secret(name: &str) -> Result<String, String> {
    rpassword::prompt_password(format!("{name}: ")).map_err(|e| format!("cannot read {name} from the terminal: {e}"))
}

/// The param's constraints, checked as a typed request checks them.
fn check(api: &'static Api, param: &Param, value: &Value) -> Result<(), Failure> {
    let strings: Vec<String> = match value {
        Value::String(s) if !param.secret => vec![s.clone()],
        Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    let ints: Vec<i64> = match value {
        Value::Number(n) => n.as_i64().into_iter().collect(),
        Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
        _ => Vec::new(),
    };
    let action = api.route.action;
    let key = param.name;
    let run = || -> Result<(), InvalidRequest> {
        if !param.allowed.is_empty() {
            validate::one_of(action, key, &strings, param.allowed)?;
        }
        let (min, max) = param.length;
        if min.is_some() || max.is_some() {
            let bound = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
            validate::length(action, key, &strings, min.map(bound), max.map(bound))?;
        }
        if let Some((lo, hi)) = param.range {
            validate::range(action, key, &ints, lo, hi)?;
        }
        if let Some(regex) = param.regex {
            validate::pattern(action, key, &strings, regex)?;
        }
        if param.no_empty_string {
            validate::non_empty_string(action, key, &strings)?;
        }
        if param.non_empty && matches!(value, Value::Array(a) if a.is_empty()) {
            return Err(InvalidRequest::new(action, key, "must not be empty"));
        }
        Ok(())
    };
    run().map_err(|e| Failure::Usage(format!("--{}: {e}", param.flag)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(kind: Kind) -> Param {
        Param { name: "x", flag: "x", kind, ..Param::DEFAULT }
    }

    fn convert_all(kind: Kind, raw: &[&str]) -> Result<Value, String> {
        let raw: Vec<String> = raw.iter().map(|s| s.to_string()).collect();
        let refs: Vec<&String> = raw.iter().collect();
        convert(&param(kind), &refs)
    }

    #[test]
    fn values_convert_by_kind() {
        use serde_json::json;
        assert_eq!(convert_all(Kind::One(Scalar::Int), &["42"]).unwrap(), json!(42));
        assert!(convert_all(Kind::One(Scalar::Int), &["4x"]).unwrap_err().contains("integer"));
        assert_eq!(convert_all(Kind::One(Scalar::Bool), &["false"]).unwrap(), json!(false));
        assert!(convert_all(Kind::One(Scalar::Float), &["NaN"]).is_err());
        assert_eq!(convert_all(Kind::List(Scalar::Str), &["a", "b"]).unwrap(), json!(["a", "b"]));
        assert_eq!(convert_all(Kind::Map(Scalar::Int), &["a=1", "b=2"]).unwrap(), json!({"a": 1, "b": 2}));
        assert!(convert_all(Kind::Map(Scalar::Str), &["novalue"]).is_err());
        assert_eq!(convert_all(Kind::Json, &[r#"{"a":[1]}"#]).unwrap(), json!({"a": [1]}));
        assert_eq!(convert_all(Kind::Json, &["k=v", "n=3"]).unwrap(), json!({"k": "v", "n": 3}));
        assert_eq!(convert_all(Kind::Json, &["1", "2"]).unwrap(), json!([1, 2]));
        assert!(convert_all(Kind::Json, &["k=v", "[1]"]).is_err());
        assert!(convert_all(Kind::Json, &["@/nonexistent/file.json"]).unwrap_err().contains("cannot open"));
    }

    #[test]
    fn secrets_are_sent_as_their_digest() {
        let p = Param { secret: true, ..param(Kind::One(Scalar::Str)) };
        let raw = "password".to_string();
        let digest = convert(&p, &[&raw]).unwrap();
        assert_eq!(digest.as_str().unwrap().len(), 128);
        assert!(digest.as_str().unwrap().starts_with("b109f3bbbc244eb8"));
    }
}
