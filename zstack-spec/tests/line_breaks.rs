//! Every line:col the loader reports, and the source line it shows, counts
//! lines as the YAML parser does: `\n`, `\r\n` and a lone `\r` each end a line.

use zstack_spec::{ErrorKind, SpecError, load_str};

const STYLES: [(&str, &str); 3] = [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")];

/// `lines` joined with `br`, with a trailing break.
fn text(lines: &[&str], br: &str) -> String {
    lines.iter().map(|l| format!("{l}{br}")).collect()
}

fn only_error(name: &str, src: &str) -> SpecError {
    let err = load_str(name, src).expect_err("an error");
    assert_eq!(err.len(), 1, "{err}");
    err.0[0].clone()
}

/// The error's position, source line and the snippet line of its rendering.
fn check(e: &SpecError, kind: ErrorKind, file: &str, line: usize, col: usize, src_line: &str) {
    let rendered = e.to_string();
    assert_eq!(e.kind, kind, "{rendered}");
    assert_eq!((e.file.to_str(), e.line, e.col), (Some(file), line, col), "{rendered}");
    assert_eq!(e.source_line.as_deref(), Some(src_line), "{rendered}");
    assert!(rendered.contains(&format!("--> {file}:{line}:{col}\n")), "{rendered}");
    let shown = src_line.replace('\t', "    ");
    assert!(rendered.contains(&format!("\n {line} | {}\n", shown.trim_end())), "{rendered}");
}

#[test]
fn unknown_key_after_each_line_break_style() {
    let lines = ["# a comment", "", "description: d", "apis:", "  - name: GetThing", "    mehtod: GET", "    path: /t"];
    for (style, br) in STYLES {
        let name = format!("{style}.yaml");
        let e = only_error(&name, &text(&lines, br));
        check(&e, ErrorKind::UnknownKey, &name, 6, 5, "    mehtod: GET");
        assert_eq!(e.width, "mehtod".len(), "{style}");
    }
}

#[test]
fn missing_key_after_each_line_break_style() {
    // serde-saphyr reports the end of the mapping; the loader walks back to
    // the list item's first key, which needs the parser's line numbers.
    let lines = ["description: d", "", "apis:", "  - name: GetThing", "    path: /t", "    session: true"];
    for (style, br) in STYLES {
        let name = format!("{style}.yaml");
        let e = only_error(&name, &text(&lines, br));
        check(&e, ErrorKind::MissingKey, &name, 4, 5, "  - name: GetThing");
        assert_eq!(e.message, "missing required key `method`");
    }
}

#[test]
fn validation_error_after_each_line_break_style() {
    let lines = ["description: d", "apis:", "  - name: GetThing", "    method: GTE", "    path: /t"];
    for (style, br) in STYLES {
        let name = format!("{style}.yaml");
        let e = only_error(&name, &text(&lines, br));
        check(&e, ErrorKind::InvalidValue, &name, 4, 13, "    method: GTE");
        assert!(e.message.contains("(did you mean `GET`?)"), "{}", e.message);
    }
}

#[test]
fn syntax_error_at_end_of_file_after_each_line_break_style() {
    let lines = ["apis:", "  - name: \"GetThing"];
    for (style, br) in STYLES {
        let name = format!("{style}.yaml");
        let e = only_error(&name, &text(&lines, br));
        check(&e, ErrorKind::Syntax, &name, 2, 11, "  - name: \"GetThing");
    }
}

#[test]
fn tab_indentation_after_each_line_break_style() {
    let lines = ["description: d", "apis:", "\t- name: GetThing"];
    for (style, br) in STYLES {
        let name = format!("{style}.yaml");
        let e = only_error(&name, &text(&lines, br));
        check(&e, ErrorKind::Syntax, &name, 3, 1, "\t- name: GetThing");
    }
}

#[test]
fn mixed_line_breaks() {
    // Lines: 1 `description: d` \r\n, 2 `` \r, 3 `apis:` \n, 4 `` \r\r 5 ``,
    // 6 `  - name: GetThing` \n, 7 `    method: GET` \r, 8 `    path: /t` \r\n,
    // 9 `    sesion: true`.
    let src = "description: d\r\n\rapis:\n\r\r  - name: GetThing\n    method: GET\r    path: /t\r\n    sesion: true";
    let e = only_error("mixed.yaml", src);
    check(&e, ErrorKind::UnknownKey, "mixed.yaml", 9, 5, "    sesion: true");
    assert!(e.message.contains("(did you mean `session`?)"), "{}", e.message);
}
