//! Query APIs (protocol §8): conditions, paging, counting, sorting and field
//! selection, encoded as `q=`, `limit=`, `start=`, `count=`, `replyWithCount=`,
//! `sort=`, `fields=`. Values the MN would mis-parse are rejected before
//! sending, because the MN has no escaping.

use std::marker::PhantomData;

use crate::plumbing::wire::QueryPairs;
use crate::request::{ApiRequest, InvalidRequest};
use crate::timestamp::Timestamp;

/// A condition operator. The MN scans for tokens in a fixed order, so a value
/// containing `=`, `<` or `>` would be split wrongly; see [`Condition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Equal: `field=value`.
    Eq,
    /// Not equal: `field!=value`.
    NotEq,
    /// Greater than: `field>value`.
    Gt,
    /// Greater than or equal: `field>=value`.
    Ge,
    /// Less than: `field<value`.
    Lt,
    /// Less than or equal: `field<=value`.
    Le,
    /// `?=`: in a comma-separated list.
    In,
    /// `!?=`: not in a comma-separated list.
    NotIn,
    /// `~=`: SQL `LIKE` with `%` and `_` wildcards.
    Like,
    /// `!~=`
    NotLike,
    /// `is null` (no value).
    IsNull,
    /// `not null` (no value).
    NotNull,
}

impl Op {
    /// The token as written between field and value.
    pub const fn token(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::NotEq => "!=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::In => "?=",
            Op::NotIn => "!?=",
            Op::Like => "~=",
            Op::NotLike => "!~=",
            Op::IsNull => " is null",
            Op::NotNull => " not null",
        }
    }
}

/// A value usable in a condition.
pub trait ConditionValue {
    /// The value as the MN reads it in a condition.
    fn to_condition_value(&self) -> String;
}

macro_rules! display_condition_value {
    ($($t:ty),*) => {$(
        impl ConditionValue for $t {
            fn to_condition_value(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
display_condition_value!(&str, String, bool, i32, i64, u32, u64, f64);

impl ConditionValue for Timestamp {
    /// Timestamps compare as SQL literals (`yyyy-MM-dd HH:mm:ss`).
    fn to_condition_value(&self) -> String {
        self.to_sql_string()
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Operand {
    None,
    One(String),
    List(Vec<String>),
}

/// One `q=` condition: field, operator, value.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    field: String,
    op: Op,
    operand: Operand,
}

impl Condition {
    fn one(field: impl Into<String>, op: Op, value: impl ConditionValue) -> Self {
        Condition { field: field.into(), op, operand: Operand::One(value.to_condition_value()) }
    }

    /// `field=value`.
    pub fn eq(field: impl Into<String>, value: impl ConditionValue) -> Self {
        Self::one(field, Op::Eq, value)
    }
    /// `field!=value`.
    pub fn not_eq(field: impl Into<String>, value: impl ConditionValue) -> Self {
        Self::one(field, Op::NotEq, value)
    }
    /// `field>value`.
    pub fn gt(field: impl Into<String>, value: impl ConditionValue) -> Self {
        Self::one(field, Op::Gt, value)
    }
    /// `field>=value`.
    pub fn ge(field: impl Into<String>, value: impl ConditionValue) -> Self {
        Self::one(field, Op::Ge, value)
    }
    /// `field<value`.
    pub fn lt(field: impl Into<String>, value: impl ConditionValue) -> Self {
        Self::one(field, Op::Lt, value)
    }
    /// `field<=value`.
    pub fn le(field: impl Into<String>, value: impl ConditionValue) -> Self {
        Self::one(field, Op::Le, value)
    }
    /// `field~=pattern` (SQL `LIKE`: `%` any run, `_` one character).
    pub fn like(field: impl Into<String>, pattern: impl ConditionValue) -> Self {
        Self::one(field, Op::Like, pattern)
    }
    /// `field!~=pattern` (SQL `NOT LIKE`).
    pub fn not_like(field: impl Into<String>, pattern: impl ConditionValue) -> Self {
        Self::one(field, Op::NotLike, pattern)
    }
    /// `field?=a,b`: one of the values.
    pub fn is_in<V: ConditionValue>(field: impl Into<String>, values: impl IntoIterator<Item = V>) -> Self {
        let list = values.into_iter().map(|v| v.to_condition_value()).collect();
        Condition { field: field.into(), op: Op::In, operand: Operand::List(list) }
    }
    /// `field!?=a,b`: none of the values.
    pub fn not_in<V: ConditionValue>(field: impl Into<String>, values: impl IntoIterator<Item = V>) -> Self {
        let list = values.into_iter().map(|v| v.to_condition_value()).collect();
        Condition { field: field.into(), op: Op::NotIn, operand: Operand::List(list) }
    }
    /// `field is null`.
    pub fn is_null(field: impl Into<String>) -> Self {
        Condition { field: field.into(), op: Op::IsNull, operand: Operand::None }
    }
    /// `field not null`.
    pub fn not_null(field: impl Into<String>) -> Self {
        Condition { field: field.into(), op: Op::NotNull, operand: Operand::None }
    }

    /// The field name, as sent.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The operator.
    pub fn op(&self) -> Op {
        self.op
    }

    /// Refuse what the MN would split at the wrong place (protocol §8 RULE).
    pub fn check(&self) -> Result<(), String> {
        check_field(&self.field)?;
        let values: &[String] = match &self.operand {
            Operand::None => &[],
            Operand::One(v) => std::slice::from_ref(v),
            Operand::List(list) if list.is_empty() => return Err(format!("`{}` has an empty in-list", self.field)),
            Operand::List(list) => list,
        };
        for value in values {
            if let Some(c) = value.chars().find(|c| matches!(c, '=' | '<' | '>')) {
                return Err(format!(
                    "value {value:?} of `{}` contains `{c}`, which the MN would read as an operator",
                    self.field
                ));
            }
            if matches!(self.operand, Operand::List(_)) && value.contains(',') {
                return Err(format!("in-list element {value:?} of `{}` contains a comma", self.field));
            }
        }
        Ok(())
    }

    /// The condition as sent in `q=` (unencoded).
    pub fn to_wire(&self) -> String {
        let value = match &self.operand {
            Operand::None => String::new(),
            Operand::One(v) => v.clone(),
            Operand::List(list) => list.join(","),
        };
        format!("{}{}{}", self.field, self.op.token(), value)
    }
}

/// Field paths are dotted identifiers (`vmNics.ip`, `__systemTag__`).
fn check_field(field: &str) -> Result<(), String> {
    let segment_ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if field.split('.').all(segment_ok) {
        Ok(())
    } else {
        Err(format!("field {field:?} is not a dotted identifier (letters, digits, `_`)"))
    }
}

/// A queryable field of inventory `T` (generated as constants such as
/// `BackupStorageInventory::UUID`). Conditions built from it can only be
/// added to queries over `T`; a plain [`Condition`] with a string field name
/// is the escape hatch (joined fields like `vmNics.ip`, tags, new fields).
pub struct Field<T> {
    name: &'static str,
    inventory: PhantomData<fn() -> T>,
}

impl<T> Field<T> {
    /// The field with wire name `name` (generated constants use this).
    pub const fn new(name: &'static str) -> Self {
        Field { name, inventory: PhantomData }
    }

    /// The wire name (`createDate`).
    pub const fn name(&self) -> &'static str {
        self.name
    }

    fn typed(self, condition: Condition) -> FieldCondition<T> {
        FieldCondition { condition, inventory: PhantomData }
    }

    /// `field=value`.
    pub fn eq(self, value: impl ConditionValue) -> FieldCondition<T> {
        self.typed(Condition::eq(self.name, value))
    }
    /// `field!=value`.
    pub fn not_eq(self, value: impl ConditionValue) -> FieldCondition<T> {
        self.typed(Condition::not_eq(self.name, value))
    }
    /// `field>value`.
    pub fn gt(self, value: impl ConditionValue) -> FieldCondition<T> {
        self.typed(Condition::gt(self.name, value))
    }
    /// `field>=value`.
    pub fn ge(self, value: impl ConditionValue) -> FieldCondition<T> {
        self.typed(Condition::ge(self.name, value))
    }
    /// `field<value`.
    pub fn lt(self, value: impl ConditionValue) -> FieldCondition<T> {
        self.typed(Condition::lt(self.name, value))
    }
    /// `field<=value`.
    pub fn le(self, value: impl ConditionValue) -> FieldCondition<T> {
        self.typed(Condition::le(self.name, value))
    }
    /// `field~=pattern` (SQL `LIKE`).
    pub fn like(self, pattern: impl ConditionValue) -> FieldCondition<T> {
        self.typed(Condition::like(self.name, pattern))
    }
    /// `field!~=pattern` (SQL `NOT LIKE`).
    pub fn not_like(self, pattern: impl ConditionValue) -> FieldCondition<T> {
        self.typed(Condition::not_like(self.name, pattern))
    }
    /// `field?=a,b`: one of the values.
    pub fn is_in<V: ConditionValue>(self, values: impl IntoIterator<Item = V>) -> FieldCondition<T> {
        self.typed(Condition::is_in(self.name, values))
    }
    /// `field!?=a,b`: none of the values.
    pub fn not_in<V: ConditionValue>(self, values: impl IntoIterator<Item = V>) -> FieldCondition<T> {
        self.typed(Condition::not_in(self.name, values))
    }
    /// `field is null`.
    pub fn is_null(self) -> FieldCondition<T> {
        self.typed(Condition::is_null(self.name))
    }
    /// `field not null`.
    pub fn not_null(self) -> FieldCondition<T> {
        self.typed(Condition::not_null(self.name))
    }
}

impl<T> Clone for Field<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Field<T> {}

impl<T> std::fmt::Debug for Field<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Field({})", self.name)
    }
}

impl<T> From<Field<T>> for String {
    fn from(field: Field<T>) -> String {
        field.name.to_string()
    }
}

/// A condition on a field of inventory `T`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldCondition<T> {
    condition: Condition,
    inventory: PhantomData<fn() -> T>,
}

/// What a query over inventory `T` accepts as a condition: a typed
/// [`FieldCondition<T>`], or any untyped [`Condition`].
pub trait IntoCondition<T> {
    /// The untyped condition.
    fn into_condition(self) -> Condition;
}

impl<T> IntoCondition<T> for Condition {
    fn into_condition(self) -> Condition {
        self
    }
}

impl<T> IntoCondition<T> for FieldCondition<T> {
    fn into_condition(self) -> Condition {
        self.condition
    }
}

/// Sort direction for `sort=+field` / `sort=-field`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortDirection {
    /// Ascending: `sort=+field`.
    Asc,
    /// Descending: `sort=-field`.
    Desc,
}

/// An untyped sort order (`sort=+field`, `sort=-field`, or `sort=field` for
/// the MN's default direction): the escape hatch for fields without a
/// [`Field`] constant. Typed sorts are `Inventory::FIELD` (default
/// direction), `Inventory::FIELD.asc()` and `Inventory::FIELD.desc()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sort {
    /// The wire field name.
    pub field: String,
    /// `None`: no sign, the MN's default direction.
    pub direction: Option<SortDirection>,
}

impl Sort {
    /// `sort=+field`.
    pub fn asc(field: impl Into<String>) -> Self {
        Sort { field: field.into(), direction: Some(SortDirection::Asc) }
    }

    /// `sort=-field`.
    pub fn desc(field: impl Into<String>) -> Self {
        Sort { field: field.into(), direction: Some(SortDirection::Desc) }
    }

    /// `sort=field`: the MN's default direction.
    pub fn by(field: impl Into<String>) -> Self {
        Sort { field: field.into(), direction: None }
    }

    fn to_wire(&self) -> String {
        match self.direction {
            Some(SortDirection::Asc) => format!("+{}", self.field),
            Some(SortDirection::Desc) => format!("-{}", self.field),
            None => self.field.clone(),
        }
    }
}

/// A sort order over inventory `T`, from [`Field::asc`] or [`Field::desc`].
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSort<T> {
    sort: Sort,
    inventory: PhantomData<fn() -> T>,
}

/// What a query over inventory `T` accepts as its sort order: a typed
/// [`Field<T>`] (default direction) or [`FieldSort<T>`], or any untyped [`Sort`].
pub trait IntoSort<T> {
    /// The sort order.
    fn into_sort(self) -> Sort;
}

impl<T> IntoSort<T> for Sort {
    fn into_sort(self) -> Sort {
        self
    }
}

impl<T> IntoSort<T> for Field<T> {
    fn into_sort(self) -> Sort {
        Sort::by(self.name)
    }
}

impl<T> IntoSort<T> for FieldSort<T> {
    fn into_sort(self) -> Sort {
        self.sort
    }
}

impl<T> Field<T> {
    /// Sort ascending by this field: `sort=+field`.
    pub fn asc(self) -> FieldSort<T> {
        FieldSort { sort: Sort::asc(self.name), inventory: PhantomData }
    }

    /// Sort descending by this field: `sort=-field`.
    pub fn desc(self) -> FieldSort<T> {
        FieldSort { sort: Sort::desc(self.name), inventory: PhantomData }
    }
}

/// Everything a Query API sends besides its path.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct QueryParams {
    /// Conditions, joined with AND (`q=`, repeated).
    pub conditions: Vec<Condition>,
    /// Page size; the MN defaults to 1000 when absent.
    pub limit: Option<u32>,
    /// The first row (`start=`).
    pub start: Option<u32>,
    /// Only count: the reply carries `total` and no inventories.
    pub count: bool,
    /// Add `total` to a normal page.
    pub reply_with_count: bool,
    /// The sort order (`sort=`).
    pub sort: Option<Sort>,
    /// Only these fields of each inventory.
    pub fields: Vec<String>,
    /// A named server-side filter (`filterName=`).
    pub filter_name: Option<String>,
    /// `groupBy=`: accepted but ignored by current MNs.
    pub group_by: Option<String>,
}

impl QueryPairs for QueryParams {
    fn validate(&self, api: &'static str) -> Result<(), InvalidRequest> {
        for c in &self.conditions {
            c.check().map_err(|reason| InvalidRequest::new(api, "q", reason))?;
        }
        if let Some(sort) = &self.sort {
            check_field(&sort.field).map_err(|reason| InvalidRequest::new(api, "sort", reason))?;
        }
        if let Some(field) = &self.group_by {
            check_field(field).map_err(|reason| InvalidRequest::new(api, "groupBy", reason))?;
        }
        for f in &self.fields {
            check_field(f).map_err(|reason| InvalidRequest::new(api, "fields", reason))?;
        }
        Ok(())
    }

    fn push_pairs(&self, api: &'static str, out: &mut Vec<(String, String)>) -> Result<(), InvalidRequest> {
        self.validate(api)?;
        let mut push = |k: &str, v: String| out.push((k.to_string(), v));
        for c in &self.conditions {
            push("q", c.to_wire());
        }
        if let Some(n) = self.limit {
            push("limit", n.to_string());
        }
        if let Some(n) = self.start {
            push("start", n.to_string());
        }
        if self.count {
            push("count", "true".into());
        }
        if self.reply_with_count {
            push("replyWithCount", "true".into());
        }
        if let Some(sort) = &self.sort {
            push("sort", sort.to_wire());
        }
        if !self.fields.is_empty() {
            // One comma-joined param: a repeated `fields` keeps only the first.
            push("fields", self.fields.join(","));
        }
        if let Some(name) = &self.filter_name {
            push("filterName", name.clone());
        }
        if let Some(g) = &self.group_by {
            push("groupBy", g.clone());
        }
        Ok(())
    }
}

/// Builder methods shared by every generated Query API request.
pub trait QueryRequest: ApiRequest + Sized {
    /// The inventory type each result row decodes into.
    type Inventory;
    /// The declared inventory struct, whose [`Field`] constants name the
    /// queryable fields (the base type when rows are polymorphic).
    type Target;

    /// The query params.
    fn params(&self) -> &QueryParams;
    /// The query params, to change them.
    fn params_mut(&mut self) -> &mut QueryParams;

    /// Add a condition (conditions are joined with AND): typed
    /// (`BackupStorageInventory::NAME.like("ceph%")`) or a plain [`Condition`].
    fn filter(mut self, condition: impl IntoCondition<Self::Target>) -> Self {
        self.params_mut().conditions.push(condition.into_condition());
        self
    }
    /// Rows to return (`limit=`; the MN's default is 1000).
    fn limit(mut self, limit: u32) -> Self {
        self.params_mut().limit = Some(limit);
        self
    }
    /// The first row (`start=`).
    fn start(mut self, start: u32) -> Self {
        self.params_mut().start = Some(start);
        self
    }
    /// Ask only for the number of matches.
    fn count_only(mut self) -> Self {
        self.params_mut().count = true;
        self
    }
    /// Add `total` to the page (`replyWithCount=true`).
    fn reply_with_count(mut self) -> Self {
        self.params_mut().reply_with_count = true;
        self
    }
    /// The sort order: `Inventory::FIELD.desc()`, `Inventory::FIELD.asc()`,
    /// `Inventory::FIELD` (the MN's default direction) or an untyped [`Sort`].
    fn sort_by(mut self, sort: impl IntoSort<Self::Target>) -> Self {
        self.params_mut().sort = Some(sort.into_sort());
        self
    }
    /// `groupBy=field` (accepted but ignored by current MNs).
    fn group_by(mut self, field: impl Into<String>) -> Self {
        self.params_mut().group_by = Some(field.into());
        self
    }
    /// Only these fields of each row (`fields=a,b`); typed `Field` constants convert.
    fn select_fields(mut self, fields: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.params_mut().fields = fields.into_iter().map(Into::into).collect();
        self
    }
    /// A named server-side filter (`filterName=`).
    fn filter_name(mut self, name: impl Into<String>) -> Self {
        self.params_mut().filter_name = Some(name.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &QueryParams) -> Result<Vec<(String, String)>, InvalidRequest> {
        let mut out = Vec::new();
        p.push_pairs("QueryX", &mut out).map(|_| out)
    }

    #[test]
    fn every_operator_has_its_token() {
        let cases = [
            (Condition::eq("name", "web"), "name=web"),
            (Condition::not_eq("state", "Running"), "state!=Running"),
            (Condition::gt("cpuNum", 2), "cpuNum>2"),
            (Condition::ge("cpuNum", 2), "cpuNum>=2"),
            (Condition::lt("memorySize", 1024i64), "memorySize<1024"),
            (Condition::le("memorySize", 1024i64), "memorySize<=1024"),
            (Condition::is_in("uuid", ["a", "b"]), "uuid?=a,b"),
            (Condition::not_in("uuid", ["a", "b"]), "uuid!?=a,b"),
            (Condition::like("name", "web%"), "name~=web%"),
            (Condition::not_like("name", "db_"), "name!~=db_"),
            (Condition::is_null("description"), "description is null"),
            (Condition::not_null("url"), "url not null"),
        ];
        for (c, wire) in cases {
            assert!(c.check().is_ok(), "{wire}");
            assert_eq!(c.to_wire(), wire);
        }
    }

    #[test]
    fn misparsed_values_are_rejected() {
        assert!(Condition::eq("name", "a!=b").check().unwrap_err().contains("contains `=`"));
        assert!(Condition::eq("name", "a<b").check().is_err());
        assert!(Condition::eq("name", "a>b").check().is_err());
        assert!(Condition::is_in("name", ["a,b"]).check().unwrap_err().contains("comma"));
        assert!(Condition::eq("name!", "x").check().unwrap_err().contains("dotted identifier"));
        assert!(Condition::eq("vmNics.ip", "10.0.0.5").check().is_ok());
        // Words are only operators when no symbolic token is present.
        assert!(Condition::eq("description", "is null").check().is_ok());
    }

    #[test]
    fn params_encode_in_wire_order() {
        let p = QueryParams {
            conditions: vec![Condition::like("name", "web%"), Condition::eq("state", "Running")],
            limit: Some(50),
            start: Some(100),
            reply_with_count: true,
            sort: Some(Sort::asc("createDate")),
            fields: vec!["uuid".into(), "name".into()],
            ..Default::default()
        };
        let got = pairs(&p).unwrap();
        let want: Vec<(String, String)> = [
            ("q", "name~=web%"),
            ("q", "state=Running"),
            ("limit", "50"),
            ("start", "100"),
            ("replyWithCount", "true"),
            ("sort", "+createDate"),
            ("fields", "uuid,name"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(got, want);
        let encoded = crate::plumbing::encoding::encode_query(&got);
        assert!(encoded.contains("sort=%2BcreateDate"), "{encoded}");
        assert!(encoded.contains("fields=uuid%2Cname"), "{encoded}");
    }

    struct Vm;

    #[test]
    fn typed_fields_build_the_same_wire_conditions() {
        const NAME: Field<Vm> = Field::new("name");
        let typed: Condition = IntoCondition::<Vm>::into_condition(NAME.like("web%"));
        assert_eq!(typed.to_wire(), "name~=web%");
        assert_eq!(IntoCondition::<Vm>::into_condition(NAME.is_null()).to_wire(), "name is null");
        assert_eq!(String::from(NAME), "name");
    }

    #[test]
    fn descending_sort_and_count() {
        let p = QueryParams { count: true, sort: Some(Sort::desc("name")), ..Default::default() };
        assert_eq!(pairs(&p).unwrap(), vec![("count".into(), "true".into()), ("sort".into(), "-name".into())]);
    }

    #[test]
    fn bad_sort_or_fields_are_rejected() {
        let p = QueryParams { fields: vec!["uuid,name".into()], ..Default::default() };
        assert_eq!(pairs(&p).unwrap_err().field, "fields");
        let p = QueryParams { sort: Some(Sort::asc("a=b")), ..Default::default() };
        assert_eq!(pairs(&p).unwrap_err().field, "sort");
    }
}
