//! A valid multi-file spec loads into the expected resolved model.

use std::path::{Path, PathBuf};

use zstack_spec::{Fixup, Method, ParamLocation, ResultShape, Scalar, Spec, TypeRef, Version, load_dir, load_str};

fn valid() -> Spec {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    load_dir(&dir).unwrap_or_else(|e| panic!("{e}"))
}

fn api<'s>(spec: &'s Spec, name: &str) -> &'s zstack_spec::Api {
    spec.apis().map(|(_, a)| a).find(|a| a.name == name).unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn groups_are_sorted_and_named_after_files() {
    let spec = valid();
    let names: Vec<_> = spec.groups.iter().map(|g| (g.name.as_str(), g.file.clone())).collect();
    assert_eq!(
        names,
        vec![
            ("accounts", PathBuf::from("accounts.yaml")),
            ("backup-storage", PathBuf::from("backup-storage.yaml")),
            ("ceph", PathBuf::from("storage/ceph.yaml")),
        ]
    );
    assert_eq!(spec.groups[0].description.as_deref(), Some("Accounts and sessions."));
}

#[test]
fn apis_resolve_with_defaults() {
    let spec = valid();
    let login = api(&spec, "LogInByAccount");
    assert_eq!(login.method, Method::Put);
    assert_eq!(login.envelope.as_deref(), Some("logInByAccount"));
    assert!(!login.session && !login.is_async && !login.query);
    assert_eq!(login.since, Some(Version { parts: vec![0, 6] }));
    assert_eq!(login.result, ResultShape::Inventory("SessionInventory".into()));
    let password = &login.params[1];
    assert!(password.secret && password.required);
    assert_eq!(login.params[2].ty.to_string(), "Map<String,Object>");

    let query = api(&spec, "QueryBackupStorage");
    assert!(query.query && query.session && query.params.is_empty());
    assert_eq!(query.result, ResultShape::Inventories { ty: "BackupStorageInventory".into(), total: true });

    let valid = api(&spec, "ValidateSession");
    let ResultShape::Fields(fields) = &valid.result else { panic!("{:?}", valid.result) };
    assert_eq!((fields[0].name.as_str(), &fields[0].ty), ("valid", &TypeRef::Boolean));
    assert_eq!(api(&spec, "LogOut").result, ResultShape::Empty);
}

#[test]
fn params_keep_constraints_and_defaults() {
    let spec = valid();
    let update = api(&spec, "UpdateBackupStorage");
    let name = &update.params[1].constraints;
    assert_eq!((name.min_length, name.max_length), (Some(1), Some(255)));
    let priority = &update.params[2].constraints;
    assert_eq!(priority.range, Some((0, 10)));
    assert_eq!(priority.regex.as_deref(), Some("^[0-9]+$"));
    assert!(api(&spec, "ReconnectBackupStorage").params[1].constraints.non_empty);
    assert!(update.params[0].constraints.is_empty());
}

#[test]
fn fixups_apply_across_files_and_are_recorded_where_declared() {
    let spec = valid();
    let delete = api(&spec, "DeleteBackupStorage");
    let mode = &delete.params[1];
    assert_eq!(mode.location, ParamLocation::Query);
    assert_eq!(mode.default, Some(Scalar::String("Permissive".into())));
    assert_eq!(mode.allowed, vec!["Permissive", "Enforcing"]);
    assert!(api(&spec, "LogOut").params[0].required);
    let reconnect: Vec<_> = api(&spec, "ReconnectBackupStorage").params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(reconnect, vec!["uuid", "systemTags"]);
    assert_eq!(api(&spec, "UpdateCephBackupStorageMon").envelope.as_deref(), Some("updateMon"));

    let (_, inv) = spec.type_def("BackupStorageInventory").expect("type");
    let status = inv.fields.last().expect("added field");
    assert_eq!(
        (status.name.as_str(), status.since.as_ref().map(Version::to_string)),
        ("status", Some("4.10.16".into()))
    );

    let targets = |g: usize| spec.groups[g].fixups.iter().map(|f| f.target.clone()).collect::<Vec<_>>();
    assert_eq!(targets(0), vec!["LogOut.sessionUuid"]);
    assert_eq!(targets(1), vec!["DeleteBackupStorage.deleteMode"]);
    assert_eq!(
        targets(2),
        vec!["BackupStorageInventory.status", "ReconnectBackupStorage.bogus", "UpdateCephBackupStorageMon"]
    );
    assert_eq!(
        spec.groups[1].fixups[0],
        Fixup {
            name: "delete-backup-storage-delete-mode-in-query".into(),
            why: "The page locates deleteMode in \"body\", but a DELETE has no body.".into(),
            target: "DeleteBackupStorage.deleteMode".into(),
        }
    );
}

#[test]
fn inherited_types_keep_only_declared_fields() {
    let spec = valid();
    let (group, ceph) = spec.type_def("CephBackupStorageInventory").expect("type");
    assert_eq!(group.name, "ceph");
    assert_eq!(ceph.extends.as_deref(), Some("BackupStorageInventory"));
    let fields: Vec<_> = ceph.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(fields, vec!["mons"]);
    assert_eq!(ceph.fields[0].ty, TypeRef::List(Box::new(TypeRef::Named("CephBackupStorageMonInventory".into()))));
    let (_, state) = spec.enum_def("BackupStorageState").expect("enum");
    assert_eq!(state.values, vec!["Enabled", "Disabled"]);
}

#[test]
fn since_keeps_the_written_text() {
    let spec = valid();
    let (_, session) = spec.type_def("SessionInventory").expect("type");
    assert_eq!(session.fields[1].since.as_ref().map(Version::to_string).as_deref(), Some("0.10"));
}

#[test]
fn the_doc_example_loads() {
    let doc = include_str!("../../docs/spec.md");
    let start = doc.find("```yaml\n").expect("yaml block") + "```yaml\n".len();
    let end = start + doc[start..].find("```").expect("block end");
    let spec = load_str("backup-storage.yaml", &doc[start..end]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.groups[0].fixups.len(), 1);
}

#[test]
fn missing_dir_is_an_io_error() {
    let err = load_dir(Path::new("tests/fixtures/does-not-exist")).expect_err("no dir");
    assert_eq!(err.0[0].kind, zstack_spec::ErrorKind::Io);
    assert!(err.to_string().starts_with("error: cannot read directory"), "{err}");
}

#[test]
fn empty_files_are_errors_naming_the_file() {
    for text in ["", "  \n\t\n", "# only a comment\r\n  # and another\r", "\u{feff}"] {
        let err = load_str("empty.yaml", text).expect_err("empty file");
        assert_eq!(err.len(), 1, "{err}");
        let e = &err.0[0];
        assert_eq!((e.kind, e.file.to_str(), e.line), (zstack_spec::ErrorKind::EmptyFile, Some("empty.yaml"), 0));
        assert!(err.to_string().starts_with("error: empty spec file"), "{err}");
        assert!(err.to_string().ends_with("\n  --> empty.yaml"), "{err}");
    }
}

#[test]
fn an_empty_file_in_a_spec_dir_is_reported_with_its_path() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-spec-file");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).expect("temp dir");
    std::fs::write(dir.join("a.yaml"), "apis:\n  - name: GetA\n    method: GET\n    path: /a\n").expect("write");
    std::fs::write(dir.join("sub/blank.yaml"), "# nothing yet\n").expect("write");
    let err = load_dir(&dir).expect_err("empty file");
    assert_eq!(err.iter().map(|e| e.kind).collect::<Vec<_>>(), [zstack_spec::ErrorKind::EmptyFile]);
    assert_eq!(err.0[0].file, dir.join("sub/blank.yaml"));
    let _ = std::fs::remove_dir_all(&dir);
}
