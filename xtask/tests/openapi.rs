//! `openapi/zstack.json` (written by `cargo xtask openapi`) is a valid
//! OpenAPI 3.1 document (the vendored official meta-schema, and JSON Schema
//! 2020-12 for its schemas), is sound (unique operationIds, every `$ref`
//! resolves, one operation per API of `spec/`, each saying what the spec
//! says), and reads back in a third-party OpenAPI 3.1 crate (`oas3`).
//! Whether it is up to date is `cargo xtask openapi --check` (CI).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Value, json};

const POLL_OPERATION: &str = "PollApiJob";

fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

struct Fixture {
    text: String,
    doc: Value,
    spec: zstack_spec::Spec,
}

/// The document and the spec, read once per test binary.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let text = read("openapi/zstack.json");
        let doc = serde_json::from_str(&text).expect("openapi/zstack.json is JSON");
        let spec = zstack_spec::load_dir(&root().join("spec")).unwrap_or_else(|e| panic!("{e}"));
        Fixture { text, doc, spec }
    })
}

/// (path key, method, operation) of every operation.
fn operations(doc: &Value) -> Vec<(&str, &str, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            out.push((path.as_str(), method.as_str(), op));
        }
    }
    out
}

fn meta_schema() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&read("vendor/openapi-3.1/schema.json")).expect("meta-schema is JSON");
    assert_eq!(schema["$id"], "https://spec.openapis.org/oas/3.1/schema/2022-10-07");
    jsonschema::draft202012::new(&schema).expect("the meta-schema compiles")
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator.iter_errors(doc).take(20).map(|e| format!("{e} (at {})", e.instance_path())).collect()
}

#[test]
fn the_document_is_valid_openapi_3_1() {
    let f = fixture();
    let validator = meta_schema();
    let found = errors(&validator, &f.doc);
    assert!(found.is_empty(), "openapi/zstack.json violates the OpenAPI 3.1 meta-schema:\n{}", found.join("\n"));

    // The validator bites: a broken copy is refused.
    let mut broken = json!({ "openapi": "3.1.0", "info": { "title": "t", "version": "1" }, "paths": {} });
    assert!(errors(&validator, &broken).is_empty());
    broken["paths"]["no-slash"] = json!({});
    broken["openapi"] = json!("3.0.3");
    assert_eq!(errors(&validator, &broken).len(), 2, "{:?}", errors(&validator, &broken));
}

/// Every Schema Object of the document, with where it is.
fn schema_objects(doc: &Value) -> Vec<(String, &Value)> {
    let mut out: Vec<(String, &Value)> = Vec::new();
    for (name, schema) in doc["components"]["schemas"].as_object().expect("schemas") {
        out.push((format!("components.schemas.{name}"), schema));
    }
    for (name, param) in doc["components"]["parameters"].as_object().expect("parameters") {
        out.push((format!("components.parameters.{name}"), &param["schema"]));
    }
    for (path, method, op) in operations(doc) {
        for param in op["parameters"].as_array().into_iter().flatten().filter(|p| p.get("schema").is_some()) {
            out.push((format!("{method} {path} param {}", param["name"]), &param["schema"]));
        }
        for media in op["requestBody"]["content"].as_object().into_iter().flat_map(|m| m.values()) {
            out.push((format!("{method} {path} body"), &media["schema"]));
        }
        for (status, response) in op["responses"].as_object().expect("responses") {
            for media in response["content"].as_object().into_iter().flat_map(|m| m.values()) {
                out.push((format!("{method} {path} {status}"), &media["schema"]));
            }
        }
    }
    out
}

#[test]
fn every_schema_is_a_valid_json_schema_2020_12() {
    let f = fixture();
    let meta = jsonschema::draft202012::meta::validator();
    let schemas = schema_objects(&f.doc);
    assert!(schemas.len() > f.spec.apis().count(), "{}", schemas.len());
    let bad: Vec<String> = schemas
        .iter()
        .filter_map(|(at, schema)| meta.validate(schema).err().map(|e| format!("{at}: {e}")))
        .take(20)
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn component_schemas_compile_and_validate_replies() {
    let f = fixture();
    // The document as a JSON Schema resource whose root requires every
    // component: compiling it compiles every schema, `$ref` and pattern.
    let mut root = f.doc.clone();
    let names: Vec<&String> = f.doc["components"]["schemas"].as_object().expect("schemas").keys().collect();
    let all: Vec<Value> = names.iter().map(|n| json!({ "$ref": format!("#/components/schemas/{n}") })).collect();
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["anyOf"] = json!(all);
    jsonschema::draft202012::new(&root).unwrap_or_else(|e| panic!("the component schemas do not compile: {e}"));

    let reply = |name: &str| {
        let mut schema = f.doc.clone();
        schema["$ref"] = json!(format!("#/components/schemas/{name}"));
        jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let error = reply("zstack.ErrorReply");
    let failure = json!({ "error": { "code": "SYS.1000", "cause": { "code": "ID.1001", "details": "expired" } } });
    assert!(error.is_valid(&failure));
    assert!(!error.is_valid(&json!({ "error": { "code": 1007 } })), "ErrorCode.code is a string");
    let session = reply("SessionInventory");
    assert!(session.is_valid(&json!({ "uuid": "u", "createDate": "Apr 11, 2018 2:50:54 PM", "unknown": 1 })));
    assert!(!session.is_valid(&json!({ "createDate": 1523429454000_i64 })), "timestamps are text, not epoch");
}

#[test]
fn one_operation_per_api_each_saying_what_the_spec_says() {
    let f = fixture();
    let ops = operations(&f.doc);
    let mut ids = BTreeSet::new();
    for (path, method, op) in &ops {
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
        assert!(ids.insert(id), "operationId {id} is not unique");
    }
    let apis: BTreeMap<&str, (&zstack_spec::Group, &zstack_spec::Api)> =
        f.spec.apis().map(|(g, a)| (a.name.as_str(), (g, a))).collect();
    assert_eq!(ops.len(), apis.len() + 1, "one operation per API, plus the job poll");
    assert!(ids.contains(POLL_OPERATION));

    for (key, method, op) in &ops {
        let id = op["operationId"].as_str().unwrap_or_default();
        if id == POLL_OPERATION {
            continue;
        }
        let (group, api) = apis.get(id).unwrap_or_else(|| panic!("operation {id} is no API of the spec"));
        assert_eq!(*method, api.method.as_str().to_ascii_lowercase(), "{id}");
        let path = op["x-zstack-path"].as_str().unwrap_or(key);
        assert_eq!(path, api.path, "{id}");
        assert!(*key == api.path || *key == format!("{}#{}", api.path, api.name), "{id}: {key}");
        assert_eq!(op["tags"], json!([group.name]), "{id}");
        assert_eq!(op.get("x-zstack-async") == Some(&json!(true)), api.is_async, "{id}");
        assert_eq!(op["responses"].get("202").is_some(), api.is_async, "{id}");
        assert_eq!(op.get("security") == Some(&json!([])), !api.session, "{id}");
        assert_eq!(op["x-zstack-since"].as_str(), api.since.as_ref().map(|v| v.to_string()).as_deref(), "{id}");
        assert_eq!(op["x-zstack-since-source"].as_str(), api.since_source.map(|s| s.as_str()), "{id}");
        for status in ["200", "503", "4XX"] {
            assert!(op["responses"].get(status).is_some(), "{id}: no {status} response");
        }
        let params = op["parameters"].as_array().expect("parameters");
        let path_params: Vec<&str> =
            params.iter().filter(|p| p["in"] == "path").filter_map(|p| p["name"].as_str()).collect();
        assert_eq!(path_params, api.placeholders(), "{id}: path params");
        match &api.envelope {
            Some(envelope) if api.method.has_body() => {
                assert_eq!(op["x-zstack-envelope"], json!(envelope), "{id}");
                let body = &op["requestBody"]["content"]["application/json"]["schema"];
                assert_eq!(body["required"], json!([envelope]), "{id}");
                let inner = &body["properties"][envelope.as_str()];
                let required: Vec<&str> = api
                    .params
                    .iter()
                    .filter(|p| p.location == zstack_spec::ParamLocation::Body && p.required)
                    .map(|p| p.name.as_str())
                    .collect();
                let listed: Vec<&str> =
                    inner["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                assert_eq!(listed, required, "{id}: required body params");
            }
            _ => assert!(op.get("requestBody").is_none(), "{id}: GET/DELETE carry no body"),
        }
        if api.query {
            let q = json!({ "$ref": "#/components/parameters/zstack.query.q" });
            assert!(params.contains(&q), "{id}: no q");
        }
    }
}

/// Every `$ref` in `value`, with its JSON pointer.
fn refs<'a>(value: &'a Value, at: &str, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(target)) => out.push((at.to_string(), target)),
                    _ => refs(v, &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_ref_resolves_and_every_tag_is_declared() {
    let f = fixture();
    let mut found = Vec::new();
    refs(&f.doc, "", &mut found);
    assert!(found.len() > 10_000, "{}", found.len());
    let dangling: Vec<String> = found
        .iter()
        .filter(|(_, target)| target.strip_prefix('#').and_then(|p| f.doc.pointer(p)).is_none())
        .map(|(at, target)| format!("{at}: {target}"))
        .take(20)
        .collect();
    assert!(dangling.is_empty(), "dangling $refs:\n{}", dangling.join("\n"));

    let tags: BTreeSet<&str> =
        f.doc["tags"].as_array().expect("tags").iter().filter_map(|t| t["name"].as_str()).collect();
    for (path, method, op) in operations(&f.doc) {
        for tag in op["tags"].as_array().expect("tags") {
            assert!(tags.contains(tag.as_str().unwrap_or_default()), "{method} {path}: undeclared tag {tag}");
        }
    }
    for (name, schema) in f.doc["components"]["schemas"].as_object().expect("schemas") {
        for (class, target) in schema["x-zstack-subtypes"].as_object().into_iter().flatten() {
            let target = target.as_str().unwrap_or_default();
            let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("{name}: {class}: {target}"));
            assert!(f.doc.pointer(pointer).is_some(), "{name}: x-zstack-subtypes {class} -> {target}");
        }
    }
    let link = &f.doc["components"]["responses"]["zstack.Accepted"]["links"]["poll"];
    assert_eq!(link["operationId"], POLL_OPERATION);
}

#[test]
fn the_document_is_canonical_text() {
    let f = fixture();
    assert!(f.text.ends_with("}\n") && !f.text.contains('\r'));
    // Parsed and printed again (a sorted map, or the file's own order with
    // `preserve_order`): the same text only if the file is sorted and pretty.
    let again = serde_json::to_string_pretty(&f.doc).expect("serializes") + "\n";
    assert!(again == f.text, "openapi/zstack.json is not sorted, pretty-printed JSON with a trailing newline");
    let keys: Vec<&String> = f.doc.as_object().expect("an object").keys().collect();
    assert!(keys.is_sorted(), "{keys:?}");
}

/// A third-party OpenAPI 3.1 reader: `oas3` parses the document, and every
/// operation's parameters, body, responses and schema references resolve
/// through its own resolver.
#[test]
fn oas3_reads_every_operation() {
    use oas3::spec::{ObjectOrReference, Schema};

    let f = fixture();
    let spec = oas3::from_json(&f.text).expect("oas3 parses openapi/zstack.json");
    assert_eq!(spec.validate_version().expect("an OpenAPI 3.1 version").minor, 1);
    assert_eq!(spec.primary_server().map(|s| s.url.as_str()), Some("{base}/v1"));

    /// Resolves every reference reachable from `schema` without following it.
    fn walk(schema: &Schema, spec: &oas3::Spec, seen: &mut usize) {
        let Schema::Object(obj) = schema else { return };
        match obj.as_ref() {
            ObjectOrReference::Ref { ref_path, .. } => {
                schema.resolve(spec).unwrap_or_else(|e| panic!("{ref_path}: {e}"));
                *seen += 1;
            }
            ObjectOrReference::Object(o) => {
                let children = o.all_of.iter().chain(&o.any_of).chain(&o.one_of).chain(o.properties.values());
                for child in children.chain(o.items.as_deref()).chain(o.additional_properties.as_ref()) {
                    walk(child, spec, seen);
                }
            }
        }
    }

    let mut refs = 0;
    let components = spec.components.as_ref().expect("components");
    for schema in components.schemas.values() {
        walk(schema, &spec, &mut refs);
    }
    let mut count = 0;
    let mut ids = BTreeSet::new();
    for (path, method, op) in spec.operations() {
        count += 1;
        let id = op.operation_id.clone().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
        for param in &op.parameters {
            let param = param.resolve(&spec).unwrap_or_else(|e| panic!("{id}: {e}"));
            if let Some(schema) = &param.schema {
                walk(schema, &spec, &mut refs);
            }
        }
        if let Some(body) = op.request_body(&spec).unwrap_or_else(|e| panic!("{id}: {e}")) {
            for media in body.content.values() {
                walk(media.schema.as_ref().expect("a body schema"), &spec, &mut refs);
            }
        }
        let responses = op.responses.as_ref().unwrap_or_else(|| panic!("{id}: no responses"));
        assert!(responses.contains_key("200"), "{id}");
        for response in responses.values() {
            let response = response.resolve(&spec).unwrap_or_else(|e| panic!("{id}: {e}"));
            for media in response.content.values() {
                if let Some(schema) = &media.schema {
                    walk(schema, &spec, &mut refs);
                }
            }
        }
        ids.insert(id);
    }
    assert_eq!(count, f.spec.apis().count() + 1, "every API plus the job poll");
    assert_eq!(ids.len(), count);
    assert!(refs > 5_000, "{refs}");
    let poll = spec.operation_by_id(POLL_OPERATION).expect("the job poll");
    assert!(poll.responses.as_ref().is_some_and(|r| r.contains_key("202") && r.contains_key("404")));
}
