//! `cargo xtask coverage [--catalog PATH]`: how much of the catalog the spec
//! covers. Loads (and so validates) the whole `spec/`, then compares names
//! with the catalog. Fails when any catalog action, type or enum is missing.

use std::collections::BTreeSet;
use std::path::Path;

use zstack_spec::Spec;

use crate::catalog::Catalog;
use crate::import::SPEC_DIR;

pub fn run(root: &Path, catalog_path: &Path) -> Result<(), String> {
    let catalog = Catalog::load(catalog_path)?;
    let spec = zstack_spec::load_dir(&root.join(SPEC_DIR))
        .map_err(|errors| format!("{errors}\ncoverage: the spec does not load"))?;
    let report = Report::new(&catalog, &spec);
    print!("{}", report.render(&catalog, &spec));
    if report.missing() > 0 {
        return Err(format!("coverage: {} catalog entries are missing from the spec", report.missing()));
    }
    Ok(())
}

struct Report {
    missing_actions: Vec<String>,
    missing_types: Vec<String>,
    missing_enums: Vec<String>,
    /// Spec entries the catalog lacks, with their group.
    extra_apis: Vec<(String, String)>,
    extra_defs: Vec<(String, String)>,
}

impl Report {
    fn new(catalog: &Catalog, spec: &Spec) -> Report {
        let apis: BTreeSet<&str> = spec.apis().map(|(_, a)| a.name.as_str()).collect();
        let types: BTreeSet<&str> = spec.groups.iter().flat_map(|g| &g.types).map(|t| t.name.as_str()).collect();
        let enums: BTreeSet<&str> = spec.groups.iter().flat_map(|g| &g.enums).map(|e| e.name.as_str()).collect();
        let missing = |names: Vec<&String>, have: &BTreeSet<&str>| {
            names.into_iter().filter(|n| !have.contains(n.as_str())).cloned().collect::<Vec<_>>()
        };
        let cat_actions: BTreeSet<&str> = catalog.actions.iter().map(|a| a.name.as_str()).collect();
        let cat_defs: BTreeSet<&str> = catalog
            .types
            .iter()
            .map(|t| t.name.as_str())
            .chain(catalog.enums.iter().map(|e| e.name.as_str()))
            .collect();
        let extra_apis = spec
            .apis()
            .filter(|(_, a)| !cat_actions.contains(a.name.as_str()))
            .map(|(g, a)| (a.name.clone(), g.name.clone()))
            .collect();
        let extra_defs = spec
            .groups
            .iter()
            .flat_map(|g| {
                let types = g.types.iter().map(|t| &t.name);
                types.chain(g.enums.iter().map(|e| &e.name)).map(move |n| (n.clone(), g.name.clone()))
            })
            .filter(|(n, _)| !cat_defs.contains(n.as_str()))
            .collect();
        Report {
            missing_actions: missing(catalog.actions.iter().map(|a| &a.name).collect(), &apis),
            missing_types: missing(catalog.types.iter().map(|t| &t.name).collect(), &types),
            missing_enums: missing(catalog.enums.iter().map(|e| &e.name).collect(), &enums),
            extra_apis,
            extra_defs,
        }
    }

    fn missing(&self) -> usize {
        self.missing_actions.len() + self.missing_types.len() + self.missing_enums.len()
    }

    fn render(&self, catalog: &Catalog, spec: &Spec) -> String {
        let mut out = String::new();
        let line = |what: &str, total: usize, missing: usize| {
            let have = total - missing;
            let pct = if total == 0 { 100.0 } else { have as f64 * 100.0 / total as f64 };
            format!("{what}: {have}/{total} ({pct:.1}%)\n")
        };
        out.push_str(&format!("catalog {}@{}\n", catalog.source.repository, catalog.source.commit));
        let imported = spec.apis().filter(|(_, a)| a.source.as_deref() == Some("catalog")).count();
        out.push_str(&format!(
            "spec: {} groups, {} APIs ({imported} imported, {} hand-written)\n",
            spec.groups.len(),
            spec.apis().count(),
            spec.apis().count() - imported
        ));
        out.push_str(&line("actions", catalog.actions.len(), self.missing_actions.len()));
        out.push_str(&line("types", catalog.types.len(), self.missing_types.len()));
        out.push_str(&line("enums", catalog.enums.len(), self.missing_enums.len()));
        list(&mut out, "missing actions", self.missing_actions.iter().map(String::as_str));
        list(&mut out, "missing types", self.missing_types.iter().map(String::as_str));
        list(&mut out, "missing enums", self.missing_enums.iter().map(String::as_str));
        let extra_apis: Vec<String> = self.extra_apis.iter().map(|(n, g)| format!("{n} ({g})")).collect();
        list(&mut out, "spec APIs not in the catalog", extra_apis.iter().map(String::as_str));
        let extra_defs: Vec<String> = self.extra_defs.iter().map(|(n, g)| format!("{n} ({g})")).collect();
        list(&mut out, "spec types and enums not in the catalog", extra_defs.iter().map(String::as_str));
        out
    }
}

fn list<'a>(out: &mut String, title: &str, items: impl Iterator<Item = &'a str>) {
    let items: Vec<&str> = items.collect();
    if items.is_empty() {
        out.push_str(&format!("{title}: none\n"));
        return;
    }
    out.push_str(&format!("{title} ({}):\n", items.len()));
    for i in items {
        out.push_str(&format!("  {i}\n"));
    }
}
