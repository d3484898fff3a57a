//! One passing and one failing case per validation rule and fixup operation.

use zstack_spec::{ErrorKind, ParamLocation, Spec, TypeRef, load_str};

/// `(kind, line, col)` of every error.
fn errors(src: &str) -> Vec<(ErrorKind, usize, usize)> {
    match load_str("rules.yaml", src) {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(|e| (e.kind, e.line, e.col)).collect(),
    }
}

fn kinds(src: &str) -> Vec<ErrorKind> {
    errors(src).into_iter().map(|e| e.0).collect()
}

fn ok(src: &str) -> Spec {
    load_str("rules.yaml", src).unwrap_or_else(|e| panic!("{e}"))
}

fn message(src: &str) -> String {
    load_str("rules.yaml", src).map(|_| String::new()).unwrap_or_else(|e| e.to_string())
}

const GET_UUID: &str = "apis:\n  - name: GetThing\n    method: GET\n    path: /things/{uuid}\n";
const UUID_PARAM: &str = "    params:\n      - { name: uuid, type: String, location: path, required: true }\n";

#[test]
fn rule_1_placeholders_match_path_params() {
    ok(&format!("{GET_UUID}{UUID_PARAM}"));
    assert_eq!(errors(GET_UUID), vec![(ErrorKind::PathParam, 4, 19)]);
    let stray = "apis:\n  - name: GetThing\n    method: GET\n    path: /things\n";
    assert_eq!(kinds(&format!("{stray}{UUID_PARAM}")), vec![ErrorKind::PathParam]);
    let elsewhere = format!("{GET_UUID}    params:\n      - {{ name: uuid, type: String, location: query }}\n");
    assert!(message(&elsewhere).contains("(`uuid` is located in `query`)"));
}

#[test]
fn rule_2_get_and_delete_have_no_body() {
    let get = "apis:\n  - name: GetThing\n    method: GET\n    path: /things\n    params:\n";
    ok(&format!("{get}      - {{ name: q, type: String, location: query }}\n"));
    assert_eq!(
        kinds(&format!("{get}      - {{ name: q, type: String, location: body }}\n")),
        vec![ErrorKind::BodyOnBodyless]
    );
    let del = "apis:\n  - name: DeleteThing\n    method: DELETE\n    path: /things\n    envelope: params\n";
    assert_eq!(errors(del), vec![(ErrorKind::BodyOnBodyless, 5, 5)]);
}

#[test]
fn empty_string_applies_to_string_params_only() {
    let get = "apis:\n  - name: GetThing\n    method: GET\n    path: /things\n    params:\n";
    let spec = ok(&format!("{get}      - {{ name: q, type: String, location: query, empty_string: false }}\n"));
    assert!(spec.groups[0].apis[0].params[0].constraints.forbid_empty_string);
    ok(&format!("{get}      - {{ name: q, type: \"List<String>\", location: query, empty_string: false }}\n"));
    let bad = format!("{get}      - {{ name: n, type: Long, location: query, empty_string: false }}\n");
    assert_eq!(errors(&bad), vec![(ErrorKind::BadConstraint, 6, 63)]);
    assert!(message(&bad).contains("`empty_string: false` applies to strings, but `n` is `Long`"));
}

#[test]
fn rule_3_post_and_put_have_an_envelope() {
    let post = "apis:\n  - name: AttachThing\n    method: POST\n    path: /things\n";
    assert_eq!(errors(post), vec![(ErrorKind::MissingEnvelope, 3, 13)]);
    let spec = ok(&format!("{post}    envelope: \"null\"\n"));
    assert_eq!(spec.groups[0].apis[0].envelope.as_deref(), Some("null"));
    let spec = ok(&format!("{post}    envelope: \"\"\n"));
    assert_eq!(spec.groups[0].apis[0].envelope.as_deref(), Some(""));
    assert_eq!(kinds(&format!("{post}    envelope: null\n")), vec![ErrorKind::InvalidValue]);
    let put = "apis:\n  - name: UpdateThing\n    method: PUT\n    path: /things\n";
    assert_eq!(errors(put), vec![(ErrorKind::MissingEnvelope, 3, 13)]);
}

#[test]
fn rule_4_names_are_unique() {
    let api = |n: &str, p: &str| format!("  - name: {n}\n    method: GET\n    path: {p}\n");
    ok(&format!("apis:\n{}{}", api("A", "/a"), api("B", "/b")));
    assert_eq!(errors(&format!("apis:\n{}{}", api("A", "/a"), api("A", "/b"))), vec![(ErrorKind::Duplicate, 5, 11)]);
    let defs = "types:\n  - name: T\nenums:\n  - name: T\n    values: [a]\n";
    assert_eq!(errors(defs), vec![(ErrorKind::Duplicate, 4, 11)]);
}

#[test]
fn rule_5_named_types_resolve() {
    let src = "types:\n  - name: T\n    fields:\n      - { name: s, type: List<State> }\nenums:\n  - name: State\n    values: [a]\n";
    let spec = ok(src);
    assert_eq!(spec.groups[0].types[0].fields[0].ty, TypeRef::List(Box::new(TypeRef::Named("State".into()))));
    let bad = src.replace("List<State>", "\"Map<String,Stat>\"");
    assert_eq!(errors(&bad), vec![(ErrorKind::UnresolvedType, 4, 38)]);
    assert!(message(&bad).contains("did you mean `State`?"));
    let result = "apis:\n  - name: G\n    method: GET\n    path: /g\n    result: { inventories: Nope }\n";
    assert_eq!(kinds(result), vec![ErrorKind::UnresolvedType]);
}

#[test]
fn rule_6_extends_names_a_type_without_cycles() {
    ok("types:\n  - name: A\n  - name: B\n    extends: A\n  - name: C\n    extends: B\n");
    assert_eq!(errors("types:\n  - name: A\n    extends: A\n"), vec![(ErrorKind::BadExtends, 3, 14)]);
    let cycle = "types:\n  - name: A\n    extends: B\n  - name: B\n    extends: A\n";
    assert_eq!(kinds(cycle), vec![ErrorKind::BadExtends], "one error per cycle");
    let on_enum = "types:\n  - name: A\n    extends: E\nenums:\n  - name: E\n    values: [x]\n";
    assert_eq!(kinds(on_enum), vec![ErrorKind::BadExtends]);
    assert_eq!(kinds("types:\n  - name: A\n    extends: Nope\n"), vec![ErrorKind::UnresolvedType]);
}

#[test]
fn rule_7_versions_parse() {
    let api = |v: &str| format!("apis:\n  - name: G\n    method: GET\n    path: /g\n    since: {v}\n");
    assert_eq!(ok(&api("0.6")).groups[0].apis[0].since.as_ref().map(ToString::to_string).as_deref(), Some("0.6"));
    ok(&api("\"4.10.16\""));
    assert_eq!(errors(&api("4.x")), vec![(ErrorKind::BadVersion, 5, 12)]);
    assert_eq!(kinds(&api("\"\"")), vec![ErrorKind::BadVersion]);

    // Where a version comes from: a known source, and only with a version.
    let spec = ok(&format!("{}    since_source: releases\n", api("\"3.0.1\"")));
    assert_eq!(spec.groups[0].apis[0].since_source, Some(zstack_spec::SinceSource::Releases));
    assert_eq!(
        errors(&format!("{}    since_source: release\n", api("\"3.0.1\""))),
        vec![(ErrorKind::InvalidValue, 6, 19)]
    );
    let no_version = "apis:\n  - name: G\n    method: GET\n    path: /g\n    since_source: seed\n";
    assert_eq!(kinds(no_version), vec![ErrorKind::InvalidValue]);
}

#[test]
fn rule_8_put_envelope_is_lower_camel_unless_fixed() {
    let put = |e: &str| {
        format!("apis:\n  - name: LogInByAccount\n    method: PUT\n    path: /accounts/login\n    envelope: {e}\n")
    };
    ok(&put("logInByAccount"));
    assert_eq!(errors(&put("loginByAccount")), vec![(ErrorKind::EnvelopeMismatch, 5, 15)]);
    let fixed = format!(
        "{}fixups:\n  - name: login-key\n    why: The MN maps it so.\n    api: LogInByAccount\n    set: {{ envelope: login }}\n",
        put("logInByAccount")
    );
    assert_eq!(ok(&fixed).groups[0].apis[0].envelope.as_deref(), Some("login"));
}

#[test]
fn rule_9_routes_are_unique() {
    let put = |n: &str, ph: &str, env: &str| {
        format!(
            "  - name: {n}\n    method: PUT\n    path: /t/{{{ph}}}/actions\n    envelope: {env}\n    params:\n      - {{ name: {ph}, type: String, location: path, required: true }}\n"
        )
    };
    ok(&format!("apis:\n{}{}", put("StartT", "uuid", "startT"), put("StopT", "uuid", "stopT")));
    let clash = format!(
        "apis:\n{}{}fixups:\n  - name: clash\n    why: test\n    api: StopT\n    set: {{ envelope: startT }}\n",
        put("StartT", "uuid", "startT"),
        put("StopT", "tUuid", "stopT")
    );
    assert_eq!(errors(&clash), vec![(ErrorKind::Duplicate, 10, 11)]);
}

#[test]
fn rule_10_unknown_keys_hint() {
    let src = "apis:\n  - name: G\n    method: GET\n    pathh: /g\n";
    assert_eq!(errors(src), vec![(ErrorKind::UnknownKey, 4, 5)]);
    assert!(message(src).starts_with("error: unknown key `pathh` (did you mean `path`?)"));
    assert!(message("zzz: 1\n").contains("expected one of `description`, `apis`, `types`, `enums`, `fixups`"));
}

#[test]
fn rule_11_path_params_required_and_query_apis_bare() {
    let optional = format!("{GET_UUID}{}", UUID_PARAM.replace("required: true", "required: false"));
    assert_eq!(errors(&optional), vec![(ErrorKind::PathParam, 6, 63)]);
    let implicit = format!("{GET_UUID}{}", UUID_PARAM.replace(", required: true", ""));
    assert_eq!(kinds(&implicit), vec![ErrorKind::PathParam]);
    let query = format!("{}    query: true\n{UUID_PARAM}", GET_UUID.replace("GetThing", "QueryThing"));
    ok(&query);
    let with_limit = format!("{query}      - {{ name: limit, type: Integer, location: query }}\n");
    assert_eq!(kinds(&with_limit), vec![ErrorKind::BadQuery]);
}

#[test]
fn rule_11_names_unique_within_owner() {
    let t = "types:\n  - name: T\n    fields:\n      - { name: a, type: String }\n      - { name: a, type: Long }\n";
    assert_eq!(errors(t), vec![(ErrorKind::Duplicate, 5, 17)]);
    let dup_param = format!("{GET_UUID}{UUID_PARAM}      - {{ name: uuid, type: String, location: query }}\n");
    assert_eq!(kinds(&dup_param), vec![ErrorKind::Duplicate]);
}

const DELETE: &str = "apis:\n  - name: DeleteThing\n    method: DELETE\n    path: /things/{uuid}\n    params:\n      - { name: uuid, type: String, location: path, required: true }\n      - { name: deleteMode, type: String, location: body }\n";

fn with_fixup(body: &str) -> String {
    format!("{DELETE}fixups:\n  - name: fix\n    why: Because.\n{body}")
}

#[test]
fn fixup_set_checks_was_and_applies() {
    let spec = ok(&with_fixup(
        "    api: DeleteThing\n    param: deleteMode\n    was: { location: body }\n    set: { location: query, required: true }\n",
    ));
    let p = &spec.groups[0].apis[0].params[1];
    assert_eq!((p.location, p.required), (ParamLocation::Query, true));
    assert_eq!(spec.groups[0].fixups[0].target, "DeleteThing.deleteMode");
    let stale = with_fixup(
        "    api: DeleteThing\n    param: deleteMode\n    was: { location: query }\n    set: { location: query }\n",
    );
    let errs = errors(&stale);
    assert_eq!(errs[0], (ErrorKind::BodyOnBodyless, 7, 53), "the set was not applied");
    assert_eq!(errs[1], (ErrorKind::StaleFixup, 13, 22));
}

#[test]
fn fixup_set_on_api_and_defaults_in_was() {
    // `was` may name defaults the entry does not spell out; a second fixup
    // moves the body param so that the spec loads and the result shows.
    let src = with_fixup(
        "    api: DeleteThing\n    was: { async: false, session: true }\n    set: { async: true }\n  - name: mode-in-query\n    why: w\n    api: DeleteThing\n    param: deleteMode\n    set: { location: query }\n",
    );
    let api = &ok(&src).groups[0].apis[0];
    assert!(api.is_async && api.session);
    let stale = with_fixup("    api: DeleteThing\n    was: { async: true }\n    set: { async: false }\n");
    assert!(kinds(&stale).contains(&ErrorKind::StaleFixup), "{:?}", kinds(&stale));
    let bad = with_fixup("    api: DeleteThing\n    set: { location: query }\n");
    assert!(message(&bad).contains("`location` cannot be fixed on an API"));
}

#[test]
fn fixup_set_on_types_and_fields() {
    let types = "types:\n  - name: A\n  - name: B\n    fields:\n      - { name: size, type: Integer }\nfixups:\n";
    let spec = ok(&format!(
        "{types}  - name: b-extends-a\n    why: w\n    type: B\n    set: {{ extends: A }}\n  - name: size-long\n    why: w\n    type: B\n    field: size\n    was: {{ type: Integer }}\n    set: {{ type: Long }}\n"
    ));
    let b = &spec.groups[0].types[1];
    assert_eq!((b.extends.as_deref(), &b.fields[0].ty), (Some("A"), &TypeRef::Long));
    let missing = format!("{types}  - name: f\n    why: w\n    type: B\n    field: sise\n    set: {{ type: Long }}\n");
    assert!(message(&missing).contains("type `B` has no field `sise` (did you mean `size`?)"));
}

#[test]
fn fixup_add_param_and_field() {
    let fix = "  - name: add-mode\n    why: w\n    api: GetThing\n    add: { name: mode, type: String, location: query }\n  - name: add-field\n    why: w\n    type: T\n    add: { name: b, type: Long, since: \"1.2\" }\n";
    let src = format!(
        "{GET_UUID}{UUID_PARAM}types:\n  - name: T\n    fields:\n      - {{ name: a, type: String }}\nfixups:\n{fix}"
    );
    let spec = ok(&src);
    assert_eq!(spec.groups[0].apis[0].params[1].name, "mode");
    assert_eq!(spec.groups[0].types[0].fields[1].name, "b");
    let targets: Vec<_> = spec.groups[0].fixups.iter().map(|f| f.target.as_str()).collect();
    assert_eq!(targets, vec!["GetThing.mode", "T.b"]);
    let existing = src.replace("name: b, type: Long", "name: a, type: Long");
    assert_eq!(kinds(&existing), vec![ErrorKind::BadFixup]);
    let param_key = src.replace("type: Long, since", "type: Long, location: query, since");
    assert!(message(&param_key).contains("`location` is not a key of a type field"));
    let named = src.replace("    api: GetThing\n    add", "    api: GetThing\n    param: mode\n    add");
    assert!(message(&named).contains("with `add`, name only the API or type"));
}

#[test]
fn fixup_remove_param_and_field() {
    let spec =
        ok(&with_fixup("    api: DeleteThing\n    param: deleteMode\n    was: { type: String }\n    remove: true\n"));
    assert_eq!(spec.groups[0].apis[0].params.len(), 1);
    let no = with_fixup("    api: DeleteThing\n    param: deleteMode\n    remove: false\n");
    assert!(message(&no).contains("`remove` must be `true`"));
    let whole = with_fixup("    api: DeleteThing\n    remove: true\n");
    assert!(message(&whole).contains("`remove` needs a `param` or `field`"));
    let t = "types:\n  - name: T\n    fields:\n      - { name: a, type: String }\n      - { name: b, type: String }\nfixups:\n  - name: rm\n    why: w\n    type: T\n    field: b\n    remove: true\n";
    assert_eq!(ok(t).groups[0].types[0].fields.len(), 1);
}

#[test]
fn fixup_shape_errors() {
    let none = with_fixup("    api: DeleteThing\n");
    assert!(message(&none).contains("has no operation"));
    let no_target = with_fixup("    set: { async: true }\n");
    assert!(message(&no_target).contains("has no target"));
    let both = with_fixup("    api: DeleteThing\n    type: T\n    set: { async: true }\n");
    assert!(message(&both).contains("not both"));
    let was_only = with_fixup(
        "    api: DeleteThing\n    param: deleteMode\n    was: { location: body }\n    add: { name: x, type: String, location: query }\n",
    );
    assert!(message(&was_only).contains("`was` goes with `set` or `remove`"));
    let empty = with_fixup("    api: DeleteThing\n    set: {}\n");
    assert!(message(&empty).contains("`set` is empty"));
    let field_on_api = with_fixup("    api: DeleteThing\n    field: x\n    set: { async: true }\n");
    assert!(message(&field_on_api).contains("`field` goes with `type:`"));
    let bad_name = with_fixup("    api: DeleteThing\n    set: { async: true }\n").replace("name: fix", "name: Fix_It");
    assert!(kinds(&bad_name).contains(&ErrorKind::InvalidName));
    let no_why = with_fixup("    api: DeleteThing\n    set: { async: true }\n").replace("why: Because.", "why: \"  \"");
    assert!(message(&no_why).contains("`why` must explain the fixup"));
}

#[test]
fn duplicate_fixup_names_and_missing_targets() {
    let fix = "  - name: same\n    why: w\n    api: GetThing\n    set: { async: true }\n";
    let src = format!("{GET_UUID}{UUID_PARAM}fixups:\n{fix}{fix}");
    assert_eq!(errors(&src), vec![(ErrorKind::Duplicate, 12, 11)]);
    let missing = format!("{GET_UUID}{UUID_PARAM}fixups:\n{}", fix.replace("api: GetThing", "api: GetThin"));
    assert_eq!(errors(&missing), vec![(ErrorKind::FixupTarget, 10, 10)]);
}

#[test]
fn other_checks() {
    let get = "apis:\n  - name: G\n    method: GET\n    path: /g\n";
    assert_eq!(
        kinds(&format!("{get}    query: true\n    result: {{ inventories: T, total: true }}\ntypes:\n  - name: T\n")),
        vec![]
    );
    assert_eq!(
        kinds(&format!("{get}    result: {{ inventory: T, total: true }}\ntypes:\n  - name: T\n")),
        vec![ErrorKind::BadResult]
    );
    assert_eq!(
        kinds(&format!("{get}    result: {{ inventory: List<T> }}\ntypes:\n  - name: T\n")),
        vec![ErrorKind::BadResult]
    );
    assert_eq!(kinds(&format!("{get}    result: {{}}\n")), vec![ErrorKind::BadResult]);
    assert_eq!(kinds("enums:\n  - name: E\n    values: []\n"), vec![ErrorKind::InvalidValue]);
    assert_eq!(kinds("types:\n  - name: lower\n"), vec![ErrorKind::InvalidName]);
    assert_eq!(kinds(&get.replace("/g", "g")), vec![ErrorKind::BadPath]);
    let bad_group = load_str("Backup_Storage.yaml", "description: d\n").expect_err("group name");
    assert_eq!((bad_group.0[0].kind, bad_group.0[0].line), (ErrorKind::InvalidName, 0));
    assert_eq!(ok("description: d\n").groups[0].name, "rules");
    assert_eq!(ok("{}").groups[0].name, "rules");
}
