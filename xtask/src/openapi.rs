//! `cargo xtask openapi [--check]`: the whole spec as one OpenAPI 3.1 document,
//! `openapi/zstack.json` (docs/openapi.md says what it holds and why).
//!
//! The document is a pure function of the loaded [`Spec`]: built as a
//! `serde_json::Value`, written with every object's keys sorted (whatever
//! `serde_json` features the build unifies), pretty-printed, with a trailing
//! newline. Order is kept only where it means something: parameters and
//! `required` lists in declaration order, enum values as the spec lists them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value, json};
use zstack_spec::{
    Api, EnumDef, Field, Group, Method, Param, ParamLocation, ResultShape, Scalar, SinceSource, Spec, TypeDef, TypeRef,
    Version,
};

use crate::files::{self, Drift};

/// The document, relative to the workspace root.
pub const OUTPUT: &str = "openapi/zstack.json";
const SPEC_DIR: &str = "spec";

/// The job poll: not an API of the spec, but an operation of the document.
pub const POLL_OPERATION: &str = "PollApiJob";
const POLL_PATH: &str = "/api-jobs/{jobId}";
const POLL_TAG: &str = "api-jobs";

/// Builtin component names carry a `zstack.` prefix: spec names are
/// UpperCamel without dots, so the two can never collide.
const TIMESTAMP: &str = "zstack.Timestamp";
const SCHEMA_MAP: &str = "zstack.SchemaMap";
const ASYNC_JOB: &str = "zstack.AsyncJob";
const ERROR_REPLY: &str = "zstack.ErrorReply";
const ACCEPTED: &str = "zstack.Accepted";
const FAILURE: &str = "zstack.Failure";
const PROTOCOL_ERROR: &str = "zstack.ProtocolError";
const JOB_RUNNING: &str = "zstack.JobRunning";
const JOB_EXPIRED: &str = "zstack.JobExpired";
/// The spec type of `{"error": ...}` bodies (protocol §6).
const ERROR_CODE: &str = "ErrorCode";

pub enum Mode {
    Write,
    Check,
}

pub fn run(root: &Path, mode: Mode) -> Result<(), String> {
    let started = Instant::now();
    let spec = zstack_spec::load_dir(&root.join(SPEC_DIR)).map_err(|errors| format!("{errors}"))?;
    let doc = document(&spec)?;
    let text = render(&doc);
    let summary = format!(
        "{} operations, {} component schemas, {} bytes",
        spec.apis().count() + 1,
        doc["components"]["schemas"].as_object().map_or(0, Map::len),
        text.len()
    );
    let check = matches!(mode, Mode::Check);
    let drift = files::ensure_file(&root.join(OUTPUT), OUTPUT, &text, check)
        .map_err(|e| format!("{} {OUTPUT}: {e}", if check { "reading" } else { "writing" }))?;
    match (mode, drift) {
        (Mode::Write, drift) => {
            let state = if drift.is_some() { "written" } else { "unchanged" };
            println!("openapi {SPEC_DIR} -> {OUTPUT}: {summary}; {state} in {:.2?}", started.elapsed());
            Ok(())
        }
        (Mode::Check, None) => {
            println!("openapi --check {SPEC_DIR} -> {OUTPUT}: {summary}; up to date");
            Ok(())
        }
        (Mode::Check, Some(drift)) => {
            let old = match &drift {
                Drift::Changed { old, .. } => Some(old.as_str()),
                _ => None,
            };
            print!("{}", stale_report(old, &doc));
            Err(format!("openapi --check: {OUTPUT} is stale; run `cargo xtask openapi` and commit the result"))
        }
    }
}

/// How many changed entries `--check` shows a diff of, and how many names
/// per list it prints.
const DIFFS: usize = 3;
const NAMES: usize = 12;

/// A short account of what differs, entry by entry (operations, components,
/// top-level keys), with unified diffs of the first few changed entries. A
/// line diff of the whole 9 MB file would be long, and slow when much changed.
fn stale_report(old: Option<&str>, new_doc: &Value) -> String {
    let Some(old) = old else {
        return format!("{OUTPUT} is missing\n");
    };
    let old_doc = match serde_json::from_str::<Value>(old) {
        Ok(doc) => doc,
        Err(e) => return format!("{OUTPUT} is not valid JSON: {e}\n"),
    };
    let (old_entries, new_entries) = (entries(&old_doc), entries(new_doc));
    let added: Vec<&str> = new_entries.keys().filter(|k| !old_entries.contains_key(*k)).map(String::as_str).collect();
    let removed: Vec<&str> = old_entries.keys().filter(|k| !new_entries.contains_key(*k)).map(String::as_str).collect();
    let changed: Vec<&str> = new_entries
        .iter()
        .filter(|(k, v)| old_entries.get(*k).is_some_and(|o| o != *v))
        .map(|(k, _)| k.as_str())
        .collect();
    if added.is_empty() && removed.is_empty() && changed.is_empty() {
        return format!(
            "{OUTPUT} has the right content but not the canonical text (sorted keys, pretty, final newline)\n"
        );
    }
    let mut out = String::new();
    for (how, names) in [("changed", &changed), ("added", &added), ("removed", &removed)] {
        if !names.is_empty() {
            let mut list = names.iter().take(NAMES).copied().collect::<Vec<_>>().join(", ");
            if names.len() > NAMES {
                list.push_str(&format!(", ... ({} more)", names.len() - NAMES));
            }
            out.push_str(&format!("{how} ({}): {list}\n", names.len()));
        }
    }
    for name in changed.iter().take(DIFFS) {
        let path = format!("{OUTPUT} ({name})");
        out.push_str(
            &Drift::Changed { path, old: render(old_entries[*name]), new: render(new_entries[*name]) }.render(),
        );
    }
    out
}

/// Every entry of a document by name: `operation <operationId>` (or
/// `<method> <path>`), `components.<kind>.<name>`, and each other top-level key.
fn entries(doc: &Value) -> BTreeMap<String, &Value> {
    let mut out = BTreeMap::new();
    for (key, value) in doc.as_object().into_iter().flatten() {
        match key.as_str() {
            "paths" => {
                for (path, item) in value.as_object().into_iter().flatten() {
                    for (method, op) in item.as_object().into_iter().flatten() {
                        let name = match op["operationId"].as_str() {
                            Some(id) => format!("operation {id}"),
                            None => format!("{method} {path}"),
                        };
                        out.insert(name, op);
                    }
                }
            }
            "components" => {
                for (kind, named) in value.as_object().into_iter().flatten() {
                    for (name, v) in named.as_object().into_iter().flatten() {
                        out.insert(format!("components.{kind}.{name}"), v);
                    }
                }
            }
            _ => {
                out.insert(key.clone(), value);
            }
        }
    }
    out
}

/// The document text: keys sorted, pretty-printed, trailing newline.
pub fn render(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&Sorted(doc)).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// A `Value` serialized with every object's keys in sorted order, whether or
/// not `serde_json`'s `preserve_order` feature is on in this build.
struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    out.serialize_entry(k, &Sorted(v))?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for v in items {
                    out.serialize_element(&Sorted(v))?;
                }
                out.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}

/// The OpenAPI 3.1 document of `spec`.
pub fn document(spec: &Spec) -> Result<Value, String> {
    Builder::new(spec).document()
}

/// `x-zstack-since` and `x-zstack-since-source`: the version that
/// introduced an API, param or field, and where that version comes from.
fn provenance(obj: &mut Map<String, Value>, since: Option<&Version>, source: Option<SinceSource>) {
    if let Some(since) = since {
        obj.insert("x-zstack-since".into(), since.to_string().into());
    }
    if let Some(source) = source {
        obj.insert("x-zstack-since-source".into(), source.as_str().into());
    }
}

fn schema_ref(name: &str) -> String {
    format!("#/components/schemas/{name}")
}

fn reference(kind: &str, name: &str) -> Value {
    json!({ "$ref": format!("#/components/{kind}/{name}") })
}

/// `/vm-instances/{uuid}/actions` → `/vm-instances/{}/actions`: the MN (and
/// OpenAPI) treat paths that differ only in placeholder names as one route.
fn route_shape(path: &str) -> String {
    zstack_spec::placeholders(path)
        .into_iter()
        .fold(path.to_string(), |shape, name| shape.replacen(&format!("{{{name}}}"), "{}", 1))
}

/// The `paths` key of every API (by name). OpenAPI allows one operation per
/// method and route, but the MN serves several APIs on one route (told apart
/// by the body's envelope key) and routes that differ only in placeholder
/// names. Every API of such a route gets the key `<path>#<ApiName>`: the
/// fragment is never sent, and `x-zstack-path` carries the path itself.
fn path_keys(spec: &Spec) -> BTreeMap<&str, String> {
    let mut routes: BTreeMap<String, Vec<&Api>> = BTreeMap::new();
    for (_, api) in spec.apis() {
        routes.entry(route_shape(&api.path)).or_default().push(api);
    }
    let mut keys = BTreeMap::new();
    for apis in routes.values() {
        let templates: BTreeSet<&str> = apis.iter().map(|a| a.path.as_str()).collect();
        let methods: BTreeSet<Method> = apis.iter().map(|a| a.method).collect();
        let shared = templates.len() > 1 || methods.len() < apis.len();
        for api in apis {
            let key = if shared { format!("{}#{}", api.path, api.name) } else { api.path.clone() };
            keys.insert(api.name.as_str(), key);
        }
    }
    keys
}

/// A `valid_regex` as a JSON Schema `pattern`. The MN matches the whole
/// string (Java's `Pattern.matches`), a JSON Schema pattern matches anywhere,
/// hence the anchors. The second value is false when the pattern is not an
/// ECMA-262 regex meaning the same (it only makes sense as a Java regex).
fn pattern(java: &str) -> (String, bool) {
    let anchored = format!("^(?:{java})$");
    let ecma = regress::Regex::with_flags(&anchored, "u").is_ok() && !java_only(java);
    (anchored, ecma)
}

/// Java-only constructs that an ECMA engine may still accept with another
/// meaning: class intersection (`[a-z&&[^x]]`), nested classes, and property
/// classes (Java's `\p{Alpha}` is ASCII-only, ECMA's is Unicode Alphabetic).
fn java_only(re: &str) -> bool {
    let mut depth = 0usize;
    let mut chars = re.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if matches!(chars.next(), Some('p' | 'P')) {
                    return true;
                }
            }
            '[' if depth > 0 => return true,
            '[' => depth = 1,
            ']' if depth > 0 => depth = 0,
            '&' if depth > 0 && chars.peek() == Some(&'&') => return true,
            _ => {}
        }
    }
    false
}

/// The JSON Schema of a spec type.
fn type_schema(ty: &TypeRef) -> Value {
    match ty {
        TypeRef::String => json!({ "type": "string" }),
        TypeRef::Boolean => json!({ "type": "boolean" }),
        TypeRef::Integer => json!({ "type": "integer", "format": "int32" }),
        TypeRef::Long => json!({ "type": "integer", "format": "int64" }),
        TypeRef::Float => json!({ "type": "number", "format": "float" }),
        TypeRef::Double => json!({ "type": "number", "format": "double" }),
        TypeRef::Timestamp => json!({ "$ref": schema_ref(TIMESTAMP) }),
        // Raw JSON: any value.
        TypeRef::Object => json!({}),
        TypeRef::List(item) => json!({ "type": "array", "items": type_schema(item) }),
        // Map keys are strings on the wire.
        TypeRef::Map(_, value) => json!({ "type": "object", "additionalProperties": type_schema(value) }),
        TypeRef::Named(name) => json!({ "$ref": schema_ref(name) }),
    }
}

fn object_mut(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    value.as_object_mut().expect("just made an object")
}

/// `value` as a JSON value of scalar type `ty`, if it is one.
fn typed_literal(ty: &TypeRef, value: &str) -> Option<Value> {
    match ty {
        TypeRef::Integer | TypeRef::Long => value.parse::<i64>().ok().map(Value::from),
        TypeRef::Float | TypeRef::Double => {
            value.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number)
        }
        TypeRef::Boolean => value.parse::<bool>().ok().map(Value::from),
        TypeRef::List(_) | TypeRef::Map(..) => None,
        _ => Some(value.into()),
    }
}

/// A param `default` as the schema's `default` when it has the param's type.
fn typed_default(ty: &TypeRef, default: &Scalar) -> Option<Value> {
    match (ty, default) {
        (TypeRef::String | TypeRef::Named(_) | TypeRef::Timestamp | TypeRef::Object, Scalar::String(s)) => {
            Some(s.clone().into())
        }
        (TypeRef::Boolean, Scalar::Bool(b)) => Some((*b).into()),
        (TypeRef::Integer | TypeRef::Long, Scalar::Int(i)) => Some((*i).into()),
        (TypeRef::Float | TypeRef::Double | TypeRef::Object, Scalar::Int(i)) => Some((*i).into()),
        (TypeRef::Float | TypeRef::Double | TypeRef::Object, Scalar::Float(x)) => {
            serde_json::Number::from_f64(*x).map(Value::Number)
        }
        (TypeRef::Object, Scalar::Bool(b)) => Some((*b).into()),
        _ => None,
    }
}

/// The JSON Schema of a request param, with its constraints (catalog
/// `@Param`): on a list they apply to each element, as the MN checks them.
fn param_schema(p: &Param) -> Value {
    let mut schema = type_schema(&p.ty);
    let c = &p.constraints;
    let obj = object_mut(&mut schema);
    match &p.ty {
        // The MN checks `nonempty` on collections only.
        TypeRef::List(_) if c.non_empty => {
            obj.insert("minItems".into(), 1.into());
        }
        TypeRef::Map(..) if c.non_empty => {
            obj.insert("minProperties".into(), 1.into());
        }
        _ => {}
    }
    if p.secret {
        obj.insert("format".into(), "password".into());
        obj.insert("x-zstack-secret".into(), true.into());
    }
    // The element a list constrains.
    let (mut target, mut ty) = (&mut schema, &p.ty);
    while let TypeRef::List(item) = ty {
        target = &mut target["items"];
        ty = item;
    }
    let target = object_mut(target);
    if !p.allowed.is_empty() {
        let typed: Option<Vec<Value>> = p.allowed.iter().map(|v| typed_literal(ty, v)).collect();
        match typed {
            Some(values) => target.insert("enum".into(), values.into()),
            None => target.insert("x-zstack-allowed".into(), p.allowed.clone().into()),
        };
    }
    match ty {
        TypeRef::String => {
            let min = match (c.min_length, c.forbid_empty_string) {
                (Some(n), true) => Some(n.max(1)),
                (Some(n), false) => Some(n),
                (None, true) => Some(1),
                (None, false) => None,
            };
            if let Some(n) = min {
                target.insert("minLength".into(), n.into());
            }
            if let Some(n) = c.max_length {
                target.insert("maxLength".into(), n.into());
            }
            if let Some(re) = &c.regex {
                let (anchored, ecma) = pattern(re);
                target.insert("pattern".into(), anchored.into());
                if !ecma {
                    target.insert("x-zstack-pattern-dialect".into(), "java".into());
                }
            }
        }
        TypeRef::Integer | TypeRef::Long | TypeRef::Float | TypeRef::Double => {
            if let Some((lo, hi)) = c.range {
                target.insert("minimum".into(), lo.into());
                target.insert("maximum".into(), hi.into());
            }
        }
        _ => {}
    }
    // A default the MN's own checks would refuse (`0` for "unset" below a
    // range, say) is documentation, not a JSON Schema `default`.
    if let Some(default) = &p.default {
        let obj = object_mut(&mut schema);
        match typed_default(&p.ty, default).filter(|value| fits(obj, value)) {
            Some(value) => obj.insert("default".into(), value),
            None => obj.insert("x-zstack-default".into(), default.to_string().into()),
        };
    }
    schema
}

/// Whether a scalar `value` passes the `enum`, range, length and pattern
/// keywords of `schema`.
fn fits(schema: &Map<String, Value>, value: &Value) -> bool {
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        return false;
    }
    if let Some(x) = value.as_f64() {
        let below = schema.get("minimum").and_then(Value::as_f64).is_some_and(|min| x < min);
        let above = schema.get("maximum").and_then(Value::as_f64).is_some_and(|max| x > max);
        if below || above {
            return false;
        }
    }
    if let Some(s) = value.as_str() {
        let len = s.chars().count() as u64;
        let short = schema.get("minLength").and_then(Value::as_u64).is_some_and(|min| len < min);
        let long = schema.get("maxLength").and_then(Value::as_u64).is_some_and(|max| len > max);
        let mismatch = schema
            .get("pattern")
            .and_then(Value::as_str)
            .is_some_and(|re| regress::Regex::with_flags(re, "u").map_or(true, |re| re.find(s).is_none()));
        if short || long || mismatch {
            return false;
        }
    }
    true
}

/// Appends `extra` as a paragraph of `obj`'s description.
fn describe(obj: &mut Map<String, Value>, extra: &str) {
    let text = match obj.get("description").and_then(Value::as_str) {
        Some(old) if !old.is_empty() => format!("{old}\n\n{extra}"),
        _ => extra.to_string(),
    };
    obj.insert("description".into(), text.into());
}

fn set_description(obj: &mut Map<String, Value>, description: Option<&String>) {
    if let Some(d) = description.filter(|d| !d.trim().is_empty()) {
        obj.insert("description".into(), d.clone().into());
    }
}

struct Builder<'a> {
    spec: &'a Spec,
    /// Type name → its subtypes (transitively), for polymorphic bases.
    subtypes: BTreeMap<&'a str, Vec<&'a TypeDef>>,
    /// Whether the spec defines `ErrorCode`.
    has_error_code: bool,
}

impl<'a> Builder<'a> {
    fn new(spec: &'a Spec) -> Builder<'a> {
        let types: BTreeMap<&str, &TypeDef> =
            spec.groups.iter().flat_map(|g| &g.types).map(|t| (t.name.as_str(), t)).collect();
        let mut subtypes: BTreeMap<&str, Vec<&TypeDef>> = BTreeMap::new();
        for t in types.values() {
            // Every ancestor gets `t`; the loader rejects `extends` cycles.
            let mut parent = t.extends.as_deref();
            while let Some(p) = parent {
                subtypes.entry(p).or_default().push(t);
                parent = types.get(p).and_then(|t| t.extends.as_deref());
            }
        }
        Builder { spec, subtypes, has_error_code: spec.type_def(ERROR_CODE).is_some() }
    }

    fn document(&self) -> Result<Value, String> {
        let spec = self.spec;
        let keys = path_keys(spec);
        let mut paths = Map::new();
        for (group, api) in spec.apis() {
            let key = &keys[api.name.as_str()];
            let item = object_mut(paths.entry(key.clone()).or_insert_with(|| json!({})));
            let method = api.method.as_str().to_ascii_lowercase();
            if item.insert(method, self.operation(group, api, key)?).is_some() {
                return Err(format!("openapi: two operations on {} {key}", api.method));
            }
        }
        if spec.apis().any(|(_, a)| a.name == POLL_OPERATION) {
            return Err(format!("openapi: an API is named {POLL_OPERATION}, the document's job poll operation"));
        }
        if spec.apis().any(|(_, a)| route_shape(&a.path) == route_shape(POLL_PATH)) {
            return Err(format!("openapi: an API uses the route of the job poll, {POLL_PATH}"));
        }
        paths.insert(POLL_PATH.into(), json!({ "get": self.poll_operation() }));

        let mut tags: Vec<Value> = spec
            .groups
            .iter()
            .map(|g| {
                let mut tag = Map::new();
                tag.insert("name".into(), g.name.clone().into());
                set_description(&mut tag, g.description.as_ref());
                Value::Object(tag)
            })
            .collect();
        if !spec.groups.iter().any(|g| g.name == POLL_TAG) {
            tags.push(json!({ "name": POLL_TAG, "description": "Polling the result of an asynchronous API call." }));
        }
        tags.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));

        Ok(json!({
            "openapi": "3.1.0",
            "info": {
                "title": "ZStack Cloud REST API",
                "version": self.newest_since(),
                "description": INFO_DESCRIPTION,
                "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" },
            },
            "servers": [{
                "url": "{base}/v1",
                "description": "A management node (MN). Every API path is relative to `<base>/v1`.",
                "variables": {
                    "base": {
                        "default": "http://localhost:8080/zstack",
                        "description": "`scheme://host:port/context`: scheme `http` or `https`, the MN's host and port, \
                                        and its context path (`/zstack` on a stock MN; may be empty), with no trailing \
                                        slash.",
                    }
                },
            }],
            "security": [{ "session": [] }, { "accessKey": [] }],
            "tags": tags,
            "paths": paths,
            "components": self.components(),
            "x-zstack-polling": {
                "path": POLL_PATH,
                "operationId": POLL_OPERATION,
                "jobId": "The last path segment of the 202 reply's `location`; it equals the X-Job-UUID the call \
                          sent. Only the segment is used: the scheme, host and prefix of `location` are the MN's \
                          internal address.",
                "statuses": { "202": "running", "200": "done: the API's result", "503": "failed: {\"error\": ErrorCode}",
                              "404": "unknown or expired job (results are purged about 3 h after the job started)" },
                "credentials": "the same as the call's (an access-key signature is computed afresh for the poll)",
                "headers": "X-JSON-Schema: true (the result carries `schema` only if the poll sends it); no X-Job-UUID",
                "interval": "client-chosen; the SDK polls at once, then every second, for up to 3 h by default",
            },
        }))
    }

    /// The newest `since` anywhere in the spec: the API version the document describes.
    fn newest_since(&self) -> String {
        let mut newest: Option<&Version> = None;
        for (_, api) in self.spec.apis() {
            let fields = match &api.result {
                ResultShape::Fields(fields) => fields.as_slice(),
                _ => &[],
            };
            let versions = api.since.iter().chain(api.params.iter().filter_map(|p| p.since.as_ref()));
            for v in versions.chain(fields.iter().filter_map(|f| f.since.as_ref())) {
                newest = newest.max(Some(v));
            }
        }
        for t in self.spec.groups.iter().flat_map(|g| &g.types) {
            for v in t.fields.iter().filter_map(|f| f.since.as_ref()) {
                newest = newest.max(Some(v));
            }
        }
        newest.map_or_else(|| "0".to_string(), Version::to_string)
    }

    fn operation(&self, group: &Group, api: &Api, key: &str) -> Result<Value, String> {
        let mut op = Map::new();
        op.insert("operationId".into(), api.name.clone().into());
        op.insert("tags".into(), json!([group.name]));
        set_description(&mut op, api.description.as_ref());
        provenance(&mut op, api.since.as_ref(), api.since_source);
        if let Some(source) = &api.source {
            op.insert("x-zstack-source".into(), source.clone().into());
        }
        if key != api.path {
            op.insert("x-zstack-path".into(), api.path.clone().into());
            describe(
                &mut op,
                &format!(
                    "The MN serves several APIs on the route `{} {}` and tells them apart by the body's envelope key \
                     (or the method); the `#{}` suffix of this document's path key is not part of the URL.",
                    api.method, api.path, api.name
                ),
            );
        }

        let mut params = Vec::new();
        for name in api.placeholders() {
            let p = api
                .params
                .iter()
                .find(|p| p.location == ParamLocation::Path && p.name == name)
                .ok_or_else(|| format!("openapi: {}: no path param for {{{name}}}", api.name))?;
            params.push(self.parameter(p, "path"));
        }
        // GET and DELETE send every non-path param in the query string.
        let in_query = |p: &&Param| {
            p.location == ParamLocation::Query || (p.location == ParamLocation::Body && !api.method.has_body())
        };
        params.extend(api.params.iter().filter(in_query).map(|p| self.parameter(p, "query")));
        if api.query {
            params.extend(query_params().map(|(name, _)| reference("parameters", name)));
        }
        let mut headers = vec![HEADER_JOB_UUID, HEADER_JSON_SCHEMA, HEADER_API_TIMEOUT];
        if api.is_async {
            headers.push(HEADER_WEB_HOOK);
        }
        params.extend(headers.into_iter().map(|h| reference("parameters", h)));
        op.insert("parameters".into(), params.into());

        if api.method.has_body() {
            let envelope = api
                .envelope
                .as_deref()
                .ok_or_else(|| format!("openapi: {}: {} without envelope", api.name, api.method))?;
            op.insert("requestBody".into(), self.request_body(api, envelope));
            op.insert("x-zstack-envelope".into(), envelope.into());
        }

        let mut responses = Map::new();
        let mut ok = json!({
            "description": "Success: the result (null fields are omitted, so every field is optional).",
            "content": { "application/json": { "schema": self.result_schema(api) } },
        });
        if api.is_async {
            describe(
                object_mut(&mut ok),
                "This API is asynchronous: the call answers 202, and this result is the body of the job poll that \
                 answers 200 (x-zstack-polling). A 200 straight from the call means the same.",
            );
            responses.insert("202".into(), reference("responses", ACCEPTED));
            op.insert("x-zstack-async".into(), true.into());
        }
        responses.insert("200".into(), ok);
        responses.insert("503".into(), reference("responses", FAILURE));
        responses.insert("4XX".into(), reference("responses", PROTOCOL_ERROR));
        responses.insert("500".into(), reference("responses", PROTOCOL_ERROR));
        op.insert("responses".into(), responses.into());

        if !api.session {
            op.insert("security".into(), json!([]));
        }
        if api.query {
            op.insert("x-zstack-query".into(), true.into());
        }
        Ok(op.into())
    }

    fn parameter(&self, p: &Param, location: &str) -> Value {
        let mut obj = Map::new();
        obj.insert("name".into(), p.name.clone().into());
        obj.insert("in".into(), location.into());
        // Every placeholder is required, whatever the source says (protocol §2).
        if p.required || location == "path" {
            obj.insert("required".into(), true.into());
        }
        set_description(&mut obj, p.description.as_ref());
        provenance(&mut obj, p.since.as_ref(), p.since_source);
        if p.secret {
            describe(&mut obj, SECRET_NOTE);
        }
        if location == "query" && matches!(p.ty, TypeRef::Map(..)) {
            obj.insert("x-zstack-query-style".into(), "dotted".into());
            describe(
                &mut obj,
                &format!(
                    "A map in the query string: one `{0}.<key>=<value>` pair per entry (the key repeated for each \
                     element when the value is a list). Keys must not contain `.` or be all digits. No OpenAPI \
                     `style` says this; see x-zstack-query-style.",
                    p.name
                ),
            );
        }
        obj.insert("schema".into(), param_schema(p));
        obj.into()
    }

    fn request_body(&self, api: &Api, envelope: &str) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for p in api.params.iter().filter(|p| p.location == ParamLocation::Body) {
            let mut schema = param_schema(p);
            let obj = object_mut(&mut schema);
            set_description(obj, p.description.as_ref());
            provenance(obj, p.since.as_ref(), p.since_source);
            if p.secret {
                describe(obj, SECRET_NOTE);
            }
            properties.insert(p.name.clone(), schema);
            if p.required {
                required.push(Value::from(p.name.clone()));
            }
        }
        let mut params = json!({ "type": "object", "properties": properties });
        if !required.is_empty() {
            params["required"] = required.into();
        }
        let key = Value::from(envelope);
        json!({
            "required": true,
            "description": format!(
                "The params under the envelope key {key}, verbatim: `{{{key}: {{...}}}}`. The envelope object is sent \
                 even when empty; absent optional params are left out (never sent as null). Unknown keys are ignored \
                 by the MN."
            ),
            "content": { "application/json": { "schema": {
                "type": "object",
                "required": [envelope],
                "properties": { envelope: params },
            } } },
        })
    }

    fn field_schema(&self, f: &Field) -> Value {
        let mut schema = type_schema(&f.ty);
        let obj = object_mut(&mut schema);
        set_description(obj, f.description.as_ref());
        provenance(obj, f.since.as_ref(), f.since_source);
        if f.sensitive {
            obj.insert("x-zstack-sensitive".into(), true.into());
        }
        schema
    }

    fn result_schema(&self, api: &Api) -> Value {
        let mut properties = Map::new();
        match &api.result {
            ResultShape::Empty => {}
            ResultShape::Inventory(ty) => {
                properties.insert("inventory".into(), json!({ "$ref": schema_ref(ty) }));
            }
            ResultShape::Inventories { ty, total } => {
                let mut list = json!({ "type": "array", "items": { "$ref": schema_ref(ty) } });
                if api.query {
                    list["description"] = "Absent when the query set `count=true`.".into();
                }
                properties.insert("inventories".into(), list);
                if *total {
                    properties.insert(
                        "total".into(),
                        json!({
                            "type": "integer",
                            "format": "int64",
                            "description": "The number of matches; present only when the query set `count` or \
                                            `replyWithCount`.",
                        }),
                    );
                }
            }
            ResultShape::Fields(fields) => {
                for f in fields {
                    properties.insert(f.name.clone(), self.field_schema(f));
                }
            }
        }
        properties.entry("schema").or_insert_with(|| json!({ "$ref": schema_ref(SCHEMA_MAP) }));
        json!({ "type": "object", "properties": properties })
    }

    fn poll_operation(&self) -> Value {
        json!({
            "operationId": POLL_OPERATION,
            "tags": [POLL_TAG],
            "summary": "Poll the result of an asynchronous API call.",
            "description": "Poll with the same credentials as the call and with `X-JSON-Schema: true` (no X-Job-UUID) \
                            until the answer is not 202. The job id is the last path segment of the call's 202 \
                            `location` (= the X-Job-UUID it sent); never use the scheme, host or prefix of \
                            `location`. Only GET is allowed (405 otherwise). The open-source MN does not check \
                            credentials here; send them anyway.",
            "parameters": [
                {
                    "name": "jobId",
                    "in": "path",
                    "required": true,
                    "description": "The job id: the X-Job-UUID of the call.",
                    "schema": { "type": "string" },
                },
                reference("parameters", HEADER_JSON_SCHEMA),
            ],
            "security": [{ "session": [] }, { "accessKey": [] }, {}],
            "responses": {
                "200": {
                    "description": "Done: the polled API's result, the body its own 200 response describes.",
                    "content": { "application/json": { "schema": {
                        "type": "object",
                        "properties": { "schema": { "$ref": schema_ref(SCHEMA_MAP) } },
                    } } },
                },
                "202": reference("responses", JOB_RUNNING),
                "404": reference("responses", JOB_EXPIRED),
                "503": reference("responses", FAILURE),
                "4XX": reference("responses", PROTOCOL_ERROR),
                "500": reference("responses", PROTOCOL_ERROR),
            },
            "x-zstack-poll": true,
        })
    }

    fn components(&self) -> Value {
        let mut schemas = Map::new();
        for group in &self.spec.groups {
            for t in &group.types {
                schemas.insert(t.name.clone(), self.type_component(t));
            }
            for e in &group.enums {
                schemas.insert(e.name.clone(), enum_component(e));
            }
        }
        let error = if self.has_error_code { json!({ "$ref": schema_ref(ERROR_CODE) }) } else { json!({}) };
        schemas.insert(
            TIMESTAMP.into(),
            json!({
                "type": "string",
                "description": "A date-time as English text in the MN's local time zone, with no offset: \
                                `MMM d, yyyy h:mm:ss a` (day and hour unpadded), e.g. `Apr 11, 2018 2:50:54 PM`. \
                                Newer JDKs put a comma after the year (`Apr 11, 2018, 2:50:54 PM`) and may put a \
                                narrow no-break space (U+202F) before AM/PM. It is not epoch time and not ISO 8601; \
                                turning it into an instant needs the MN's time zone.",
                "examples": ["Apr 11, 2018 2:50:54 PM"],
                "x-zstack-type": "Timestamp",
            }),
        );
        schemas.insert(
            SCHEMA_MAP.into(),
            json!({
                "type": "object",
                "additionalProperties": { "type": "string" },
                "description": "Present when the request (or, for asynchronous APIs, the poll) sent \
                                `X-JSON-Schema: true`, and always on query replies. Maps a JSON path of the reply \
                                (`inventory`, `inventories[3]`, `inventory.mons[0]`, `field.mapKey`) to the server \
                                class name of the object there; it names the concrete subclass of a polymorphic \
                                value (see x-zstack-subtypes on the declared type).",
                "examples": [{ "inventories[0]": "org.zstack.storage.ceph.backup.CephBackupStorageInventory" }],
            }),
        );
        schemas.insert(
            ASYNC_JOB.into(),
            json!({
                "type": "object",
                "properties": {
                    "location": {
                        "type": "string",
                        "description": "`http://<mn-ip>:8080/zstack/v1/api-jobs/<job id>`: only its last segment, the \
                                        job id, is meaningful.",
                    },
                    "apiTimeout": {
                        "type": "integer",
                        "format": "int64",
                        "description": "The MN-side timeout of the operation, in milliseconds.",
                    },
                },
            }),
        );
        schemas.insert(
            ERROR_REPLY.into(),
            json!({
                "type": "object",
                "required": ["error"],
                "properties": { "error": error },
                "description": "The body of every 503: an API failure, from a call or from a job poll.",
            }),
        );

        let mut parameters = Map::new();
        for (name, param) in query_params() {
            parameters.insert(name.into(), param);
        }
        for (name, param) in header_params() {
            parameters.insert(name.into(), param);
        }

        let text = json!({ "text/plain": { "schema": { "type": "string" } } });
        json!({
            "schemas": schemas,
            "parameters": parameters,
            "responses": {
                ACCEPTED: {
                    "description": "Accepted: the call runs as a job. Poll GET /api-jobs/{jobId} (x-zstack-polling): \
                                    202 while running, 200 with the result, 503 with the error, 404 once expired.",
                    "content": { "application/json": { "schema": { "$ref": schema_ref(ASYNC_JOB) } } },
                    "links": { "poll": {
                        "operationId": POLL_OPERATION,
                        "parameters": { "jobId": "$request.header.X-Job-UUID" },
                        "description": "The job id is the X-Job-UUID the call sent (also the last path segment of \
                                        `location`).",
                    } },
                },
                FAILURE: {
                    "description": "The API failed: `{\"error\": ErrorCode}`. The outer code is often generic \
                                    (`SYS.1000`); the useful one may sit in `cause` or `causes`. An expired or unknown \
                                    session is `ID.1001`. The MN sets no Content-Type: parse by status code.",
                    "content": { "application/json": { "schema": { "$ref": schema_ref(ERROR_REPLY) } } },
                },
                PROTOCOL_ERROR: {
                    "description": "A protocol error with a plain-text body: 400 bad or missing Authorization, Date \
                                    or X-Job-UUID, a duplicate job id, a shared route without its envelope key, a \
                                    type check or a bad `limit`/`start`/`q`; 403 an access-key Date outside ±15 min; \
                                    404 no API on the path; 405 method not allowed; 500 an unhandled MN exception.",
                    "content": text.clone(),
                },
                JOB_RUNNING: {
                    "description": "The job is still running: `{}`. Poll again.",
                    "content": { "application/json": { "schema": { "type": "object" } } },
                },
                JOB_EXPIRED: {
                    "description": "Unknown or expired job (`the job has been expired`): results are purged about 3 h \
                                    after the job started.",
                    "content": text,
                },
            },
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "Session: `Authorization: OAuth <session uuid>`, the value being the word `OAuth`, \
                                    a space and the session id (`inventory.uuid` of a login reply, e.g. \
                                    LogInByAccount). Sessions expire after 2 h idle by default (`ID.1001`).",
                },
                "accessKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": ACCESS_KEY_DESCRIPTION,
                },
            },
        })
    }

    fn type_component(&self, t: &TypeDef) -> Value {
        let mut properties = Map::new();
        for f in &t.fields {
            properties.insert(f.name.clone(), self.field_schema(f));
        }
        let own = json!({ "type": "object", "properties": properties });
        let mut obj = match &t.extends {
            Some(parent) => {
                let mut obj = Map::new();
                obj.insert("allOf".into(), json!([{ "$ref": schema_ref(parent) }, own]));
                obj
            }
            None => match own {
                Value::Object(obj) => obj,
                _ => unreachable!("built as an object"),
            },
        };
        set_description(&mut obj, t.description.as_ref());
        let mut classes = t.server_classes.clone();
        classes.sort();
        if !classes.is_empty() {
            obj.insert("x-zstack-server-classes".into(), classes.into());
        }
        if let Some(source) = &t.source {
            obj.insert("x-zstack-source".into(), source.clone().into());
        }
        let subtypes = self.subtypes.get(t.name.as_str()).map(Vec::as_slice).unwrap_or_default();
        if !t.polymorphic {
            obj.insert("x-zstack-polymorphic".into(), false.into());
            describe(
                &mut obj,
                "Not polymorphic: a value declared with this type is always this type, whatever the reply's `schema` \
                 map says.",
            );
        } else if !subtypes.is_empty() {
            let mut by_class = Map::new();
            for sub in subtypes {
                for class in &sub.server_classes {
                    by_class.insert(class.clone(), schema_ref(&sub.name).into());
                }
            }
            let mut names: Vec<&str> = subtypes.iter().map(|s| s.name.as_str()).collect();
            names.sort();
            obj.insert("x-zstack-subtypes".into(), by_class.into());
            describe(
                &mut obj,
                &format!(
                    "Polymorphic: a value declared as {} may be one of its subtypes ({}), carrying the subtype's \
                     fields. There is no discriminator property: the reply's `schema` map (JSON path → server class \
                     name, e.g. `\"inventories[0]\": \"org.zstack...\"`) names the class of the value at each path, and \
                     x-zstack-subtypes maps each server class to its schema. An unknown class decodes as this type.",
                    t.name,
                    names.join(", ")
                ),
            );
        }
        obj.into()
    }
}

fn enum_component(e: &EnumDef) -> Value {
    let mut obj = Map::new();
    obj.insert("type".into(), "string".into());
    obj.insert("enum".into(), e.values.clone().into());
    set_description(&mut obj, e.description.as_ref());
    describe(&mut obj, "Open set: newer MNs may send values not listed here; keep them as strings.");
    let mut classes = e.server_classes.clone();
    classes.sort();
    if !classes.is_empty() {
        obj.insert("x-zstack-server-classes".into(), classes.into());
    }
    obj.into()
}

const SECRET_NOTE: &str = "A password: send the lowercase hex SHA-512 digest of its UTF-8 bytes (128 characters), which is what the MN \
     stores and compares (protocol §9).";

const HEADER_JOB_UUID: &str = "zstack.header.X-Job-UUID";
const HEADER_JSON_SCHEMA: &str = "zstack.header.X-JSON-Schema";
const HEADER_API_TIMEOUT: &str = "zstack.header.X-API-Timeout";
const HEADER_WEB_HOOK: &str = "zstack.header.X-Web-Hook";

fn header_params() -> [(&'static str, Value); 4] {
    [
        (
            HEADER_JOB_UUID,
            json!({
                "name": "X-Job-UUID",
                "in": "header",
                "description": "The request's job id: 32 lowercase hex digits (a UUID v4 without dashes), new for each \
                                request unless retrying. The MN checks only the length (400 otherwise) and, for \
                                POST/PUT/DELETE, answers 400 \"Duplicate job uuid\" to an id it knows: then the first \
                                attempt was accepted, so poll /api-jobs/{jobId} with it. It becomes the job id of an \
                                asynchronous call.",
                "schema": { "type": "string", "pattern": "^[0-9a-f]{32}$" },
            }),
        ),
        (
            HEADER_JSON_SCHEMA,
            json!({
                "name": "X-JSON-Schema",
                "in": "header",
                "description": "Present (`true`): success bodies carry the `schema` map (JSON path → server class), \
                                which names the concrete class of polymorphic values. Send it on every request and \
                                poll.",
                "schema": { "type": "string", "enum": ["true"] },
            }),
        ),
        (
            HEADER_API_TIMEOUT,
            json!({
                "name": "X-API-Timeout",
                "in": "header",
                "description": "The MN-side timeout of this operation, in whole seconds.",
                "schema": { "type": "integer", "format": "int64", "minimum": 1 },
            }),
        ),
        (
            HEADER_WEB_HOOK,
            json!({
                "name": "X-Web-Hook",
                "in": "header",
                "description": "A URL, reachable from the MN, that the MN POSTs the job's final body to (the result or \
                                `{\"error\": ...}`, as a poll would return it) with headers X-Job-UUID, X-Job-Success \
                                and, for batch APIs, X-Job-Batch. The receiver must answer 2xx (else 15 retries, 2 s \
                                apart). The 202 and polling work as without it.",
                "schema": { "type": "string", "format": "uri" },
            }),
        ),
    ]
}

/// The implied params of every Query API (protocol §8), as components.
fn query_params() -> [(&'static str, Value); 9] {
    [
        (
            "zstack.query.q",
            json!({
                "name": "q",
                "in": "query",
                "description": QUERY_CONDITION_DESCRIPTION,
                "schema": { "type": "array", "items": { "type": "string" } },
                "style": "form",
                "explode": true,
                "examples": {
                    "equal": { "value": ["state=Running"] },
                    "like and in": { "value": ["name~=web%", "hypervisorType?=KVM,ESX"] },
                    "null": { "value": ["description is null"] },
                },
                "x-zstack-condition-operators": [
                    "!=", ">=", "<=", "!?=", "!~=", "~=", "?=", "=", ">", "<", "is null", "not null",
                ],
            }),
        ),
        (
            "zstack.query.limit",
            json!({
                "name": "limit",
                "in": "query",
                "description": "The page size; the MN returns at most 1000 when absent. Not an integer: 400.",
                "schema": { "type": "integer", "format": "int32" },
            }),
        ),
        (
            "zstack.query.start",
            json!({
                "name": "start",
                "in": "query",
                "description": "The offset of the first match to return. Not an integer: 400.",
                "schema": { "type": "integer", "format": "int32" },
            }),
        ),
        (
            "zstack.query.count",
            json!({
                "name": "count",
                "in": "query",
                "description": "`true`: return only `total`, no `inventories`.",
                "schema": { "type": "boolean" },
            }),
        ),
        (
            "zstack.query.replyWithCount",
            json!({
                "name": "replyWithCount",
                "in": "query",
                "description": "`true`: add `total` (the number of matches) to the page.",
                "schema": { "type": "boolean" },
            }),
        ),
        (
            "zstack.query.sort",
            json!({
                "name": "sort",
                "in": "query",
                "description": "`+field` ascending, `-field` descending, a bare `field` ascending. The `+` must be \
                                percent-encoded (`%2B`): a raw `+` decodes to a space.",
                "schema": { "type": "string", "pattern": "^[+-]?[A-Za-z0-9_.]+$" },
            }),
        ),
        (
            "zstack.query.fields",
            json!({
                "name": "fields",
                "in": "query",
                "description": "Return only these fields of each inventory: one comma-joined param (`fields=uuid,name`); \
                                a repeated `fields` keeps only the first.",
                "schema": { "type": "array", "items": { "type": "string" } },
                "style": "form",
                "explode": false,
            }),
        ),
        (
            "zstack.query.filterName",
            json!({
                "name": "filterName",
                "in": "query",
                "description": "The name of an MN-side filter, passed through.",
                "schema": { "type": "string" },
            }),
        ),
        (
            "zstack.query.groupBy",
            json!({
                "name": "groupBy",
                "in": "query",
                "description": "Accepted, but ignored by current MNs.",
                "schema": { "type": "string" },
            }),
        ),
    ]
}

const QUERY_CONDITION_DESCRIPTION: &str = "\
Conditions, one per `q` (repeat the param), all joined with AND. A condition is `<field><op><value>`, or \
`<field> is null` / `<field> not null` with no value. The field is a dotted path (`vmNics.ip`, \
`vmNics.eip.ip`) or the pseudo-field `__systemTag__` / `__userTag__`; a `type=<X>` condition on a \
polymorphic resource queries the subclass, whose fields then become queryable.

| op | meaning |
|---|---|
| `=` | equal |
| `!=` | not equal |
| `>` `>=` `<` `<=` | comparisons |
| `?=` | in: the value is a comma-separated list |
| `!?=` | not in: the value is a comma-separated list |
| `~=` | like: `%` matches any run of characters, `_` any one |
| `!~=` | not like |
| `is null` | is null (no value) |
| `not null` | is not null (no value) |

The MN looks for the tokens in the order `!=`, `>=`, `<=`, `!?=`, `!~=`, `~=`, `?=`, `=`, `>`, `<`, `is null`, \
`not null` (x-zstack-condition-operators) and splits the condition at the first occurrence of the first one \
found; there is no escaping. So a value must not contain `=`, `<` or `>`, an in-list element must not contain \
`,`, and `=null` compares with the string 'null'. The field name is trimmed, the value is not. A condition \
with no operator is a 400. Timestamps compare as text in `yyyy-MM-dd HH:mm:ss` form.";

const ACCESS_KEY_DESCRIPTION: &str = "\
Access-key signing, instead of a session: `Authorization: ZStack <accessKeyId>:<signature>` plus a `Date` \
header.

* String to sign: `METHOD + \"\\n\" + DATE + \"\\n\" + \"/v1\" + PATH`, where METHOD is uppercase, DATE is the \
exact `Date` header value and PATH is the API path with placeholders filled (raw values), without the context \
path and without the query string.
* `signature = Base64(HMAC-SHA1(key = secret as UTF-8, message = string to sign))`, standard alphabet with \
padding.
* `Date`: `EEE, dd MMM yyyy HH:mm:ss <zone>` in English with a 24 h clock; the zone is an id or name such as \
`Asia/Shanghai` or `Etc/UTC` (a numeric offset is a 400). The MN allows ±15 min of skew (403 otherwise), \
comparing the wall-clock time written in `Date` with its own local clock, so send the MN's local time.
* Job polls are signed afresh (`GET`, a new `Date`, `/v1/api-jobs/<job id>`).

The signature check runs in closed-source MN code: this is what the SDK signs, not a verified server contract.";

const INFO_DESCRIPTION: &str = "\
The REST API of a ZStack management node (MN), generated from the typed spec of the ZStack Rust SDK \
(`cargo xtask openapi`; docs/openapi.md). One operation per API action: its operationId is the action name and \
its tag the spec group.

* **URL**: `<base>/v1` + the API path, byte for byte (some end in `/`). Placeholders are filled with the param \
of the same name, percent-encoded (every byte outside `A-Z a-z 0-9 - . _ ~`), and are always required. Path \
keys ending in `#<ApiName>` belong to routes the MN shares between several APIs: the fragment is not sent, \
`x-zstack-path` holds the path.
* **GET and DELETE** carry every non-path param in the query string (lists repeat the key), no body.
* **POST and PUT** carry `{\"<envelope>\": {...params}}` as JSON; the envelope key (`x-zstack-envelope`) is \
verbatim and may be `params`, `param`, the literal string `\"null\"`, the empty string or the lower-camel \
action name. The MN picks the action of a shared route by that key.
* **Auth**: `Authorization: OAuth <session uuid>` (security scheme `session`) or an access-key signature \
(`accessKey`); operations with `security: []` need none (logins, GetVersion, ...).
* **Headers**: `X-Job-UUID` (32 lowercase hex, new per request), `X-JSON-Schema: true` (replies then carry \
`schema`), optional `X-API-Timeout` (seconds) and, on asynchronous APIs, `X-Web-Hook`.
* **Replies**: 200 with the result; asynchronous APIs (`x-zstack-async`) answer 202 `{location, apiTimeout}` \
and are polled at GET `/api-jobs/{jobId}` (x-zstack-polling); 503 `{\"error\": ErrorCode}` is the normal API \
failure; other 4xx/5xx carry plain text. The MN sets no Content-Type: choose the parser by status code. Null \
fields are omitted and unknown fields must be ignored.
* **Values**: Integer/Long fields may arrive as integral floats (`8.589934592E9`, `1.0`); timestamps are the \
MN's local date text (`zstack.Timestamp`), not epoch numbers; polymorphic types are resolved through the \
reply's `schema` map (`x-zstack-subtypes`).
* **Constraints** (`pattern`, `minLength`, `enum`, `minimum`, ...) are the MN's own checks; patterns are the \
MN's Java regexes anchored for a whole-string match (`x-zstack-pattern-dialect: java` marks those that are not \
also ECMA-262 regexes).
* `x-zstack-since` gives the version that introduced an operation, param or field, and \
`x-zstack-since-source` where that version comes from (`annotation`: ZStack's API docs; `releases`: the first \
release that has it, `3.0.1` meaning 3.0.1 or earlier; `seed`: a published doc page).";

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
description: Test group.
apis:
  - name: AttachIsoToVmInstance
    method: POST
    path: /vm-instances/{vmInstanceUuid}/iso/{isoUuid}
    envelope: "null"
    async: true
    since: "0.6"
    params:
      - { name: vmInstanceUuid, type: String, location: path, required: true }
      - { name: isoUuid, type: String, location: path, required: true }
  - name: BatchSyncVolumeSize
    method: POST
    path: /volumes/batch-sync-size
    envelope: ""
    params:
      - { name: uuids, type: List<String>, location: body, required: true, non_empty: true, empty_string: false }
  - name: StartVmInstance
    method: PUT
    path: /vm-instances/{uuid}/actions
    envelope: startVmInstance
    params:
      - { name: uuid, type: String, location: path, required: true }
      - name: hostUuid
        type: String
        location: body
        since: "4.10.16"
        since_source: seed
        regex: "[A-Za-z0-9]{6}"
        max_length: 32
      - { name: count, type: Integer, location: body, range: [1, 10], default: 1 }
      - { name: mode, type: String, location: body, allowed: [a, b] }
  - name: StopVmInstance
    method: PUT
    path: /vm-instances/{vmInstanceUuid}/actions
    envelope: stopVmInstance
    params:
      - { name: vmInstanceUuid, type: String, location: path, required: true }
  - name: QueryBackupStorage
    method: GET
    path: /backup-storage
    query: true
    result: { inventories: BackupStorageInventory, total: true }
  - name: LogOut
    method: DELETE
    path: /accounts/sessions/{sessionUuid}
    session: false
    params:
      - { name: sessionUuid, type: String, location: path, required: true }
      - { name: clientInfo, type: "Map<String,String>", location: query }
  - name: LogInByAccount
    method: PUT
    path: /accounts/login
    envelope: logInByAccount
    session: false
    params:
      - { name: password, type: String, location: body, required: true, secret: true }
    result: { inventory: BackupStorageInventory }
types:
  - name: BackupStorageInventory
    server_classes: [org.zstack.header.storage.backup.BackupStorageInventory]
    fields:
      - { name: uuid, type: String, since: "0.6" }
      - { name: createDate, type: Timestamp }
      - { name: totalCapacity, type: Long }
  - name: CephBackupStorageInventory
    extends: BackupStorageInventory
    server_classes: [org.zstack.storage.ceph.backup.CephBackupStorageInventory]
    fields:
      - { name: fsid, type: String }
  - name: ErrorCode
    polymorphic: false
    fields:
      - { name: code, type: String }
      - { name: cause, type: ErrorCode }
enums:
  - name: DeleteMode
    values: [Permissive, Enforcing]
"#;

    fn doc() -> Value {
        let spec = zstack_spec::load_str("test.yaml", SPEC).unwrap_or_else(|e| panic!("{e}"));
        document(&spec).unwrap()
    }

    fn op<'a>(doc: &'a Value, id: &str) -> &'a Value {
        entries(doc).get(&format!("operation {id}")).copied().unwrap_or_else(|| panic!("no operation {id}"))
    }

    fn body_schema(op: &Value) -> &Value {
        &op["requestBody"]["content"]["application/json"]["schema"]
    }

    #[test]
    fn odd_envelope_keys_are_kept_verbatim() {
        let doc = doc();
        let attach = op(&doc, "AttachIsoToVmInstance");
        assert_eq!(body_schema(attach)["required"], json!(["null"]));
        assert_eq!(body_schema(attach)["properties"]["null"], json!({ "type": "object", "properties": {} }));
        assert_eq!(attach["x-zstack-envelope"], "null");
        let batch = op(&doc, "BatchSyncVolumeSize");
        assert_eq!(body_schema(batch)["required"], json!([""]));
        let params = &body_schema(batch)["properties"][""];
        assert_eq!(params["required"], json!(["uuids"]));
        assert_eq!(params["properties"]["uuids"]["minItems"], 1);
        assert_eq!(params["properties"]["uuids"]["items"]["minLength"], 1);
    }

    #[test]
    fn shared_routes_get_fragment_keys() {
        let doc = doc();
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.contains_key("/vm-instances/{uuid}/actions#StartVmInstance"), "{:?}", paths.keys());
        assert!(paths.contains_key("/vm-instances/{vmInstanceUuid}/actions#StopVmInstance"));
        assert!(paths.contains_key("/backup-storage"), "an unshared route keeps its path");
        assert_eq!(op(&doc, "StartVmInstance")["x-zstack-path"], "/vm-instances/{uuid}/actions");
        assert!(op(&doc, "QueryBackupStorage").get("x-zstack-path").is_none());
    }

    #[test]
    fn async_security_and_headers() {
        let doc = doc();
        let attach = op(&doc, "AttachIsoToVmInstance");
        assert_eq!(attach["x-zstack-async"], true);
        assert_eq!(attach["x-zstack-since"], "0.6");
        assert_eq!(attach["responses"]["202"]["$ref"], "#/components/responses/zstack.Accepted");
        let refs: Vec<&str> =
            attach["parameters"].as_array().unwrap().iter().filter_map(|p| p["$ref"].as_str()).collect();
        assert!(refs.contains(&"#/components/parameters/zstack.header.X-Web-Hook"), "{refs:?}");
        assert!(attach.get("security").is_none(), "the document's default security applies");
        let logout = op(&doc, "LogOut");
        assert_eq!(logout["security"], json!([]));
        assert!(logout["responses"].get("202").is_none());
        let client_info = &logout["parameters"][1];
        assert_eq!(client_info["in"], "query");
        assert_eq!(client_info["x-zstack-query-style"], "dotted");
        assert_eq!(doc["paths"]["/api-jobs/{jobId}"]["get"]["operationId"], POLL_OPERATION);
    }

    #[test]
    fn query_apis_get_the_implied_params() {
        let doc = doc();
        let query = op(&doc, "QueryBackupStorage");
        let refs: Vec<&str> =
            query["parameters"].as_array().unwrap().iter().filter_map(|p| p["$ref"].as_str()).collect();
        for name in ["q", "limit", "start", "count", "replyWithCount", "sort", "fields", "filterName", "groupBy"] {
            assert!(refs.contains(&format!("#/components/parameters/zstack.query.{name}").as_str()), "{name}");
        }
        let ok = &query["responses"]["200"]["content"]["application/json"]["schema"]["properties"];
        assert_eq!(ok["inventories"]["items"]["$ref"], "#/components/schemas/BackupStorageInventory");
        assert_eq!(ok["total"]["format"], "int64");
        assert_eq!(ok["schema"]["$ref"], "#/components/schemas/zstack.SchemaMap");
    }

    #[test]
    fn constraints_become_json_schema_keywords() {
        let doc = doc();
        let start = op(&doc, "StartVmInstance");
        let props = &body_schema(start)["properties"]["startVmInstance"]["properties"];
        assert_eq!(
            props["hostUuid"],
            json!({
                "type": "string", "maxLength": 32, "pattern": "^(?:[A-Za-z0-9]{6})$", "x-zstack-since": "4.10.16",
                "x-zstack-since-source": "seed",
            })
        );
        assert_eq!(
            props["count"],
            json!({ "type": "integer", "format": "int32", "minimum": 1, "maximum": 10, "default": 1 })
        );
        assert_eq!(props["mode"]["enum"], json!(["a", "b"]));
        let login = op(&doc, "LogInByAccount");
        let password = &body_schema(login)["properties"]["logInByAccount"]["properties"]["password"];
        assert_eq!(password["format"], "password");
        assert_eq!(password["x-zstack-secret"], true);
    }

    #[test]
    fn patterns_not_valid_in_ecma_are_marked_java() {
        assert_eq!(pattern("[A-Za-z0-9]{6}"), ("^(?:[A-Za-z0-9]{6})$".to_string(), true));
        assert!(pattern("^(?! )[\\u4e00-\\u9fa5a-zA-Z0-9\\-_.():+\" ]*(?<! )$").1, "look-around is ECMA");
        assert!(!pattern("a*+b").1, "possessive quantifier");
        assert!(!pattern("\\p{Alpha}+").1, "POSIX class");
        assert!(!pattern("[a-z&&[^x]]").1, "class intersection");
        assert!(!pattern("(?i)abc").1, "inline flags");
    }

    #[test]
    fn types_enums_and_polymorphism() {
        let doc = doc();
        let schemas = &doc["components"]["schemas"];
        let base = &schemas["BackupStorageInventory"];
        assert_eq!(
            base["x-zstack-subtypes"],
            json!({ "org.zstack.storage.ceph.backup.CephBackupStorageInventory":
                    "#/components/schemas/CephBackupStorageInventory" })
        );
        assert!(base.get("discriminator").is_none());
        assert_eq!(base["properties"]["createDate"]["$ref"], "#/components/schemas/zstack.Timestamp");
        assert_eq!(base["properties"]["totalCapacity"]["format"], "int64");
        assert_eq!(base["properties"]["uuid"]["x-zstack-since"], "0.6");
        let ceph = &schemas["CephBackupStorageInventory"];
        assert_eq!(ceph["allOf"][0]["$ref"], "#/components/schemas/BackupStorageInventory");
        assert_eq!(ceph["allOf"][1]["properties"]["fsid"]["type"], "string");
        assert_eq!(schemas["ErrorCode"]["x-zstack-polymorphic"], false);
        assert_eq!(schemas["DeleteMode"]["enum"], json!(["Permissive", "Enforcing"]));
        assert_eq!(schemas["zstack.ErrorReply"]["properties"]["error"]["$ref"], "#/components/schemas/ErrorCode");
    }

    #[test]
    fn rendering_is_sorted_pretty_and_ends_with_a_newline() {
        let text = render(&doc());
        assert_eq!(text, render(&doc()));
        assert!(text.ends_with("}\n") && text.starts_with("{\n  \"components\""), "{}", &text[..40]);
        let value = json!({ "b": 1, "a": { "d": [{ "z": 1, "y": 2 }], "c": null } });
        assert_eq!(
            render(&value),
            "{\n  \"a\": {\n    \"c\": null,\n    \"d\": [\n      {\n        \"y\": 2,\n        \"z\": 1\n      }\n    \
             ]\n  },\n  \"b\": 1\n}\n"
        );
    }

    #[test]
    fn stale_report_names_what_changed() {
        let old = render(&doc());
        let mut changed = doc();
        changed["components"]["schemas"]["DeleteMode"]["enum"] = json!(["Permissive"]);
        changed["info"]["version"] = json!("9.9");
        let report = stale_report(Some(&old), &changed);
        let head = "changed (2): components.schemas.DeleteMode, info\n\
                    --- a/openapi/zstack.json (components.schemas.DeleteMode)\n";
        assert!(report.starts_with(head), "{report}");
        assert!(report.contains("\n-    \"Enforcing\"\n"), "{report}");
        assert!(report.contains("\n-  \"version\": \"4.10.16\"\n+  \"version\": \"9.9\"\n"), "{report}");
        assert_eq!(stale_report(None, &doc()), "openapi/zstack.json is missing\n");
        let unsorted = serde_json::to_string(&doc()).unwrap();
        assert!(stale_report(Some(&unsorted), &doc()).contains("not the canonical text"));
        assert!(stale_report(Some("{"), &doc()).starts_with("openapi/zstack.json is not valid JSON"));
    }

    /// The generator's output for small specs (this module's, and the naming
    /// obstacle course's hostile names) is valid OpenAPI 3.1 without a
    /// regeneration; tests/openapi.rs checks the checked-in document.
    #[test]
    fn small_documents_are_valid_openapi_3_1() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let meta: Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("vendor/openapi-3.1/schema.json")).unwrap())
                .unwrap();
        let validator = jsonschema::draft202012::new(&meta).unwrap();
        let course = zstack_spec::load_dir(&root.join("tests/naming-course/spec")).unwrap_or_else(|e| panic!("{e}"));
        for doc in [doc(), document(&course).unwrap()] {
            let errors: Vec<String> =
                validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{errors:#?}");
        }
    }

    #[test]
    fn route_shapes_ignore_placeholder_names() {
        assert_eq!(route_shape("/x/{uuid}/actions"), "/x/{}/actions");
        assert_eq!(route_shape("/x/{vmUuid}/actions"), "/x/{}/actions");
        assert_eq!(route_shape("/cas/login/"), "/cas/login/");
    }
}
