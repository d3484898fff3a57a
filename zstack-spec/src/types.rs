//! The type vocabulary: `String`, `List<Map<String,List<Long>>>`, `VmNicInventory`.

use crate::model::TypeRef;

/// Deeper nesting is certainly a mistake; the limit keeps recursion bounded.
const MAX_DEPTH: usize = 16;

/// Built-in names, for "did you mean" hints on unresolved types.
pub(crate) const BUILTINS: [&str; 10] =
    ["String", "Boolean", "Integer", "Long", "Float", "Double", "Timestamp", "Object", "List", "Map"];

/// A type string that does not parse; `offset`/`len` (characters) locate the
/// culprit inside the string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
}

fn err<T>(offset: usize, len: usize, message: impl Into<String>) -> Result<T, TypeError> {
    Err(TypeError { offset, len, message: message.into() })
}

/// Parses a type string of the vocabulary (see docs/spec.md).
pub fn parse_type(s: &str) -> Result<TypeRef, TypeError> {
    if s.is_empty() {
        return err(0, 1, "empty type");
    }
    if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii() || c.is_whitespace()) {
        return if c.is_whitespace() {
            err(i, 1, "spaces are not allowed in a type (write `Map<String,Long>`)")
        } else {
            err(i, 1, format!("unexpected `{c}` in a type"))
        };
    }
    // From here on the string is ASCII: byte offsets are character offsets.
    let mut p = Parser { s: s.as_bytes(), pos: 0 };
    let ty = p.ty(0)?;
    match p.peek() {
        None => Ok(ty),
        Some(b'>') => err(p.pos, 1, "unmatched `>`"),
        Some(c) => err(p.pos, 1, format!("unexpected `{}` after the type", c as char)),
    }
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

/// A parsed type argument and where it started.
struct Arg {
    ty: TypeRef,
    at: usize,
    len: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ty(&mut self, depth: usize) -> Result<TypeRef, TypeError> {
        let start = self.pos;
        if depth > MAX_DEPTH {
            return err(start, 1, format!("type nested more than {MAX_DEPTH} levels deep"));
        }
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
            self.pos += 1;
        }
        let name = String::from_utf8_lossy(self.s.get(start..self.pos).unwrap_or_default()).into_owned();
        if name.is_empty() {
            return match self.peek() {
                None => err(start, 1, "expected a type name at the end"),
                Some(c) => err(start, 1, format!("expected a type name, found `{}`", c as char)),
            };
        }
        let args = if self.peek() == Some(b'<') { self.args(depth)? } else { Vec::new() };
        build(name, start, args)
    }

    /// `<T,U,...>`, with `pos` on the `<`.
    fn args(&mut self, depth: usize) -> Result<Vec<Arg>, TypeError> {
        let open = self.pos;
        self.pos += 1;
        let mut args = Vec::new();
        loop {
            let at = self.pos;
            let ty = self.ty(depth + 1)?;
            args.push(Arg { ty, at, len: self.pos - at });
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'>') => {
                    self.pos += 1;
                    return Ok(args);
                }
                None => return err(open, 1, "unclosed `<`"),
                Some(c) => return err(self.pos, 1, format!("expected `,` or `>`, found `{}`", c as char)),
            }
        }
    }
}

fn build(name: String, at: usize, args: Vec<Arg>) -> Result<TypeRef, TypeError> {
    let n = name.len();
    let scalar = match name.as_str() {
        "String" => Some(TypeRef::String),
        "Boolean" => Some(TypeRef::Boolean),
        "Integer" => Some(TypeRef::Integer),
        "Long" => Some(TypeRef::Long),
        "Float" => Some(TypeRef::Float),
        "Double" => Some(TypeRef::Double),
        "Timestamp" => Some(TypeRef::Timestamp),
        "Object" => Some(TypeRef::Object),
        _ => None,
    };
    match (name.as_str(), args.len()) {
        ("List", 1) => Ok(TypeRef::List(Box::new(first(args)))),
        ("List", k) => err(at, n, format!("`List` takes 1 type argument (`List<T>`), found {k}")),
        ("Map", 2) => map(args),
        ("Map", k) => err(at, n, format!("`Map` takes 2 type arguments (`Map<String,V>`), found {k}")),
        (_, 0) => Ok(scalar.unwrap_or(TypeRef::Named(name))),
        _ => err(at, n, format!("`{name}` takes no type arguments")),
    }
}

fn first(args: Vec<Arg>) -> TypeRef {
    args.into_iter().next().map_or(TypeRef::Object, |a| a.ty)
}

/// Map keys are strings on the wire, so the key type must say so.
fn map(args: Vec<Arg>) -> Result<TypeRef, TypeError> {
    let mut it = args.into_iter();
    let (Some(key), Some(value)) = (it.next(), it.next()) else {
        return err(0, 1, "`Map` takes 2 type arguments");
    };
    if key.ty != TypeRef::String {
        return err(key.at, key.len, format!("map keys must be `String`, found `{}`", key.ty));
    }
    Ok(TypeRef::Map(Box::new(key.ty), Box::new(value.ty)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> TypeRef {
        parse_type(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    fn bad(s: &str) -> (usize, String) {
        let e = parse_type(s).expect_err(s);
        (e.offset, e.message)
    }

    #[test]
    fn parses_scalars_and_names() {
        assert_eq!(ok("String"), TypeRef::String);
        assert_eq!(ok("Timestamp"), TypeRef::Timestamp);
        assert_eq!(ok("Object"), TypeRef::Object);
        assert_eq!(ok("VmNicInventory"), TypeRef::Named("VmNicInventory".into()));
    }

    #[test]
    fn parses_nested_generics_and_round_trips() {
        for s in ["List<String>", "Map<String,List<String>>", "List<Map<String,List<Long>>>", "Map<String,Object>"] {
            assert_eq!(ok(s).to_string(), s);
        }
        let t = ok("List<Map<String,VmNicInventory>>");
        assert_eq!(t.named(), vec!["VmNicInventory"]);
    }

    #[test]
    fn unbalanced_brackets() {
        assert_eq!(bad("List<Map<String,List<Long>>"), (4, "unclosed `<`".into()));
        assert_eq!(bad("List<String>>"), (12, "unmatched `>`".into()));
        assert_eq!(bad("List<String"), (4, "unclosed `<`".into()));
        assert_eq!(bad(">"), (0, "expected a type name, found `>`".into()));
    }

    #[test]
    fn spaces_and_empty_names() {
        assert_eq!(bad("Map<String, Long>").0, 11);
        assert!(bad(" String").1.contains("spaces"));
        assert_eq!(bad(""), (0, "empty type".into()));
        assert_eq!(bad("List<>"), (5, "expected a type name, found `>`".into()));
        assert_eq!(bad("Map<String,>").0, 11);
        assert_eq!(bad("List<"), (5, "expected a type name at the end".into()));
        assert_eq!(bad("Strïng").0, 3);
        assert_eq!(bad("List<String>;").1, "unexpected `;` after the type");
        assert_eq!(bad("List<String;Long>").1, "expected `,` or `>`, found `;`");
    }

    #[test]
    fn wrong_arity() {
        assert_eq!(bad("List").1, "`List` takes 1 type argument (`List<T>`), found 0");
        assert_eq!(bad("List<String,Long>").1, "`List` takes 1 type argument (`List<T>`), found 2");
        assert_eq!(bad("Map<String>").1, "`Map` takes 2 type arguments (`Map<String,V>`), found 1");
        assert_eq!(bad("String<Long>").1, "`String` takes no type arguments");
        assert_eq!(bad("List<Foo<Bar>>"), (5, "`Foo` takes no type arguments".into()));
        assert_eq!(bad("Map<Long,String>"), (4, "map keys must be `String`, found `Long`".into()));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}String{}", "List<".repeat(5000), ">".repeat(5000));
        assert!(bad(&deep).1.contains("nested"));
    }
}
