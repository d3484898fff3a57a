//! Rust source text straight from the emitted tokens: the layout of every
//! generated file.
//!
//! Hand-written because the crate that lays out Rust well (prettyplease)
//! needs a `syn` syntax tree, and re-parsing the ~2 million emitted tokens
//! into one cost about 60 % of a full `cargo xtask codegen`. The emitters
//! produce a small subset of Rust (items, signatures, paths, match arms,
//! macro calls), so a layout driven by the token trees alone reads well:
//!
//! - a brace group is a block: one statement, field, variant or match arm
//!   per line, indented by four spaces, unless it is short, simple and
//!   inside parentheses (`Some(Self::Unknown { class, raw })`);
//! - a parenthesised or bracketed list that would pass column 100 puts one
//!   element per line;
//! - `#[doc = "..."]` becomes `///` (or `//!`) lines;
//! - spaces between tokens follow rustfmt's habits (`a: T`, `x.y()`,
//!   `Option<T>`, `&self`, `a => b`).
//!
//! Only whitespace is chosen here: the text lexes back to the same tokens
//! (doc attributes as doc comments), which a test checks over every file
//! the generator writes.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Lines longer than this break their parenthesised lists.
const WIDTH: usize = 100;

/// Format a whole file's tokens (items at the top level).
pub fn file(tokens: TokenStream) -> String {
    let tokens = Tree::lower(tokens);
    let mut p = Printer::default();
    p.block(&tokens);
    p.newline();
    p.out
}

/// The emitted tokens as the layout reads them: each group's tokens owned
/// by their parent, and each word and literal as its text.
///
/// `proc_macro2` hands out a group's tokens only as a shared stream that
/// iterating clones, token by token, and writes words and literals through
/// `Display`; the layout looks at most groups several times (can it stay on
/// one line? how wide is it?), so it reads the tokens once, into this tree.
enum Tree {
    Group(Group),
    Ident(String),
    Punct(Punct),
    Literal(String),
}

struct Group {
    delimiter: Delimiter,
    tokens: Vec<Tree>,
}

#[derive(Clone, Copy)]
struct Punct {
    ch: char,
    spacing: Spacing,
}

impl Tree {
    /// The tree of `tokens`, consuming them: a group is dropped before its
    /// stream is iterated, so the stream is the only owner of its tokens
    /// and gives them up without a copy.
    fn lower(tokens: TokenStream) -> Vec<Tree> {
        tokens
            .into_iter()
            .map(|token| match token {
                TokenTree::Group(group) => {
                    let delimiter = group.delimiter();
                    let stream = group.stream();
                    drop(group);
                    Tree::Group(Group { delimiter, tokens: Tree::lower(stream) })
                }
                TokenTree::Ident(ident) => Tree::Ident(ident.to_string()),
                TokenTree::Punct(punct) => Tree::Punct(Punct { ch: punct.as_char(), spacing: punct.spacing() }),
                TokenTree::Literal(literal) => Tree::Literal(literal.to_string()),
            })
            .collect()
    }
}

/// What the last thing written was, for the space before the next.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Prev {
    /// Start of a line, or just inside an opening delimiter.
    Start,
    /// An identifier: a keyword or not.
    Word {
        keyword: bool,
    },
    /// A literal, or a lifetime (`'de`).
    Lit,
    /// A closing delimiter.
    Close(Delimiter),
    Op(Role),
}

/// How an operator sits between its neighbours.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    /// `a = b`, `a => b`, `-> T`, `A + B`: spaced on both sides.
    Binary,
    /// `&x`, `-1`, `!x`, `*x`: nothing after.
    Prefix,
    /// `,` and `;`: nothing before, a space (or a line break) after.
    Sep,
    /// `a: T`: nothing before, a space after.
    Colon,
    /// `a::b`, `a.b`, `a..b`, `x::*`: nothing on either side.
    Join,
    /// `x?`: nothing before.
    Question,
    /// `name!(...)`: nothing on either side.
    Bang,
    /// `Vec<`: nothing on either side.
    AngleOpen,
    /// `T>`: nothing before.
    AngleClose,
    /// `#` of an attribute.
    Hash,
    /// `|x|` of a closure: the opening bar.
    BarOpen,
}

#[derive(Default)]
struct Printer {
    out: String,
    indent: usize,
    /// Bytes written on the current line.
    col: usize,
    prev: Option<Prev>,
    /// Generic angle brackets open at this level of token tree.
    angles: usize,
    /// Bit `d` set: the angle bracket open at depth `d` follows `impl`
    /// (`impl<'de> ::serde::...` needs a space after its `>`).
    impl_angles: u64,
    /// Inside a closure's `|...|`.
    in_bars: bool,
    /// Inside parentheses or brackets (not in a block below them): a short
    /// brace group may stay on the line.
    in_parens: bool,
    /// Laying out one line to measure it: no breaks at all.
    flat_only: bool,
}

/// Whether `word` is a keyword: a group after one is spaced (`in (a, b)`,
/// `&mut [u8]`), and an operator after one is a prefix (`return -1`).
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
    )
}

impl Printer {
    fn prev(&self) -> Prev {
        self.prev.unwrap_or(Prev::Start)
    }

    fn newline(&mut self) {
        if self.prev.is_some() {
            self.out.push('\n');
            self.col = 0;
            self.prev = None;
        }
    }

    /// Write `text` as the next token, after a space if `space`.
    fn put(&mut self, text: &str, space: bool, now: Prev) {
        if self.prev.is_none() {
            for _ in 0..self.indent {
                self.out.push_str("    ");
            }
            self.col = 4 * self.indent;
        } else if space {
            self.out.push(' ');
            self.col += 1;
        }
        self.out.push_str(text);
        self.col += text.len();
        self.prev = Some(now);
    }

    /// Items, statements, fields or match arms: a line break after each
    /// `;`, `,` (outside angle brackets), attribute and closing block.
    fn block(&mut self, tokens: &[Tree]) {
        if self.flat_only {
            return self.inline(tokens);
        }
        let saved = (self.angles, self.impl_angles, self.in_bars, self.in_parens);
        (self.angles, self.impl_angles, self.in_bars, self.in_parens) = (0, 0, false, false);
        let mut i = 0;
        let mut after_inner = false;
        while i < tokens.len() {
            let inner = matches!(&tokens[i..], [Tree::Punct(hash), Tree::Punct(bang), ..]
                if hash.ch == '#' && bang.ch == '!');
            if after_inner && !inner {
                // A blank line between a module's own attributes and its items.
                self.out.push('\n');
            }
            after_inner = inner;
            if let Some(next) = self.attribute(tokens, i, true) {
                self.newline();
                i = next;
                continue;
            }
            i = self.token(tokens, i, true);
            let breaks = match (&tokens[i - 1], tokens.get(i)) {
                (Tree::Punct(p), _) if matches!(p.ch, ';' | ',') => {
                    self.angles == 0 && !self.in_bars && p.spacing == Spacing::Alone
                }
                // A block ends its statement or item unless an `else`, an
                // operator or a separator carries the line on.
                (Tree::Group(g), next) if g.delimiter == Delimiter::Brace && !self.in_bars => match next {
                    Some(Tree::Ident(word)) => word != "else" && word != "as",
                    Some(Tree::Literal(_)) => true,
                    Some(Tree::Punct(p)) => matches!(p.ch, '#' | ':' | '<' | '&' | '*' | '!'),
                    _ => false,
                },
                _ => false,
            };
            if breaks {
                self.newline();
            }
        }
        (self.angles, self.impl_angles, self.in_bars, self.in_parens) = saved;
    }

    /// Tokens within one line: inside parentheses, brackets and attributes.
    fn inline(&mut self, tokens: &[Tree]) {
        let saved = (self.angles, self.impl_angles, self.in_bars, self.in_parens);
        (self.angles, self.impl_angles, self.in_bars, self.in_parens) = (0, 0, false, true);
        let mut i = 0;
        while i < tokens.len() {
            i = match self.attribute(tokens, i, false) {
                Some(next) => next,
                None => self.token(tokens, i, false),
            };
        }
        (self.angles, self.impl_angles, self.in_bars, self.in_parens) = saved;
    }

    /// Print the attribute at `i` if there is one (`#[...]`, `#![...]`);
    /// the index after it. Doc attributes become comments when `lines`.
    fn attribute(&mut self, tokens: &[Tree], i: usize, lines: bool) -> Option<usize> {
        let Tree::Punct(hash) = &tokens[i] else { return None };
        if hash.ch != '#' {
            return None;
        }
        let inner = matches!(tokens.get(i + 1), Some(Tree::Punct(p)) if p.ch == '!');
        let at = i + 1 + usize::from(inner);
        let Some(Tree::Group(group)) = tokens.get(at) else { return None };
        if group.delimiter != Delimiter::Bracket {
            return None;
        }
        if lines && let Some(text) = doc_text(group) {
            let marker = if inner { "//!" } else { "///" };
            if let Some(lines) = comment_lines(&text, inner) {
                self.newline();
                for line in lines {
                    self.put(marker, false, Prev::Start);
                    self.out.push_str(line);
                    self.newline();
                }
                return Some(at + 1);
            }
        }
        let space = self.space(Prev::Op(Role::Hash));
        self.put(if inner { "#!" } else { "#" }, space, Prev::Op(Role::Hash));
        self.attribute_group(group);
        if !lines {
            // `#[cfg(x)] arg`: the next token follows after a space.
            self.prev = Some(Prev::Op(Role::Sep));
        }
        Some(at + 1)
    }

    /// Print the token at `i` (an operator with the tokens joined to it);
    /// the index after it.
    fn token(&mut self, tokens: &[Tree], i: usize, in_block: bool) -> usize {
        match &tokens[i] {
            Tree::Group(group) => {
                if group.delimiter == Delimiter::None {
                    if in_block { self.block(&group.tokens) } else { self.inline(&group.tokens) }
                } else {
                    let space = self.space_before_group(group.delimiter);
                    if space {
                        self.out.push(' ');
                        self.col += 1;
                    }
                    self.group_before(group, &tokens[i + 1..], false);
                }
                i + 1
            }
            Tree::Ident(text) => {
                let now = Prev::Word { keyword: is_keyword(text) };
                let space = self.space(now);
                self.put(text, space, now);
                i + 1
            }
            Tree::Literal(text) => {
                let space = self.space(Prev::Lit);
                self.put(text, space, Prev::Lit);
                i + 1
            }
            Tree::Punct(_) => self.operator(tokens, i),
        }
    }

    /// Print the operator starting at `i`, joining the puncts that make one
    /// operator (`::`, `=>`, `..=`) and a lifetime (`'de`).
    fn operator(&mut self, tokens: &[Tree], i: usize) -> usize {
        let punct = |k: usize| match tokens.get(k) {
            Some(Tree::Punct(p)) => Some((p.ch, p.spacing)),
            _ => None,
        };
        let (c, spacing) = punct(i).expect("an operator starts with a punct");
        // A lifetime: `'` joined to an identifier.
        if c == '\''
            && spacing == Spacing::Joint
            && let Some(Tree::Ident(name)) = tokens.get(i + 1)
        {
            let space = self.space(Prev::Lit);
            self.put(&format!("'{name}"), space, Prev::Lit);
            return i + 2;
        }
        let mut op = String::from(c);
        let mut end = i + 1;
        if spacing == Spacing::Joint {
            // Join only the operators the emitters use; `>` `>` closing two
            // generic lists stays two closes.
            let mut k = i + 1;
            let mut last = spacing;
            while last == Spacing::Joint
                && let Some((next, s)) = punct(k)
            {
                let joined = format!("{op}{next}");
                if !JOINED.contains(&joined.as_str()) || (c == '>' && self.angles > 0) {
                    break;
                }
                op = joined;
                last = s;
                k += 1;
            }
            end = k;
        }
        let role = self.role(&op, tokens.get(end));
        let now = Prev::Op(role);
        let space = self.space(now);
        let mut after_impl = false;
        match role {
            Role::AngleOpen => {
                if self.out.ends_with("impl") && self.angles < 64 {
                    self.impl_angles |= 1 << self.angles;
                }
                self.angles += 1;
            }
            Role::AngleClose => {
                self.angles -= 1;
                if self.angles < 64 {
                    after_impl = self.impl_angles & (1 << self.angles) != 0;
                    self.impl_angles &= !(1 << self.angles);
                }
            }
            Role::BarOpen => self.in_bars = true,
            _ => {}
        }
        if op == "|" && self.in_bars && role != Role::BarOpen {
            // The closing bar of `|x|`.
            self.in_bars = false;
            self.put("|", false, Prev::Op(Role::Binary));
            return end;
        }
        self.put(&op, space, now);
        if after_impl {
            self.prev = Some(Prev::Op(Role::Binary));
        }
        end
    }

    /// The role of operator `op` here, given the token after it.
    fn role(&self, op: &str, next: Option<&Tree>) -> Role {
        let prev = self.prev();
        // After a value (`x`, `1`, `)`), `&`, `*`, `-` are binary; otherwise prefix.
        let after_value = matches!(prev, Prev::Word { keyword: false } | Prev::Lit | Prev::Close(_))
            || matches!(prev, Prev::Op(Role::AngleClose | Role::Question));
        match op {
            "," | ";" => Role::Sep,
            ":" => Role::Colon,
            "::" | "." | ".." | "..=" => Role::Join,
            "?" => Role::Question,
            "#" => Role::Hash,
            "*" if matches!(prev, Prev::Op(Role::Join)) => Role::Join,
            "&" | "&&" | "*" | "-" if !after_value => Role::Prefix,
            "!" if matches!(prev, Prev::Word { keyword: false })
                && matches!(next, Some(Tree::Group(_) | Tree::Ident(_))) =>
            {
                Role::Bang
            }
            "!" => Role::Prefix,
            "<" if !matches!(prev, Prev::Lit | Prev::Close(_)) => Role::AngleOpen,
            ">" if self.angles > 0 => Role::AngleClose,
            "|" | "||" if !after_value && !self.in_bars => {
                if op == "|" {
                    Role::BarOpen
                } else {
                    Role::Binary
                }
            }
            _ => Role::Binary,
        }
    }

    /// Whether a space goes between what was written last and `next`.
    fn space(&self, next: Prev) -> bool {
        use Prev::*;
        use Role::*;
        let prev = self.prev();
        match (prev, next) {
            (Start, _) => false,
            (Op(Sep), Op(Join)) => true,
            (_, Op(Sep | Colon | Question | AngleClose)) => false,
            (Op(Join | Prefix | AngleOpen | Hash | Bang | BarOpen), _) => false,
            (Word { keyword: false } | Op(AngleClose) | Lit, Op(Join)) => false,
            (Word { .. }, Op(AngleOpen | Bang)) => false,
            (Close(_), Op(Join)) => false,
            (_, Op(Join)) => !matches!(prev, Close(_)),
            _ => true,
        }
    }

    /// Whether a space goes before a group with `delimiter`.
    fn space_before_group(&self, delimiter: Delimiter) -> bool {
        use Prev::*;
        use Role::*;
        let prev = self.prev();
        match delimiter {
            Delimiter::Brace => !matches!(prev, Start | Op(Join | Prefix | AngleOpen | Hash)),
            _ => match prev {
                Word { keyword } => keyword && !self.out.ends_with("pub") && !self.out.ends_with("Self"),
                Op(Sep | Colon | Binary) | Lit => true,
                _ => false,
            },
        }
    }

    /// An attribute's bracket group: on its line, its own lists broken
    /// when too long.
    fn attribute_group(&mut self, group: &Group) {
        self.group_before(group, &[], true);
    }

    /// A delimited group, followed on its line by `rest` (up to where `rest`
    /// may break): a block for braces, a line (or one element per line when
    /// too long) for the others.
    fn group_before(&mut self, group: &Group, rest: &[Tree], attribute: bool) {
        let tokens = &group.tokens;
        let (open, close) = match group.delimiter {
            Delimiter::Parenthesis => ("(", ")"),
            Delimiter::Bracket => ("[", "]"),
            Delimiter::Brace => ("{", "}"),
            Delimiter::None => ("", ""),
        };
        self.put(open, false, Prev::Start);
        if tokens.is_empty() {
            self.put(close, false, Prev::Close(group.delimiter));
            return;
        }
        let brace = group.delimiter == Delimiter::Brace;
        if self.flat_only {
            if brace {
                self.put("", true, Prev::Start);
            }
            self.inline(tokens);
            self.put(close, brace, Prev::Close(group.delimiter));
            return;
        }
        // A brace group stays on the line only inside parentheses, or as a
        // pattern (`Self::Unknown { raw, .. } =>`).
        let pattern = matches!(rest, [Tree::Punct(eq), Tree::Punct(gt), ..]
            if eq.ch == '=' && eq.spacing == Spacing::Joint && gt.ch == '>');
        let flat = if brace && !self.in_parens && !pattern { None } else { self.flat(tokens) };
        let fits = flat.as_ref().is_some_and(|flat| {
            // The open delimiter is written; the close (and a flat
            // brace group's two spaces) are not.
            let line = self.col + flat.len() + if brace { 3 } else { 1 };
            line <= WIDTH && (brace || line + self.tail_width(rest) <= WIDTH)
        });
        match flat {
            Some(flat) if fits => {
                if brace {
                    self.out.push(' ');
                }
                self.out.push_str(&flat);
                self.col += flat.len();
                self.prev = Some(Prev::Lit);
                self.put(close, brace, Prev::Close(group.delimiter));
            }
            _ if attribute => {
                // An attribute too long for its line: its own lists break.
                self.inline(tokens);
                self.put(close, false, Prev::Close(group.delimiter));
            }
            _ => {
                self.indent += 1;
                self.newline_forced();
                if brace {
                    self.block(tokens);
                } else {
                    self.vertical(tokens);
                }
                self.indent -= 1;
                self.newline();
                self.put(close, false, Prev::Close(group.delimiter));
            }
        }
    }

    /// Start a new line after an opening delimiter.
    fn newline_forced(&mut self) {
        self.out.push('\n');
        self.col = 0;
        self.prev = None;
    }

    /// One list element per line, each with the `,` that ends it.
    fn vertical(&mut self, tokens: &[Tree]) {
        let mut start = 0;
        let mut angles = 0usize;
        for (k, t) in tokens.iter().enumerate() {
            if let Tree::Punct(p) = t {
                match p.ch {
                    '<' => angles += 1,
                    '>' if angles > 0 => angles -= 1,
                    ',' if angles == 0 => {
                        self.inline(&tokens[start..=k]);
                        self.newline();
                        start = k + 1;
                    }
                    _ => {}
                }
            }
        }
        if start < tokens.len() {
            self.inline(&tokens[start..]);
            self.newline();
        }
    }

    /// How far `rest` runs on the line after a group: up to the next group
    /// (its opening delimiter included), `;`, or `,` outside angle brackets.
    fn tail_width(&self, rest: &[Tree]) -> usize {
        let mut angles = 0usize;
        let mut end = rest.len();
        let mut extra = 0;
        for (k, t) in rest.iter().enumerate() {
            match t {
                Tree::Group(g) => {
                    end = k;
                    extra = if g.delimiter == Delimiter::Brace { 2 } else { 1 };
                    break;
                }
                Tree::Punct(p) => match p.ch {
                    '<' => angles += 1,
                    '>' if angles > 0 => angles -= 1,
                    ';' => {
                        end = k;
                        extra = 1;
                        break;
                    }
                    ',' if angles == 0 => {
                        end = k;
                        extra = 1;
                        break;
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        if end == 0 {
            return extra;
        }
        let mut p = Printer { prev: Some(Prev::Close(Delimiter::Parenthesis)), flat_only: true, ..Printer::default() };
        p.inline(&rest[..end]);
        p.out.len() + extra
    }

    /// The group's tokens on one line, if they can be: no attribute, no
    /// block, no `;`.
    fn flat(&self, tokens: &[Tree]) -> Option<String> {
        if !can_be_flat(tokens) {
            return None;
        }
        let mut p = Printer { prev: Some(Prev::Start), flat_only: true, ..Printer::default() };
        p.inline(tokens);
        Some(p.out)
    }
}

/// Operators made of several puncts that the layout keeps together.
const JOINED: &[&str] = &["::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "..", "..=", "+=", "-="];

/// Whether tokens can be laid out on one line: no `;` and no attribute,
/// also in the groups within.
fn can_be_flat(tokens: &[Tree]) -> bool {
    tokens.iter().all(|t| match t {
        Tree::Punct(p) => !matches!(p.ch, ';' | '#'),
        Tree::Group(g) => can_be_flat(&g.tokens),
        _ => true,
    })
}

/// The text of `[doc = "..."]`, unescaped.
fn doc_text(group: &Group) -> Option<String> {
    let mut it = group.tokens.iter();
    let (Some(Tree::Ident(doc)), Some(Tree::Punct(eq)), Some(Tree::Literal(lit)), None) =
        (it.next(), it.next(), it.next(), it.next())
    else {
        return None;
    };
    if doc != "doc" || eq.ch != '=' {
        return None;
    }
    unescape(lit)
}

/// The lines of a doc comment for `text`, or `None` if a comment cannot
/// say it (a line starting with `/` would end the `///`).
fn comment_lines(text: &str, inner: bool) -> Option<impl Iterator<Item = &str>> {
    let bad = |line: &str| line.starts_with('/') || (inner && line.starts_with('!')) || line.contains('\r');
    if text.split('\n').any(bad) {
        return None;
    }
    Some(text.split('\n'))
}

/// The value of a string literal as `proc_macro2` writes it (`"..."` with
/// `escape_debug` escapes); `None` for any other literal.
pub(crate) fn unescape(repr: &str) -> Option<String> {
    if let Some(raw) = repr.strip_prefix('r') {
        // `r"..."`, `r#"..."#`: the text as is.
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw[hashes..].strip_prefix('"')?.strip_suffix(&raw[..hashes])?.strip_suffix('"')?;
        return Some(body.to_string());
    }
    let body = repr.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '0' => out.push('\0'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&hex, 16).ok().filter(|b| b.is_ascii())?));
            }
            'u' => {
                let rest = chars.as_str().strip_prefix('{')?;
                let close = rest.find('}')?;
                out.push(char::from_u32(u32::from_str_radix(&rest[..close], 16).ok()?)?);
                chars = rest[close + 1..].chars();
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Test support: panic unless `text` lexes back to `tokens`, apart from
/// whitespace and the form of doc comments (consecutive doc attributes
/// compare as their joined text).
#[cfg(test)]
pub(crate) fn assert_same_tokens(tokens: &TokenStream, text: &str) {
    let relexed: TokenStream = text.parse().unwrap_or_else(|e| panic!("the laid-out text does not lex: {e}\n{text}"));
    let (want, got) = (shape(tokens.clone()), shape(relexed));
    if let Some(at) = want.iter().zip(&got).position(|(a, b)| a != b).or((want.len() != got.len()).then_some(0)) {
        let around = |v: &[String]| v[at.saturating_sub(5)..(at + 5).min(v.len())].join(" ");
        panic!("layout changed the tokens at {at}:\nemitted: {}\nprinted: {}", around(&want), around(&got));
    }
}

/// Tokens as comparable strings: groups as their delimiters, spacing
/// dropped, invisible groups flattened, runs of doc attributes joined.
#[cfg(test)]
fn shape(tokens: TokenStream) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        let inner = matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
        let doc = match (&tokens[i], tokens.get(i + 1 + usize::from(inner))) {
            (TokenTree::Punct(p), Some(TokenTree::Group(g))) if p.as_char() == '#' => {
                doc_text(&Group { delimiter: g.delimiter(), tokens: Tree::lower(g.stream()) })
            }
            _ => None,
        };
        if let Some(doc) = doc {
            let key = if inner { "inner doc" } else { "doc" };
            match out.last_mut() {
                Some(last) if last.starts_with(key) && last.as_bytes().get(key.len()) == Some(&b'=') => {
                    last.push('\n');
                    last.push_str(&doc);
                }
                _ => out.push(format!("{key}={doc}")),
            }
            i += 2 + usize::from(inner);
            continue;
        }
        match &tokens[i] {
            TokenTree::Group(g) if g.delimiter() == Delimiter::None => out.extend(shape(g.stream())),
            TokenTree::Group(g) => {
                out.push(format!("{:?}(", g.delimiter()));
                out.extend(shape(g.stream()));
                out.push(")".into());
            }
            TokenTree::Punct(p) => out.push(p.as_char().to_string()),
            TokenTree::Ident(x) => out.push(x.to_string()),
            TokenTree::Literal(x) => out.push(x.to_string()),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn laid_out(tokens: TokenStream) -> String {
        let text = file(tokens.clone());
        assert_same_tokens(&tokens, &text);
        text
    }

    #[test]
    fn items_blocks_and_lists() {
        let text = laid_out(quote! {
            #![doc = " Module."]
            #[doc = " A thing."]
            #[derive(Clone)]
            pub struct Thing<'a> { pub a: ::std::vec::Vec<&'a str>, b: Option<(u8, i64)> }
            impl<'de> ::serde::Deserialize<'de> for Thing<'de> {
                fn f(&self, x: &mut u8) -> ::core::result::Result<Self, D::Error> {
                    match x { Self::A { raw, .. } => g(raw)?, _ => -1 }
                    let v = <T as ::core::default::Default>::default();
                    m!(a, b);
                    if !ok { 1 } else { 2 }
                }
            }
        });
        assert_eq!(
            text,
            "//! Module.\n\n\
             /// A thing.\n\
             #[derive(Clone)]\n\
             pub struct Thing<'a> {\n    pub a: ::std::vec::Vec<&'a str>,\n    b: Option<(u8, i64)>\n}\n\
             impl<'de> ::serde::Deserialize<'de> for Thing<'de> {\n\
             \x20   fn f(&self, x: &mut u8) -> ::core::result::Result<Self, D::Error> {\n\
             \x20       match x {\n\
             \x20           Self::A { raw, .. } => g(raw)?,\n\
             \x20           _ => -1\n\
             \x20       }\n\
             \x20       let v = <T as ::core::default::Default>::default();\n\
             \x20       m!(a, b);\n\
             \x20       if !ok {\n            1\n        } else {\n            2\n        }\n\
             \x20   }\n\
             }\n"
        );
    }

    #[test]
    fn long_lists_put_one_element_per_line() {
        let text = laid_out(quote! {
            fn f(first_argument_name: ::std::string::String, second_argument_name: ::std::string::String) -> u8 {
                call(short, list)
            }
        });
        assert!(
            text.starts_with("fn f(\n    first_argument_name: ::std::string::String,\n    second_argument_name"),
            "{text}"
        );
        assert!(text.contains("\n) -> u8 {\n    call(short, list)\n}"), "{text}");
    }

    #[test]
    fn docs_that_a_comment_cannot_hold_stay_attributes() {
        let text = laid_out(quote! {
            #[doc = "/ starts with a slash"]
            #[doc = " two\n lines \"quoted\" \\ and \u{7f}"]
            struct A;
        });
        assert!(
            text.starts_with("#[doc = \"/ starts with a slash\"]\n/// two\n/// lines \"quoted\" \\ and \u{7f}\n"),
            "{text}"
        );
    }

    /// Every file of the SDK, laid out and checked by `render` (in tests,
    /// it asserts that the text lexes back to the emitted tokens).
    #[test]
    fn every_file_of_the_sdk_keeps_its_tokens() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let spec = zstack_spec::load_dir(&dir).expect("the SDK spec loads");
        let parts = crate::parts::generate(&spec, "0.0.0").expect("the SDK generates");
        let files: usize = parts.trees.iter().map(|(_, files)| files.len()).sum();
        assert!(files > 250, "{files} files");
    }

    #[test]
    fn unescape_inverts_the_literal_writer() {
        for s in ["", "plain", "a\"b\\c", "tab\there\nnew\rline", "\0", "\u{0}7", "é ü 中", "\u{7f}\u{200b}", "'"] {
            let lit = proc_macro2::Literal::string(s).to_string();
            assert_eq!(unescape(&lit).as_deref(), Some(s), "{lit}");
        }
        assert_eq!(unescape(r###"r#"raw "x" \n"#"###).as_deref(), Some(r#"raw "x" \n"#));
        assert_eq!(unescape("1u8"), None);
    }
}
