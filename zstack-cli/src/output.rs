//! What the CLI prints: the MN's JSON (without its `schema` map), YAML, a
//! table, or uuids; and the `curl` form of a request for `--dry-run`.

use std::fmt::Write as _;

use serde_json::Value;
use zstack_client::RequestPreview;

use crate::exit::Failure;
use crate::table::{Inventory, Reply};

/// An output format (`-o`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    Table,
    Uuid,
}

impl Format {
    /// The names `-o` accepts.
    pub const NAMES: [&'static str; 4] = ["json", "yaml", "table", "uuid"];

    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "json" => Some(Format::Json),
            "yaml" => Some(Format::Yaml),
            "table" => Some(Format::Table),
            "uuid" => Some(Format::Uuid),
            _ => None,
        }
    }
}

/// How to print a reply.
pub struct View<'a> {
    pub format: Format,
    /// What the reply holds (for rows and default columns).
    pub reply: &'a Reply,
    /// `--columns`, else the inventory's defaults.
    pub columns: Option<Vec<String>>,
}

/// The reply without the protocol's `schema` map: what the MN sent as the result.
pub fn strip_schema(mut reply: Value) -> Value {
    if let Value::Object(members) = &mut reply {
        members.remove("schema");
    }
    reply
}

/// The reply rendered for stdout (ending in a newline, or empty).
pub fn render(view: &View, reply: &Value) -> Result<String, Failure> {
    match view.format {
        Format::Json => Ok(format!("{}\n", serde_json::to_string_pretty(reply).unwrap_or_default())),
        Format::Yaml => serde_saphyr::to_string(reply).map_err(|e| Failure::Other(format!("cannot write YAML: {e}"))),
        Format::Uuid => {
            let mut out = String::new();
            for row in rows(reply) {
                if let Some(uuid) = row.get("uuid").and_then(Value::as_str) {
                    // What the MN sent, one per line: never a line break or an escape sequence.
                    let _ = writeln!(out, "{}", printable(uuid));
                }
            }
            Ok(out)
        }
        Format::Table => Ok(table(view, reply)),
    }
}

/// The rows a reply holds: its inventories, or its one inventory.
fn rows(reply: &Value) -> Vec<&Value> {
    if let Some(rows) = reply.get("inventories") {
        rows.as_array().map(|a| a.iter().collect()).unwrap_or_default()
    } else {
        reply.get("inventory").into_iter().collect()
    }
}

fn table(view: &View, reply: &Value) -> String {
    let inventory: Option<&Inventory> = match view.reply {
        Reply::Inventory(inv) | Reply::Inventories(inv) => Some(inv),
        Reply::Empty | Reply::Fields => None,
    };
    let rows = rows(reply);
    let is_rows = reply.get("inventories").is_some() || reply.get("inventory").is_some();
    if !is_rows {
        // Named fields (or `{}`): one FIELD / VALUE line each.
        let Value::Object(members) = reply else { return String::new() };
        let lines: Vec<Vec<String>> = members.iter().map(|(k, v)| vec![k.clone(), cell(v)]).collect();
        if lines.is_empty() {
            return String::new();
        }
        return grid(&["FIELD".to_string(), "VALUE".to_string()], &lines);
    }
    let columns: Vec<String> = match (&view.columns, inventory) {
        (Some(columns), _) => columns.clone(),
        (None, Some(inv)) if !inv.columns.is_empty() => inv.columns.iter().map(|c| c.to_string()).collect(),
        // No table entry: the first row's scalar fields, at most five.
        _ => rows
            .first()
            .and_then(|r| r.as_object())
            .map(|o| {
                o.iter().filter(|(_, v)| !v.is_object() && !v.is_array()).map(|(k, _)| k.clone()).take(5).collect()
            })
            .unwrap_or_default(),
    };
    let header: Vec<String> = columns.iter().map(|c| upper_words(c)).collect();
    let lines: Vec<Vec<String>> =
        rows.iter().map(|row| columns.iter().map(|c| row.get(c).map(cell).unwrap_or_default()).collect()).collect();
    grid(&header, &lines)
}

/// `createDate` → `CREATE_DATE`.
fn upper_words(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_uppercase());
    }
    out
}

/// One table cell: text as is, `null` empty, structures as compact JSON cut
/// at 60 characters; never a line break or a control character.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let clean = printable(&text);
    if clean.chars().count() > 60 { format!("{}…", clean.chars().take(59).collect::<String>()) } else { clean }
}

/// `text` with every control character (line breaks, escape sequences the MN
/// or a proxy could send to drive the terminal) shown as a space.
pub fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Columns padded to their widest cell, two spaces apart.
fn grid(header: &[String], lines: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for line in lines {
        for (w, c) in widths.iter_mut().zip(line) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for line in std::iter::once(header).chain(lines.iter().map(Vec::as_slice)) {
        let mut text = String::new();
        for (i, (c, w)) in line.iter().zip(&widths).enumerate() {
            if i + 1 == line.len() {
                text.push_str(c);
            } else {
                let _ = write!(text, "{c:<w$}  ");
            }
        }
        let _ = writeln!(out, "{}", text.trim_end());
    }
    out
}

/// The request as a `curl` command line (secrets already redacted in the preview).
pub fn curl(preview: &RequestPreview) -> String {
    let mut out = format!("curl -X {} {}", preview.method, quote(&preview.url));
    for (name, value) in &preview.headers {
        let _ = write!(out, " \\\n  -H {}", quote(&format!("{name}: {value}")));
    }
    if let Some(body) = &preview.body {
        let _ = write!(out, " \\\n  --data-raw {}", quote(body));
    }
    out.push('\n');
    out
}

/// A POSIX shell single-quoted word.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::table::FieldKind;

    static INV: Inventory = Inventory {
        name: "Vm",
        fields: &[("uuid", FieldKind::Str), ("name", FieldKind::Str)],
        columns: &["uuid", "name"],
    };

    #[test]
    fn tables_align_and_clean_cells() {
        let reply = json!({"inventories": [
            {"uuid": "u1", "name": "web\nserver", "x": 1},
            {"uuid": "u22", "name": null}
        ]});
        let view = View { format: Format::Table, reply: &Reply::Inventories(&INV), columns: None };
        assert_eq!(render(&view, &reply).unwrap(), "UUID  NAME\nu1    web server\nu22\n");
        let view = View { columns: Some(vec!["x".into(), "uuid".into()]), ..view };
        assert_eq!(render(&view, &reply).unwrap(), "X  UUID\n1  u1\n   u22\n");
        let fields = View { format: Format::Table, reply: &Reply::Fields, columns: None };
        assert_eq!(render(&fields, &json!({"valid": true, "n": 3})).unwrap(), "FIELD  VALUE\nn      3\nvalid  true\n");
    }

    #[test]
    fn uuids_and_schema() {
        let reply = strip_schema(json!({"inventory": {"uuid": "u1"}, "schema": {"inventory": "x"}}));
        assert_eq!(reply, json!({"inventory": {"uuid": "u1"}}));
        let view = View { format: Format::Uuid, reply: &Reply::Inventory(&INV), columns: None };
        assert_eq!(render(&view, &reply).unwrap(), "u1\n");
        let hostile = json!({"inventories": [{"uuid": "a\nb\u{1b}[31m"}]});
        assert_eq!(render(&view, &hostile).unwrap(), "a b [31m\n");
    }

    #[test]
    fn curl_quotes_for_the_shell() {
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
