//! Parsing: `#[api(...)]` on the struct and its fields into an [`Api`] model.
//!
//! Only the shape of each key is checked here (unknown or repeated keys, value
//! types, bounds that contradict each other). Rules that relate several keys
//! (method vs. envelope, placeholders vs. fields) live in `validate.rs`.

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Attribute, Data, DeriveInput, Error, Fields, Ident, LitBool, LitInt, LitStr, Result, Token, Type};

const CONTAINER_KEYS: &[&str] = &[
    "method",
    "path",
    "envelope",
    "response",
    "async",
    "session",
    "action",
    "polymorphic",
    "sensitive",
    "since",
    "crate",
];
const FIELD_KEYS: &[&str] = &[
    "rename",
    "flatten",
    "required",
    "one_of",
    "min_length",
    "max_length",
    "range",
    "non_empty",
    "non_empty_string",
    "regex",
    "since",
];

/// HTTP method of the route.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    const ALL: [Method; 4] = [Method::Get, Method::Post, Method::Put, Method::Delete];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Variant name of `zstack_sdk::Method`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Method::Get => "Get",
            Method::Post => "Post",
            Method::Put => "Put",
            Method::Delete => "Delete",
        }
    }

    /// POST and PUT send a JSON body; GET and DELETE only a query string.
    pub(crate) fn has_body(self) -> bool {
        matches!(self, Method::Post | Method::Put)
    }
}

/// The derive input: route attributes plus one entry per field.
pub(crate) struct Api<'a> {
    pub ident: &'a Ident,
    pub action: String,
    pub method: Method,
    /// The `method` string, for errors about it.
    pub method_lit: LitStr,
    pub path: LitStr,
    /// `envelope = "..."`: the key (for errors) and the value.
    pub envelope: Option<(Ident, LitStr)>,
    pub response: Option<Type>,
    pub is_async: bool,
    pub session: bool,
    /// The response holds `schema`-resolved polymorphic values.
    pub polymorphic: bool,
    /// The response holds a credential: errors never quote its body.
    pub sensitive: bool,
    /// `since = "4.10.16"`: the ZStack release that introduced the API.
    pub since: Option<LitStr>,
    /// `crate = "::zstack_runtime"`: where the runtime is, for request types
    /// written inside the runtime's own crates (default `::zstack_sdk::runtime`).
    pub krate: Option<syn::Path>,
    pub fields: Vec<Field<'a>>,
}

impl Api<'_> {
    /// The path every generated item is named through.
    pub(crate) fn runtime(&self) -> proc_macro2::TokenStream {
        match &self.krate {
            Some(path) => quote::quote!(#path),
            None => quote::quote!(::zstack_sdk::runtime),
        }
    }
}

pub(crate) struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    /// Wire name: `rename`, else the field name without `r#`.
    pub wire: String,
    pub rename: Option<LitStr>,
    /// Span of the `flatten` key when present.
    pub flatten: Option<Span>,
    /// `required`: sent even when empty (a body member), or refused when
    /// empty (a query string cannot carry an empty list).
    pub required: bool,
    /// `since = "5.3.20"`: the ZStack release that introduced the param.
    pub since: Option<LitStr>,
    pub constraints: Vec<Constraint>,
}

impl Field<'_> {
    /// Where to point errors about the wire name.
    pub(crate) fn wire_span(&self) -> Span {
        self.rename.as_ref().map_or_else(|| self.ident.span(), LitStr::span)
    }
}

/// One validation rule, in attribute order.
pub(crate) struct Constraint {
    /// The key that introduced it, for errors.
    pub span: Span,
    pub check: Check,
}

pub(crate) enum Check {
    OneOf(Vec<LitStr>),
    /// `min_length` and `max_length` of one field share one check.
    Length {
        min: Option<usize>,
        max: Option<usize>,
    },
    Range(i64, i64),
    NonEmpty,
    NonEmptyString,
    Regex(LitStr),
}

pub(crate) fn parse(input: &DeriveInput) -> Result<Api<'_>> {
    if !input.generics.params.is_empty() {
        return Err(Error::new_spanned(&input.generics, "#[derive(Api)] does not support generic parameters"));
    }
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => named.named.iter().collect(),
            Fields::Unit => Vec::new(),
            Fields::Unnamed(unnamed) => {
                return Err(Error::new_spanned(
                    unnamed,
                    "#[derive(Api)] needs named fields (their names are the params)",
                ));
            }
        },
        _ => return Err(Error::new_spanned(&input.ident, "#[derive(Api)] only supports structs with named fields")),
    };

    let mut errors = Errors::default();
    let container = errors.take(parse_container(input));
    let fields: Vec<Field> = fields.into_iter().filter_map(|f| errors.take(parse_field(f))).collect();
    errors.finish()?;
    let container = container.expect("errors reported above");
    Ok(Api { fields, ..container })
}

/// Container attributes; `fields` is filled in by [`parse`].
fn parse_container(input: &DeriveInput) -> Result<Api<'_>> {
    let mut method: Option<(Method, LitStr)> = None;
    let mut path: Option<LitStr> = None;
    let mut envelope = None;
    let mut response = None;
    let mut is_async = false;
    let mut session = true;
    let mut polymorphic = false;
    let mut sensitive = false;
    let mut since = None;
    let mut krate = None;
    let mut action: Option<LitStr> = None;

    let mut seen = Vec::new();
    let mut errors = Errors::default();
    for attr in api_attrs(&input.attrs) {
        errors.push(attr.parse_nested_meta(|meta| {
            let key = key(&meta, &mut seen, (CONTAINER_KEYS, "the struct"), (FIELD_KEYS, "field"))?;
            match key.to_string().as_str() {
                "method" => {
                    let lit: LitStr = meta.value()?.parse()?;
                    method = Some((parse_method(&lit)?, lit));
                }
                "path" => path = Some(meta.value()?.parse()?),
                "envelope" => envelope = Some((key, meta.value()?.parse()?)),
                "response" => response = Some(meta.value()?.parse()?),
                "async" => is_async = flag(&meta)?,
                "session" => session = meta.value()?.parse::<LitBool>()?.value,
                "action" => action = Some(meta.value()?.parse()?),
                "polymorphic" => polymorphic = flag(&meta)?,
                "sensitive" => sensitive = flag(&meta)?,
                "since" => since = Some(version(&meta)?),
                "crate" => {
                    let lit: LitStr = meta.value()?.parse()?;
                    krate =
                        Some(lit.parse::<syn::Path>().map_err(|e| {
                            Error::new(lit.span(), format!("`crate` must be a path to the runtime: {e}"))
                        })?);
                }
                _ => unreachable!("key() only returns known keys"),
            }
            Ok(())
        }));
    }
    errors.finish()?;

    let missing = |what: &str| {
        Error::new(input.ident.span(), format!("#[derive(Api)] needs `#[api({what} = \"...\")]` on the struct"))
    };
    let (method, method_lit) = method.ok_or_else(|| missing("method"))?;
    let path = path.ok_or_else(|| missing("path"))?;
    Ok(Api {
        ident: &input.ident,
        action: action.map_or_else(|| input.ident.unraw().to_string(), |a| a.value()),
        method,
        method_lit,
        path,
        envelope,
        response,
        is_async,
        session,
        polymorphic,
        sensitive,
        since,
        krate,
        fields: Vec::new(),
    })
}

fn parse_method(lit: &LitStr) -> Result<Method> {
    let value = lit.value();
    if let Some(m) = Method::ALL.into_iter().find(|m| m.as_str() == value) {
        return Ok(m);
    }
    let hint = Method::ALL
        .into_iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(&value))
        .map_or_else(String::new, |m| format!("; did you mean \"{}\"?", m.as_str()));
    Err(Error::new(
        lit.span(),
        format!("unknown method {value:?}: expected \"GET\", \"POST\", \"PUT\" or \"DELETE\"{hint}"),
    ))
}

fn parse_field(field: &syn::Field) -> Result<Field<'_>> {
    let ident = field.ident.as_ref().expect("named field");
    let mut rename: Option<LitStr> = None;
    let mut flatten = None;
    let mut required = false;
    let mut since = None;
    let mut constraints: Vec<Constraint> = Vec::new();

    let mut seen = Vec::new();
    let mut errors = Errors::default();
    for attr in api_attrs(&field.attrs) {
        errors.push(attr.parse_nested_meta(|meta| {
            let key = key(&meta, &mut seen, (FIELD_KEYS, "a field"), (CONTAINER_KEYS, "struct"))?;
            let span = key.span();
            let check = match key.to_string().as_str() {
                "rename" => {
                    let lit: LitStr = meta.value()?.parse()?;
                    if lit.value().is_empty() {
                        return Err(Error::new(lit.span(), "a wire name cannot be empty"));
                    }
                    rename = Some(lit);
                    return Ok(());
                }
                "flatten" => {
                    flag(&meta)?;
                    flatten = Some(span);
                    return Ok(());
                }
                "required" => {
                    required = flag(&meta)?;
                    return Ok(());
                }
                "since" => {
                    since = Some(version(&meta)?);
                    return Ok(());
                }
                "one_of" => {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let values = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
                    if values.is_empty() {
                        return Err(Error::new(span, "`one_of` needs at least one allowed value"));
                    }
                    Check::OneOf(values.into_iter().collect())
                }
                "min_length" => return set_length(&mut constraints, span, Some(usize_value(&meta)?), None),
                "max_length" => return set_length(&mut constraints, span, None, Some(usize_value(&meta)?)),
                "range" => {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let lo = i64_literal(&content)?;
                    content.parse::<Token![,]>()?;
                    let hi = i64_literal(&content)?;
                    content.parse::<Option<Token![,]>>()?;
                    if !content.is_empty() {
                        return Err(content.error("expected `range(LO, HI)`"));
                    }
                    if lo > hi {
                        return Err(Error::new(span, format!("empty range: {lo} is greater than {hi}")));
                    }
                    Check::Range(lo, hi)
                }
                "non_empty" => {
                    flag(&meta)?;
                    Check::NonEmpty
                }
                "non_empty_string" => {
                    flag(&meta)?;
                    Check::NonEmptyString
                }
                "regex" => Check::Regex(meta.value()?.parse()?),
                _ => unreachable!("key() only returns known keys"),
            };
            constraints.push(Constraint { span, check });
            Ok(())
        }));
    }
    errors.finish()?;

    let wire = rename.as_ref().map_or_else(|| ident.unraw().to_string(), LitStr::value);
    Ok(Field { ident, ty: &field.ty, wire, rename, flatten, required, since, constraints })
}

fn api_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("api"))
}

/// The key of one nested meta item, if it is known here and not repeated.
/// `here` is (keys, "where"), `other` is (keys, "kind") of the other position.
fn key(meta: &ParseNestedMeta, seen: &mut Vec<String>, here: (&[&str], &str), other: (&[&str], &str)) -> Result<Ident> {
    let ((known, place), (other, other_kind)) = (here, other);
    let Some(ident) = meta.path.get_ident() else {
        return Err(meta.error("expected a key such as `method = \"...\"`"));
    };
    let name = ident.to_string();
    if !known.contains(&name.as_str()) {
        let msg = if other.contains(&name.as_str()) {
            format!("`{name}` is a {other_kind} key; it cannot be used on {place}")
        } else if let Some(hint) = did_you_mean(&name, known.iter().copied()) {
            format!("unknown key `{name}` on {place}; did you mean `{hint}`?")
        } else {
            format!("unknown key `{name}` on {place}; expected one of: {}", known.join(", "))
        };
        return Err(Error::new(ident.span(), msg));
    }
    if seen.contains(&name) {
        return Err(Error::new(ident.span(), format!("duplicate key `{name}`")));
    }
    seen.push(name);
    Ok(ident.clone())
}

/// A bare key (`async`, `flatten`, `non_empty`): rejects `key = ..` and `key(..)`.
/// `since = "4.10.16"`: numbers separated by dots.
fn version(meta: &ParseNestedMeta) -> Result<LitStr> {
    let lit: LitStr = meta.value()?.parse()?;
    let value = lit.value();
    let ok = !value.is_empty() && value.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return Err(Error::new(lit.span(), format!("`since` must be a version such as \"4.10.16\", not {value:?}")));
    }
    Ok(lit)
}

fn flag(meta: &ParseNestedMeta) -> Result<bool> {
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        Ok(true)
    } else {
        Err(meta.error(format!("`{}` is a flag and takes no value", meta.path.get_ident().expect("checked by key()"))))
    }
}

fn usize_value(meta: &ParseNestedMeta) -> Result<usize> {
    meta.value()?.parse::<LitInt>()?.base10_parse()
}

/// An integer literal, optionally negative (`-5` arrives as `-` then `5`, or as one literal).
fn i64_literal(input: ParseStream) -> Result<i64> {
    let minus: Option<Token![-]> = input.parse()?;
    let lit: LitInt = input.parse()?;
    let value: i128 = lit.base10_parse()?;
    let value = if minus.is_some() { -value } else { value };
    i64::try_from(value).map_err(|_| Error::new(lit.span(), "bound does not fit in an i64"))
}

/// `min_length` / `max_length`: merged into the field's one `Length` check.
fn set_length(constraints: &mut Vec<Constraint>, span: Span, min: Option<usize>, max: Option<usize>) -> Result<()> {
    let existing = constraints.iter_mut().find_map(|c| match &mut c.check {
        Check::Length { min, max } => Some((min, max)),
        _ => None,
    });
    let (lo, hi) = match existing {
        Some((old_min, old_max)) => {
            *old_min = min.or(*old_min);
            *old_max = max.or(*old_max);
            (*old_min, *old_max)
        }
        None => {
            constraints.push(Constraint { span, check: Check::Length { min, max } });
            (min, max)
        }
    };
    match (lo, hi) {
        (Some(lo), Some(hi)) if lo > hi => {
            Err(Error::new(span, format!("`min_length` ({lo}) is greater than `max_length` ({hi})")))
        }
        _ => Ok(()),
    }
}

/// Collects every error instead of stopping at the first.
#[derive(Default)]
pub(crate) struct Errors(Option<Error>);

impl Errors {
    pub(crate) fn push(&mut self, result: Result<()>) {
        self.take(result);
    }

    pub(crate) fn take<T>(&mut self, result: Result<T>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                match &mut self.0 {
                    Some(all) => all.combine(e),
                    None => self.0 = Some(e),
                }
                None
            }
        }
    }

    pub(crate) fn finish(self) -> Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// The closest candidate within a small edit distance, for "did you mean" hints.
pub(crate) fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = name.chars().count().div_ceil(3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars (insert, delete, substitute).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == cb { diagonal } else { 1 + diagonal.min(above).min(row[j]) };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("method", "method"), 0);
        assert_eq!(edit_distance("methd", "method"), 1);
        assert_eq!(edit_distance("asnyc", "async"), 2);
        assert_eq!(edit_distance("", "path"), 4);
    }

    #[test]
    fn hints_only_close_keys() {
        assert_eq!(did_you_mean("methd", CONTAINER_KEYS.iter().copied()), Some("method"));
        assert_eq!(did_you_mean("respones", CONTAINER_KEYS.iter().copied()), Some("response"));
        assert_eq!(did_you_mean("renam", FIELD_KEYS.iter().copied()), Some("rename"));
        assert_eq!(did_you_mean("max_len", FIELD_KEYS.iter().copied()), Some("max_length"));
        assert_eq!(did_you_mean("nonempty", FIELD_KEYS.iter().copied()), Some("non_empty"));
        assert_eq!(did_you_mean("zzz", CONTAINER_KEYS.iter().copied()), None);
    }
}
