//! `cargo xtask import-catalog [--check] [--catalog PATH]`.
//!
//! Turns `catalog.json` into `spec/catalog/<group>.yaml` (format:
//! docs/spec.md; design: docs/importing.md). The output is a pure function of
//! the catalog and of the *names* the hand-written spec files define:
//!
//! * every API, type and enum a hand-written file (`spec/**/*.yaml` outside
//!   `spec/catalog/`) defines is skipped, so hand-written knowledge wins;
//! * corrections to imported entries are fixups in `spec/catalog-fixups.yaml`;
//! * files are rewritten only when their text changes and stale ones are
//!   deleted, so a re-import with nothing changed touches nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;
use similar::TextDiff;

use crate::catalog::{self, Action, Catalog, Field, Param};
use crate::files;
use crate::since::{Releases, Since, disagreements_report, pick};

/// Where imported files go, relative to the workspace root.
pub const CATALOG_DIR: &str = "spec/catalog";
/// The spec directory, relative to the workspace root.
pub const SPEC_DIR: &str = "spec";
/// The default catalog, relative to the workspace root.
pub const DEFAULT_CATALOG: &str = "vendor/zstack-api/catalog.json";
/// Where the since-version disagreements are listed.
const DISAGREEMENTS_FILE: &str = "docs/since-disagreements.md";
/// Group of the types and enums that no API reaches.
const COMMON_GROUP: &str = "common";

/// Route groups that are obviously one resource, after kebab-casing the first
/// path segment: singular/plural and camelCase spellings of the same
/// collection. Keys and values are kebab-case group names.
const ALIASES: &[(&str, &str)] = &[
    ("account", "accounts"),                           // /account/{accountUuid}/resources
    ("affinity-group", "affinity-groups"),             // /affinityGroup/attachingVm
    ("billing", "billings"),                           // /billing/billings
    ("cluster", "clusters"),                           // /cluster/hosts-network-facts/...
    ("host", "hosts"),                                 // /host/network-interface-vlan-ids
    ("management", "management-nodes"),                // /management/actions
    ("pci-device", "pci-devices"),                     // /pci-device/pci-devices
    ("schedulers", "scheduler"),                       // /schedulers/{uuid}
    ("secret-resource-pool", "secret-resource-pools"), // /secret-resource-pool/{uuid}
    ("security-machine", "security-machines"),         // /security-machine/{uuid}/...
    ("v2vs", "v2v"),                                   // /v2vs
    ("vip", "vips"),                                   // /vip/{uuid}/vip-qos
    ("vm", "vm-instances"),                            // /VM/attachingGroup, /vm/sched-history
    ("vm-instance", "vm-instances"),                   // /vmInstance/device/address/...
    ("vms-scheduling-rule", "vm-scheduling-rule"),     // /vmsSchedulingRule
];

/// Routes that start with a verb (premium modules): the resource they act on
/// names the group, not the verb. Longest matching prefix wins.
const VERB_ROUTES: &[(&str, &str)] = &[
    ("/add/resources/directory", "directories"),
    ("/check/batch/data/integrity/", "integrity"),
    ("/clean/queue", "core"), // the MN's task queues, next to /core/task-details
    ("/create/cas/", "cas"),
    ("/create/directory", "directories"),
    ("/create/oauth2/", "oauth2"),
    ("/create/sso/", "sso"),
    ("/delete/directory", "directories"),
    ("/delete/sso/", "sso"),
    ("/get/oauth2/", "oauth2"),
    ("/get/sso/", "sso"),
    ("/get/vmSchedulingRules/", "vm-scheduling-rule"),
    ("/get/vms/schedulingState/", "vm-scheduling-rule"),
    ("/list/vmSchedulingRules/", "vm-scheduling-rule"),
    ("/list/vms/", "vm-scheduling-rule"),
    ("/move/directory", "directories"),
    ("/move/resources/directory", "directories"),
    ("/query/host/schedulingRule/group", "host-scheduling-rule-group"),
    ("/query/vm/schedulingRule", "vm-scheduling-rule"),
    ("/query/vm/schedulingRule/group", "vm-scheduling-rule-group"),
    ("/remove/resources/directory", "directories"),
    ("/start/data/protection/", "integrity"),
    ("/update/cas/", "cas"),
    ("/update/directory", "directories"),
    ("/update/oauth2/", "oauth2"),
    ("/update/sso/", "sso"),
    ("/validate/vmSchedulingRule", "vm-scheduling-rule"),
];

/// Params that carry a password the MN stores or compares as the lowercase
/// hex SHA-512 of the plain text (protocol §9): the account/user login family
/// only. LDAP, IAM2, host, IPMI, SNMP ... passwords are sent as given.
const SECRET_PARAMS: &[(&str, &str)] = &[
    ("CreateAccount", "password"),
    ("UpdateAccount", "password"),
    ("UpdateAccount", "oldPassword"),
    ("LogInByAccount", "password"),
    ("CreateUser", "password"),
    ("UpdateUser", "password"),
    ("UpdateUser", "oldPassword"),
    ("LogInByUser", "password"),
];

pub enum Mode {
    Write,
    Check,
}

pub fn run(root: &Path, catalog_path: &Path, mode: Mode) -> Result<(), String> {
    let started = Instant::now();
    let catalog = Catalog::load(catalog_path)?;
    let releases = Releases::load_beside(catalog_path)?;
    let hand = HandWritten::collect(&root.join(SPEC_DIR))?;
    let import = plan(&catalog, &hand)?;
    let files = render_all(&catalog, &releases, &hand, &import);
    let report = disagreements_report(&catalog, &releases);
    let report_path = root.join(DISAGREEMENTS_FILE);
    let lines: usize = files.values().map(|t| t.lines().count()).sum();
    let summary = format!(
        "{} groups in {} files, {lines} lines: {} APIs, {} types, {} enums imported; {} APIs, {} types, {} enums left to hand-written files",
        import.groups.len(),
        files.len(),
        import.apis,
        import.types,
        import.enums,
        import.skipped_apis,
        import.skipped_types,
        import.skipped_enums,
    );
    let dir = root.join(CATALOG_DIR);
    match mode {
        Mode::Write => {
            let (written, deleted) = sync(&dir, &files).map_err(|e| format!("writing {CATALOG_DIR}: {e}"))?;
            files::ensure_file(&report_path, DISAGREEMENTS_FILE, &report, false)
                .map_err(|e| format!("writing {DISAGREEMENTS_FILE}: {e}"))?;
            println!(
                "import-catalog {} -> {CATALOG_DIR}: {summary}; {written} file(s) written, {deleted} deleted in {:.2?}",
                catalog_path.strip_prefix(root).unwrap_or(catalog_path).display(),
                started.elapsed()
            );
            // The import is only useful if the whole spec still loads.
            match zstack_spec::load_dir(&root.join(SPEC_DIR)) {
                Ok(spec) => {
                    println!("spec/ loads: {} groups, {} APIs", spec.groups.len(), spec.apis().count());
                    Ok(())
                }
                Err(errors) => Err(format!("{errors}\nimport-catalog: the spec does not load after the import")),
            }
        }
        Mode::Check => {
            let mut drift = check(&dir, &files).map_err(|e| format!("reading {CATALOG_DIR}: {e}"))?;
            let stale = files::ensure_file(&report_path, DISAGREEMENTS_FILE, &report, true)
                .map_err(|e| format!("reading {DISAGREEMENTS_FILE}: {e}"))?;
            if let Some(d) = stale {
                eprint!("{}", d.render());
                drift += 1;
            }
            if drift == 0 {
                println!("import-catalog --check: {summary}; up to date");
                Ok(())
            } else {
                Err(format!("import-catalog --check: {drift} file(s) stale; run `cargo xtask import-catalog`"))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Hand-written names

/// The names hand-written spec files define, each with its file (relative to
/// `spec/`), and the file stems they use.
#[derive(Default)]
pub struct HandWritten {
    pub apis: BTreeMap<String, String>,
    pub types: BTreeMap<String, String>,
    pub enums: BTreeMap<String, String>,
    /// Server class → the hand-written type or enum that claims it.
    pub server_classes: BTreeMap<String, String>,
    pub stems: BTreeSet<String>,
}

/// Just enough of a spec file to read its names; everything else is ignored,
/// so a hand-written file that refers to imported types still reads.
#[derive(Default, Deserialize)]
struct NamesOnly {
    #[serde(default)]
    apis: Vec<Named>,
    #[serde(default)]
    types: Vec<Named>,
    #[serde(default)]
    enums: Vec<Named>,
}

#[derive(Deserialize)]
struct Named {
    name: String,
    #[serde(default)]
    server_classes: Vec<String>,
}

impl HandWritten {
    /// Reads every `*.yaml` under `spec_dir` except `spec_dir/catalog/`.
    pub fn collect(spec_dir: &Path) -> Result<HandWritten, String> {
        let mut files = Vec::new();
        walk_yaml(spec_dir, Path::new(""), &mut files).map_err(|e| format!("reading {}: {e}", spec_dir.display()))?;
        files.sort();
        let mut hand = HandWritten::default();
        for rel in files {
            let shown = rel.to_string_lossy().replace('\\', "/");
            if let Some(stem) = rel.file_stem() {
                hand.stems.insert(stem.to_string_lossy().into_owned());
            }
            let text = fs::read_to_string(spec_dir.join(&rel)).map_err(|e| format!("reading spec/{shown}: {e}"))?;
            // A blank file defines no names; loading the spec reports it.
            let names: NamesOnly = if zstack_spec::is_blank_spec(&text) {
                NamesOnly::default()
            } else {
                serde_saphyr::from_str(&text).map_err(|e| format!("spec/{shown}: {e}"))?
            };
            for a in names.apis {
                hand.apis.insert(a.name, shown.clone());
            }
            for (list, map) in [(names.types, &mut hand.types), (names.enums, &mut hand.enums)] {
                for t in list {
                    for class in t.server_classes {
                        hand.server_classes.insert(class, t.name.clone());
                    }
                    map.insert(t.name, shown.clone());
                }
            }
        }
        Ok(hand)
    }

    fn defines_def(&self, name: &str) -> Option<&String> {
        self.types.get(name).or_else(|| self.enums.get(name))
    }
}

fn walk_yaml(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(root.join(rel))?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = rel.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            if path != Path::new("catalog") {
                walk_yaml(root, &path, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Planning: which group each action, type and enum goes to

/// One output file.
#[derive(Default)]
struct GroupPlan {
    /// File stem (the spec group name): the route group, suffixed on a clash.
    stem: String,
    /// First path segments (as written) that map to this group.
    segments: BTreeSet<String>,
    /// Indices into `catalog.actions` / `.types` / `.enums`, in catalog order.
    apis: Vec<usize>,
    types: Vec<usize>,
    enums: Vec<usize>,
    /// Catalog names of this group that hand-written files define instead.
    skipped: Vec<(String, String)>,
}

#[derive(Default)]
struct Plan {
    groups: BTreeMap<String, GroupPlan>,
    apis: usize,
    types: usize,
    enums: usize,
    skipped_apis: usize,
    skipped_types: usize,
    skipped_enums: usize,
}

fn plan(catalog: &Catalog, hand: &HandWritten) -> Result<Plan, String> {
    let mut groups: BTreeMap<String, GroupPlan> = BTreeMap::new();
    let mut out = Plan::default();

    let mut api_group: Vec<String> = Vec::with_capacity(catalog.actions.len());
    for (i, a) in catalog.actions.iter().enumerate() {
        let (segment, group) = route_group(&a.path).map_err(|e| format!("action {}: {e}", a.name))?;
        let g = groups.entry(group.clone()).or_default();
        g.segments.insert(segment);
        match hand.apis.get(&a.name) {
            Some(file) => {
                g.skipped.push((a.name.clone(), file.clone()));
                out.skipped_apis += 1;
            }
            None => {
                g.apis.push(i);
                out.apis += 1;
            }
        }
        api_group.push(group);
    }

    // Types and enums: a Query API's inventory type belongs to that API's
    // group (`HostInventory` → `hosts`), and so does what the inventory
    // reaches first; every other type and enum belongs to the group of the
    // first API (by name) that reaches it through params, result fields,
    // type fields and parents.
    let def_index: BTreeMap<&str, Def> = catalog
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), Def::Type(i)))
        .chain(catalog.enums.iter().map(|e| (e.name.as_str(), Def::Enum)))
        .collect();
    let mut owner: BTreeMap<&str, String> = BTreeMap::new();
    let mut by_name: Vec<usize> = (0..catalog.actions.len()).collect();
    by_name.sort_by(|&x, &y| catalog.actions[x].name.cmp(&catalog.actions[y].name));
    let queries: Vec<usize> = by_name.iter().copied().filter(|&i| catalog.actions[i].query).collect();
    for &i in &queries {
        for f in &catalog.actions[i].result.fields {
            for name in catalog::named_types(&f.ty) {
                owner.entry(name).or_insert_with(|| api_group[i].clone());
            }
        }
    }
    let mut visited: BTreeSet<&str> = BTreeSet::new();
    for i in queries.into_iter().chain(by_name) {
        let a = &catalog.actions[i];
        let mut stack: Vec<&str> = Vec::new();
        for ty in a.params.iter().map(|p| &p.ty).chain(a.result.fields.iter().map(|f| &f.ty)) {
            stack.extend(catalog::named_types(ty));
        }
        stack.reverse();
        while let Some(name) = stack.pop() {
            if !visited.insert(name) {
                continue;
            }
            let Some(def) = def_index.get(name) else {
                return Err(format!("action {}: type `{name}` is not in the catalog", a.name));
            };
            owner.entry(name).or_insert_with(|| api_group[i].clone());
            if let Def::Type(t) = def {
                let t = &catalog.types[*t];
                let mut next: Vec<&str> = t.parent.iter().map(String::as_str).collect();
                for f in &t.fields {
                    next.extend(catalog::named_types(&f.ty));
                }
                stack.extend(next.into_iter().rev());
            }
        }
    }
    // Types no API reaches (mostly subclasses, reached on the wire through a
    // parent and `schema`): the group of the nearest ancestor that has one. A
    // hand-written ancestor counts with the group named like its file, when
    // the catalog has that group (ErrorCode in core.yaml → `core`).
    let hand_group = |name: &str| {
        let file = hand.defines_def(name)?;
        let stem = Path::new(file).file_stem()?.to_string_lossy().into_owned();
        groups.contains_key(&stem).then_some(stem)
    };
    let mut fallback: Vec<(&str, String)> = Vec::new();
    for t in &catalog.types {
        if owner.contains_key(t.name.as_str()) {
            continue;
        }
        let mut parent = t.parent.as_deref();
        let mut group = None;
        let mut steps = 0;
        while let Some(p) = parent {
            if let Some(g) = hand_group(p).or_else(|| owner.get(p).cloned()) {
                group = Some(g);
                break;
            }
            parent = catalog.types.iter().find(|x| x.name == p).and_then(|x| x.parent.as_deref());
            steps += 1;
            if steps > catalog.types.len() {
                return Err(format!("type {}: parent cycle in the catalog", t.name));
            }
        }
        fallback.push((&t.name, group.unwrap_or_else(|| COMMON_GROUP.to_string())));
    }
    owner.extend(fallback);
    for (i, t) in catalog.types.iter().enumerate() {
        let g = groups.entry(owner[t.name.as_str()].clone()).or_default();
        match hand.defines_def(&t.name) {
            Some(file) => {
                g.skipped.push((t.name.clone(), file.clone()));
                out.skipped_types += 1;
            }
            None => {
                g.types.push(i);
                out.types += 1;
            }
        }
    }
    for (i, e) in catalog.enums.iter().enumerate() {
        let group = owner.get(e.name.as_str()).cloned().unwrap_or_else(|| COMMON_GROUP.to_string());
        let g = groups.entry(group).or_default();
        match hand.defines_def(&e.name) {
            Some(file) => {
                g.skipped.push((e.name.clone(), file.clone()));
                out.skipped_enums += 1;
            }
            None => {
                g.enums.push(i);
                out.enums += 1;
            }
        }
    }

    // File stem = group name: the loader merges `spec/catalog/<g>.yaml` with a
    // hand-written `spec/<g>.yaml` into one group.
    for (name, g) in groups.iter_mut() {
        g.stem = name.clone();
    }
    groups.retain(|_, g| !(g.apis.is_empty() && g.types.is_empty() && g.enums.is_empty()));
    out.groups = groups;
    Ok(out)
}

enum Def {
    Type(usize),
    Enum,
}

/// (first path segment, group name): `/vmInstance/...` → (`vmInstance`,
/// `vm-instances`); verb routes by [`VERB_ROUTES`].
fn route_group(path: &str) -> Result<(String, String), String> {
    let segment = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    let verb_route = VERB_ROUTES.iter().filter(|(prefix, _)| path.starts_with(prefix)).max_by_key(|(p, _)| p.len());
    if let Some((prefix, group)) = verb_route {
        return Ok((prefix.trim_matches('/').to_string(), (*group).to_string()));
    }
    let kebab = kebab_case(segment);
    if !is_kebab(&kebab) {
        return Err(format!("path `{path}`: cannot make a group name from `{segment}` (got `{kebab}`)"));
    }
    let group = ALIASES.iter().find(|(from, _)| *from == kebab).map_or(kebab.clone(), |(_, to)| (*to).to_string());
    Ok((segment.to_string(), group))
}

/// `vmsSchedulingRule` → `vms-scheduling-rule`, `VM` → `vm`,
/// `backupStorage-l3networks` → `backup-storage-l3networks`.
fn kebab_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' || c == '_' {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            continue;
        }
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let after_lower = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
            let acronym_end =
                prev.is_some_and(|p| p.is_ascii_uppercase()) && next.is_some_and(|n| n.is_ascii_lowercase());
            if (after_lower || acronym_end) && !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Same rule as the spec loader: lowercase words of letters and digits joined
/// by single dashes, starting with a letter.
fn is_kebab(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.split('-').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

// ---------------------------------------------------------------------------
// Rendering

fn render_all(catalog: &Catalog, releases: &Releases, hand: &HandWritten, plan: &Plan) -> BTreeMap<String, String> {
    plan.groups
        .iter()
        .map(|(name, g)| (format!("{}.yaml", g.stem), render_group(catalog, releases, hand, name, g)))
        .collect()
}

fn render_group(catalog: &Catalog, releases: &Releases, hand: &HandWritten, name: &str, g: &GroupPlan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# @generated by cargo xtask import-catalog from {}@{} — do not edit; corrections go in spec/catalog-fixups.yaml",
        catalog.source.repository, catalog.source.commit
    );
    if g.stem != name {
        let _ = writeln!(
            out,
            "#\n# Route group `{name}`; the file is `{}.yaml` because a hand-written file is `{name}.yaml`.",
            g.stem
        );
    }
    if !g.skipped.is_empty() {
        out.push_str("#\n# Hand-written instead (not imported):\n");
        for (entry, file) in &g.skipped {
            let _ = writeln!(out, "#   {entry} (spec/{file})");
        }
    }
    out.push('\n');
    let description = if name == COMMON_GROUP {
        "Catalog types and enums that no API refers to.".to_string()
    } else {
        let segs: Vec<String> = g.segments.iter().map(|s| format!("/{s}")).collect();
        format!("Catalog APIs whose route starts with {}, and the types and enums they use first.", segs.join(" or "))
    };
    let _ = writeln!(out, "description: {}", scalar(&description));

    if !g.apis.is_empty() {
        out.push_str("\napis:\n");
        for (n, &i) in g.apis.iter().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            render_api(&mut out, &catalog.actions[i], releases);
        }
    }
    if !g.types.is_empty() {
        out.push_str("\ntypes:\n");
        for (n, &i) in g.types.iter().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            let t = &catalog.types[i];
            let _ = writeln!(out, "  - name: {}", scalar(&t.name));
            if t.server_only {
                out.push_str("    # server-only class: the SDK has none; fields from the server source\n");
            }
            if let Some(p) = &t.parent {
                let _ = writeln!(out, "    extends: {}", scalar(p));
            }
            server_classes(&mut out, &t.server_classes, hand);
            out.push_str("    source: catalog\n");
            if !t.fields.is_empty() {
                out.push_str("    fields:\n");
                for f in &t.fields {
                    item(&mut out, "      ", &field_entries(f, releases.field(&t.name, &f.name)));
                }
            }
        }
    }
    if !g.enums.is_empty() {
        out.push_str("\nenums:\n");
        for (n, &i) in g.enums.iter().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            let e = &catalog.enums[i];
            let _ = writeln!(out, "  - name: {}", scalar(&e.name));
            let _ = writeln!(out, "    values: {}", flow_seq(e.values.iter().map(|v| scalar(v))));
            server_classes(&mut out, &e.server_classes, hand);
        }
    }
    out
}

/// `server_classes:`, leaving out classes a hand-written type already maps.
fn server_classes(out: &mut String, classes: &[String], hand: &HandWritten) {
    let (claimed, kept): (Vec<&String>, Vec<&String>) =
        classes.iter().partition(|c| hand.server_classes.contains_key(*c));
    for c in claimed {
        let _ = writeln!(out, "    # server class {c} is mapped by hand-written {}", hand.server_classes[c]);
    }
    if !kept.is_empty() {
        let _ = writeln!(out, "    server_classes: {}", flow_seq(kept.iter().map(|c| scalar(c))));
    }
}

fn render_api(out: &mut String, a: &Action, releases: &Releases) {
    let _ = writeln!(out, "  - name: {}", scalar(&a.name));
    let _ = writeln!(out, "    method: {}", scalar(&a.method));
    let _ = writeln!(out, "    path: {}", scalar(&a.path));
    if matches!(a.method.as_str(), "POST" | "PUT") {
        match &a.envelope {
            Some(e) => {
                let _ = writeln!(out, "    envelope: {}", scalar(e));
            }
            None => out.push_str("    envelope: \"\"  # catalog: null, the empty key (protocol §3.2)\n"),
        }
    }
    let _ = writeln!(out, "    async: {}", a.is_async);
    let _ = writeln!(out, "    session: {}", a.session);
    if a.query {
        out.push_str("    query: true\n");
    }
    if let Some(since) = pick(None, releases.action(&a.name)) {
        since_entries(&since).iter().for_each(|e| {
            let _ = writeln!(out, "    {}: {}", e.key, e.value);
        });
    }
    out.push_str("    source: catalog\n");

    let mut params: Vec<Vec<Entry>> = Vec::new();
    if a.query {
        // Query params are implied; only placeholders need a param (protocol §2 RULE).
        for ph in &a.path_placeholders {
            let mut e = vec![
                Entry::new("name", scalar(ph)),
                Entry::new("type", "String".into()),
                Entry::new("location", "path".into()),
                Entry::new("required", "true".into()),
            ];
            e.extend(pick(None, releases.action(&a.name)).iter().flat_map(since_entries));
            e[0].comment = Some(format!(
                "not in the catalog: the path has {{{ph}}} and the Java SDK sends it literally (protocol §2 RULE)"
            ));
            params.push(e);
        }
    } else {
        params.extend(a.params.iter().map(|p| param_entries(a, p, releases.param(&a.name, &p.name))));
    }
    if !params.is_empty() {
        out.push_str("    params:\n");
        for p in &params {
            item(out, "      ", p);
        }
    }
    render_result(out, a, releases.action(&a.name));
}

fn param_entries(a: &Action, p: &Param, first: Option<&str>) -> Vec<Entry> {
    let mut e = vec![
        Entry::new("name", scalar(&p.name)),
        Entry::new("type", scalar(&p.ty)),
        Entry::new("location", scalar(&p.location)),
    ];
    if p.location == "path" {
        let mut r = Entry::new("required", "true".into());
        if !p.required {
            r.comment = Some("catalog: false; every path param is required (protocol §2 RULE)".into());
        }
        e.push(r);
    } else if p.required {
        e.push(Entry::new("required", "true".into()));
    }
    if SECRET_PARAMS.contains(&(a.name.as_str(), p.name.as_str())) {
        let mut s = Entry::new("secret", "true".into());
        s.comment = Some("sent as the lowercase hex SHA-512 of the plain text (protocol §9)".into());
        e.push(s);
    }
    if let Some(d) = p.default.as_ref().and_then(default_scalar) {
        e.push(Entry::new("default", d));
    }
    if let Some(v) = &p.valid_values {
        e.push(Entry::new("allowed", flow_seq(v.iter().map(|s| scalar(s)))));
    }
    if let Some(r) = &p.valid_regex {
        e.push(Entry::new("regex", quoted(r)));
    }
    if let Some((lo, hi)) = p.number_range {
        e.push(Entry::new("range", format!("[{lo}, {hi}]")));
    }
    if let Some(n) = p.min_length {
        e.push(Entry::new("min_length", n.to_string()));
    }
    if let Some(n) = p.max_length {
        e.push(Entry::new("max_length", n.to_string()));
    }
    if p.non_empty {
        e.push(Entry::new("non_empty", "true".into()));
    }
    if !p.empty_string {
        e.push(Entry::new("empty_string", "false".into()));
    }
    e.extend(pick(p.since.as_deref(), first).iter().flat_map(since_entries));
    e
}

/// A scalar `default`; `[]` (query `conditions`) and other non-scalars are skipped.
fn default_scalar(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::String(s) => Some(scalar(s)),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (None, Some(u), _) => u.to_string(),
            // `{:?}` keeps the fraction (`0.0`), so YAML reads a float back.
            (None, None, Some(f)) => format!("{f:?}"),
            _ => n.to_string(),
        }),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// A field; `first` is the first release that has it (for a result field,
/// the first release of its action).
fn field_entries(f: &Field, first: Option<&str>) -> Vec<Entry> {
    let mut e = vec![Entry::new("name", scalar(&f.name)), Entry::new("type", scalar(&f.ty))];
    e.extend(pick(f.since.as_deref(), first).iter().flat_map(since_entries));
    e
}

/// `since:` and `since_source:`.
fn since_entries(since: &Since) -> Vec<Entry> {
    vec![Entry::new("since", quoted(&since.version)), Entry::new("since_source", since.source.as_str().to_string())]
}

/// The result shape of docs/spec.md, from the result class's fields.
fn render_result(out: &mut String, a: &Action, first: Option<&str>) {
    let fields = &a.result.fields;
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let single_name = |ty: &str| is_single_name(ty).then(|| ty.to_string());
    let list_of_name = |ty: &str| {
        ty.strip_prefix("List<").and_then(|r| r.strip_suffix('>')).filter(|t| is_single_name(t)).map(str::to_string)
    };
    match names.as_slice() {
        [] => {}
        ["inventory"] if single_name(&fields[0].ty).is_some() => {
            let _ = writeln!(out, "    result:\n      inventory: {}", scalar(&fields[0].ty));
        }
        ["inventories"] | ["inventories", "total"] if list_of_name(&fields[0].ty).is_some() => {
            let inner = list_of_name(&fields[0].ty).unwrap_or_default();
            let _ = writeln!(out, "    result:\n      inventories: {}", scalar(&inner));
            if names.len() == 2 {
                out.push_str("      total: true\n");
            }
        }
        _ => {
            out.push_str("    result:\n      fields:\n");
            for f in fields {
                item(out, "        ", &field_entries(f, first));
            }
        }
    }
}

/// A type string that is one name, not a builtin scalar or a generic.
fn is_single_name(ty: &str) -> bool {
    catalog::named_types(ty) == [ty]
}

// ---------------------------------------------------------------------------
// A tiny YAML emitter

/// One `key: value` of a mapping, the value already rendered.
struct Entry {
    key: &'static str,
    value: String,
    comment: Option<String>,
}

impl Entry {
    fn new(key: &'static str, value: String) -> Entry {
        Entry { key, value, comment: None }
    }
}

/// Longest line written as a flow mapping `- { k: v, ... }`; longer items and
/// items with comments are written in block style.
const FLOW_WIDTH: usize = 120;

/// A sequence item holding a mapping, at `indent` (the `-` column).
fn item(out: &mut String, indent: &str, entries: &[Entry]) {
    let inner: Vec<String> = entries.iter().map(|e| format!("{}: {}", e.key, e.value)).collect();
    let flow = format!("{indent}- {{ {} }}", inner.join(", "));
    if flow.chars().count() <= FLOW_WIDTH && entries.iter().all(|e| e.comment.is_none()) {
        out.push_str(&flow);
        out.push('\n');
        return;
    }
    for (n, e) in entries.iter().enumerate() {
        let lead = if n == 0 { format!("{indent}- ") } else { format!("{indent}  ") };
        let _ = write!(out, "{lead}{}: {}", e.key, e.value);
        if let Some(c) = &e.comment {
            let _ = write!(out, "  # {c}");
        }
        out.push('\n');
    }
}

fn flow_seq(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

/// A string as a YAML scalar: plain when YAML (1.1 or 1.2, block or flow
/// context) reads it back as the same string, else double-quoted.
fn scalar(s: &str) -> String {
    if plain_ok(s) { s.to_string() } else { quoted(s) }
}

fn plain_ok(s: &str) -> bool {
    const SPECIAL: &[char] = &[':', '#', '{', '}', '[', ']', ',', '&', '*', '!', '|', '\'', '"', '%', '@', '`', '\\'];
    const WORDS: &[&str] = &["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "="];
    let Some(first) = s.chars().next() else { return false };
    !(s.starts_with(' ')
        || s.ends_with(' ')
        || first.is_ascii_digit()
        || matches!(first, '-' | '+' | '.' | '?' | '>' | '<')
        || s.chars().any(|c| SPECIAL.contains(&c) || !(c.is_ascii_graphic() || c == ' '))
        || WORDS.iter().any(|w| s.eq_ignore_ascii_case(w)))
}

/// A double-quoted YAML scalar.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}') => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------
// Files

/// Every `*.yaml` directly in `dir`.
fn read_dir_yaml(dir: &Path) -> std::io::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return Ok(out);
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "yaml") {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            out.insert(name, fs::read_to_string(&path)?);
        }
    }
    Ok(out)
}

/// Writes changed files and deletes stale ones; returns (written, deleted).
fn sync(dir: &Path, files: &BTreeMap<String, String>) -> std::io::Result<(usize, usize)> {
    fs::create_dir_all(dir)?;
    let actual = read_dir_yaml(dir)?;
    let mut written = 0;
    for (name, text) in files {
        if actual.get(name) != Some(text) {
            fs::write(dir.join(name), text)?;
            written += 1;
        }
    }
    let mut deleted = 0;
    for name in actual.keys().filter(|n| !files.contains_key(*n)) {
        fs::remove_file(dir.join(name))?;
        deleted += 1;
    }
    Ok((written, deleted))
}

/// Prints a diff per stale file; returns how many there are.
fn check(dir: &Path, files: &BTreeMap<String, String>) -> std::io::Result<usize> {
    let actual = read_dir_yaml(dir)?;
    let mut stale = 0;
    for (name, new) in files {
        let old = actual.get(name).map_or("", String::as_str);
        if old != new {
            let path = format!("{CATALOG_DIR}/{name}");
            let diff = TextDiff::from_lines(old, new.as_str());
            print!("{}", diff.unified_diff().context_radius(3).header(&format!("a/{path}"), &format!("b/{path}")));
            stale += 1;
        }
    }
    for name in actual.keys().filter(|n| !files.contains_key(*n)) {
        println!("stale file (no longer produced): {CATALOG_DIR}/{name}");
        stale += 1;
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_cases_route_segments() {
        assert_eq!(kebab_case("vmsSchedulingRule"), "vms-scheduling-rule");
        assert_eq!(kebab_case("VM"), "vm");
        assert_eq!(kebab_case("vmInstance"), "vm-instance");
        assert_eq!(kebab_case("backupStorage-l3networks"), "backup-storage-l3networks");
        assert_eq!(kebab_case("hostNetworkInterface"), "host-network-interface");
        assert_eq!(kebab_case("baremetal2"), "baremetal2");
        assert_eq!(kebab_case("IAMPolicy"), "iam-policy");
    }

    #[test]
    fn groups_use_aliases() {
        assert_eq!(route_group("/account/{accountUuid}/resources").map(|g| g.1), Ok("accounts".into()));
        assert_eq!(route_group("/VM/attachingGroup").map(|g| g.1), Ok("vm-instances".into()));
        assert_eq!(route_group("/zwatch/alarms").map(|g| g.1), Ok("zwatch".into()));
    }

    #[test]
    fn verb_routes_group_by_the_resource() {
        let group = |path: &str| route_group(path).map(|g| g.1);
        assert_eq!(group("/create/directory"), Ok("directories".into()));
        assert_eq!(group("/move/resources/directory"), Ok("directories".into()));
        assert_eq!(group("/get/oauth2/token"), Ok("oauth2".into()));
        // The longest prefix wins.
        assert_eq!(group("/query/vm/schedulingRule"), Ok("vm-scheduling-rule".into()));
        assert_eq!(group("/query/vm/schedulingRule/group"), Ok("vm-scheduling-rule-group".into()));
        // A verb route the table does not know keeps its first segment.
        assert_eq!(group("/create/something"), Ok("create".into()));
    }

    /// The real catalog and spec: a re-import is byte-identical, hand-written
    /// entries are never imported, and types live with their Query API.
    #[test]
    fn importing_the_vendored_catalog_is_deterministic_and_keeps_hand_written_entries() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let catalog = Catalog::load(&root.join(DEFAULT_CATALOG)).unwrap();
        let hand = HandWritten::collect(&root.join(SPEC_DIR)).unwrap();
        let releases = Releases::load_beside(&root.join(DEFAULT_CATALOG)).unwrap();
        let first = render_all(&catalog, &releases, &hand, &plan(&catalog, &hand).unwrap());
        let second = render_all(&catalog, &releases, &hand, &plan(&catalog, &hand).unwrap());
        assert_eq!(first, second);

        let imported = |name: &str| first.iter().find(|(_, text)| text.contains(&format!("  - name: {name}\n")));
        for hand_written in ["ReconnectBackupStorage", "CreateAccount", "ErrorCode", "BackupStorageInventory"] {
            assert!(imported(hand_written).is_none(), "{hand_written} was imported");
        }
        assert!(first["backup-storage.yaml"].contains("#   ReconnectBackupStorage (spec/backup-storage.yaml)"));
        assert_eq!(imported("HostInventory").map(|f| f.0.as_str()), Some("hosts.yaml"));
        assert_eq!(imported("L2NetworkInventory").map(|f| f.0.as_str()), Some("l2-networks.yaml"));
        assert_eq!(imported("CreateDirectory").map(|f| f.0.as_str()), Some("directories.yaml"));
        assert!(!first.contains_key("create.yaml") && !first.contains_key("get.yaml"));
    }

    #[test]
    fn scalars_quote_what_yaml_would_misread() {
        for plain in ["params", "List<String>", "org.zstack.X$Y", "Permissive", "a b", "/cas/login/", "layer2+3"] {
            assert_eq!(scalar(plain), plain);
        }
        for (s, q) in [
            ("", "\"\""),
            ("null", "\"null\""),
            ("No", "\"No\""),
            ("0.6", "\"0.6\""),
            ("1800", "\"1800\""),
            ("-1", "\"-1\""),
            ("Map<String,Long>", "\"Map<String,Long>\""),
            ("a: b", "\"a: b\""),
            ("a #b", "\"a #b\""),
            (" x", "\" x\""),
            ("\\u4e00\"", "\"\\\\u4e00\\\"\""),
            ("汉", "\"汉\""),
        ] {
            assert_eq!(scalar(s), q, "{s}");
        }
    }

    #[test]
    fn defaults_keep_their_yaml_type() {
        use serde_json::json;
        assert_eq!(default_scalar(&json!(0.0)).as_deref(), Some("0.0"));
        assert_eq!(default_scalar(&json!(22)).as_deref(), Some("22"));
        assert_eq!(default_scalar(&json!(false)).as_deref(), Some("false"));
        assert_eq!(default_scalar(&json!("true")).as_deref(), Some("\"true\""));
        assert_eq!(default_scalar(&json!([])), None);
    }
}
