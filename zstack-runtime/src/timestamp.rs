//! ZStack's zone-less timestamps (protocol §10).
//!
//! The MN writes a `java.sql.Timestamp` as English text in its own local zone
//! with no offset, e.g. `Apr 11, 2018 2:50:54 PM`. [`Timestamp`] keeps exactly
//! what the text says: a wall-clock date and time. Turning it into an instant
//! needs the MN's zone, which only configuration can supply, so no offset is
//! ever assumed here.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// English month abbreviations as the JDK writes them (`MMM`).
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The separator JDK 20+ (CLDR 42) writes before AM/PM.
const NARROW_NO_BREAK_SPACE: char = '\u{202F}';

/// A wall-clock date-time with no zone or offset, to the second.
///
/// Ordering is chronological (fields compare year first, second last).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

/// Text that is not one of the timestamp forms the protocol accepts, or names
/// a date or time that does not exist.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {input:?}: {reason}")]
pub struct TimestampError {
    input: String,
    reason: String,
}

impl TimestampError {
    fn new(input: &str, reason: impl Into<String>) -> Self {
        TimestampError { input: input.to_string(), reason: reason.into() }
    }

    /// The text that failed to parse.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with it.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

const fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The first field of a date-time that does not exist, and its value. Only
/// an error formats it, so the check costs no allocation.
#[derive(Clone, Copy)]
enum OutOfRange {
    Year(u16),
    Month(u8),
    Day { year: u16, month: u8, day: u8, last: u8 },
    Hour(u8),
    Minute(u8),
    Second(u8),
}

impl fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            OutOfRange::Year(year) => write!(f, "year {year} is outside 1..=9999"),
            OutOfRange::Month(month) => write!(f, "month {month} is outside 1..=12"),
            OutOfRange::Day { year, month, day, last } => {
                write!(f, "day {day} does not exist in {} {year} (it has {last} days)", MONTHS[usize::from(month - 1)])
            }
            OutOfRange::Hour(hour) => write!(f, "hour {hour} is outside 0..=23"),
            OutOfRange::Minute(minute) => write!(f, "minute {minute} is outside 0..=59"),
            OutOfRange::Second(second) => write!(f, "second {second} is outside 0..=59"),
        }
    }
}

/// Why a set of fields is not a real date-time, or `None` when it is.
#[inline]
fn range_problem(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<OutOfRange> {
    if !(1..=9999).contains(&year) {
        return Some(OutOfRange::Year(year));
    }
    if !(1..=12).contains(&month) {
        return Some(OutOfRange::Month(month));
    }
    let last = days_in_month(year, month);
    if day == 0 || day > last {
        return Some(OutOfRange::Day { year, month, day, last });
    }
    if hour > 23 {
        return Some(OutOfRange::Hour(hour));
    }
    if minute > 59 {
        return Some(OutOfRange::Minute(minute));
    }
    if second > 59 {
        return Some(OutOfRange::Second(second));
    }
    None
}

impl Timestamp {
    /// A date-time from its fields (24-hour clock), or `None` if it does not
    /// exist: year outside `1..=9999`, month outside `1..=12`, a day the month
    /// does not have (leap years included), hour > 23, minute or second > 59.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        range_problem(year, month, day, hour, minute, second).is_none().then_some(Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// The year.
    pub const fn year(&self) -> u16 {
        self.year
    }

    /// `1..=12`.
    pub const fn month(&self) -> u8 {
        self.month
    }

    /// `1..=31`.
    pub const fn day(&self) -> u8 {
        self.day
    }

    /// `0..=23`.
    pub const fn hour(&self) -> u8 {
        self.hour
    }

    /// The minute (0-59).
    pub const fn minute(&self) -> u8 {
        self.minute
    }

    /// The second (0-59).
    pub const fn second(&self) -> u8 {
        self.second
    }

    /// `yyyy-MM-dd HH:mm:ss`, the form query conditions compare against
    /// (protocol §8), e.g. `2018-04-11 14:50:54`.
    pub fn to_sql_string(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    fn from_fields(input: &str, f: [u32; 6]) -> Result<Self, TimestampError> {
        // The year was read from four digits and every other field from at
        // most two, so these casts never truncate.
        let (y, [mo, d, h, mi, s]) = (f[0] as u16, [f[1], f[2], f[3], f[4], f[5]].map(|v| v as u8));
        match range_problem(y, mo, d, h, mi, s) {
            None => Ok(Timestamp { year: y, month: mo, day: d, hour: h, minute: mi, second: s }),
            Some(problem) => Err(TimestampError::new(input, problem.to_string())),
        }
    }
}

/// The value of `N` ASCII digits, or `None` if a byte is not one. Every
/// field has a fixed width or two (a day is `1` or `11`), so the parsers
/// below match the input against slice patterns: an MN reply has two
/// timestamps per row, and this keeps each to a few length checks.
#[inline(always)]
fn digits<const N: usize>(bytes: [u8; N]) -> Option<u32> {
    let (mut value, mut bad) = (0u32, false);
    for b in bytes {
        let d = b.wrapping_sub(b'0');
        bad |= d > 9;
        value = value * 10 + u32::from(d);
    }
    (!bad).then_some(value)
}

/// One digit or two, and what follows.
#[inline(always)]
fn one_or_two(bytes: &[u8]) -> Option<(u32, &[u8])> {
    match bytes {
        [a, b, rest @ ..] if b.is_ascii_digit() => Some((digits([*a, *b])?, rest)),
        [a, rest @ ..] => Some((digits([*a])?, rest)),
        [] => None,
    }
}

/// An ASCII word, letters lowercased, as one number (so that a word is
/// matched by one comparison).
const fn word(text: &[u8]) -> u32 {
    let (mut acc, mut i) = (0, 0);
    while i < text.len() {
        acc = acc << 8 | text[i].to_ascii_lowercase() as u32;
        i += 1;
    }
    acc
}

/// [`MONTHS`] as [`word`]s.
const MONTH_WORDS: [u32; 12] = {
    let mut words = [0; 12];
    let mut i = 0;
    while i < 12 {
        words[i] = word(MONTHS[i].as_bytes());
        i += 1;
    }
    words
};

/// `jan` → 1, ..., `dec` → 12.
fn month_number(abbr: u32) -> Option<u32> {
    let index = MONTH_WORDS.iter().position(|&month| month == abbr)?;
    Some(index as u32 + 1)
}

/// `MMM d, yyyy[,] h:mm:ss[ |U+202F]a` → `[year, month, day, hour24, minute, second]`.
#[inline]
fn parse_text(input: &str) -> Option<Result<[u32; 6], String>> {
    const AM: u32 = word(b"am");
    const PM: u32 = word(b"pm");
    const NNBSP: [u8; 3] = {
        let mut utf8 = [0u8; 3];
        NARROW_NO_BREAK_SPACE.encode_utf8(&mut utf8);
        utf8
    };
    let [m0, m1, m2, rest @ ..] = input.as_bytes() else { return None };
    let month = month_number(word(&[*m0, *m1, *m2]))?;
    // Some JDK locales write September as `Sept`.
    let rest = match rest {
        [b't' | b'T', rest @ ..] if month == 9 => rest,
        _ => rest,
    };
    let [b' ', rest @ ..] = rest else { return None };
    let (day, rest) = one_or_two(rest)?;
    let [b',', b' ', y0, y1, y2, y3, rest @ ..] = rest else { return None };
    let year = digits([*y0, *y1, *y2, *y3])?;
    // JDK 9+ (CLDR) puts a comma between the date and the time.
    let rest = rest.strip_prefix(b",").unwrap_or(rest);
    let [b' ', rest @ ..] = rest else { return None };
    let (hour12, rest) = one_or_two(rest)?;
    let [b':', mi0, mi1, b':', s0, s1, rest @ ..] = rest else { return None };
    let (minute, second) = (digits([*mi0, *mi1])?, digits([*s0, *s1])?);
    // A space, or U+202F (JDK 20+), before AM or PM.
    let rest = match rest {
        [b' ', rest @ ..] => rest,
        _ => rest.strip_prefix(&NNBSP)?,
    };
    let pm = match *rest {
        [a, m] if word(&[a, m]) == AM => false,
        [a, m] if word(&[a, m]) == PM => true,
        _ => return None,
    };
    if !(1..=12).contains(&hour12) {
        return Some(Err(format!("hour {hour12} is outside 1..=12 on a 12-hour clock")));
    }
    // 12 AM is midnight, 12 PM is noon.
    let hour = hour12 % 12 + if pm { 12 } else { 0 };
    Some(Ok([year, month, day, hour, minute, second]))
}

/// `yyyy-MM-dd HH:mm:ss` → fields.
fn parse_sql(input: &str) -> Option<[u32; 6]> {
    let [y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b' ', h0, h1, b':', mi0, mi1, b':', s0, s1] = *input.as_bytes()
    else {
        return None;
    };
    Some([
        digits([y0, y1, y2, y3])?,
        digits([mo0, mo1])?,
        digits([d0, d1])?,
        digits([h0, h1])?,
        digits([mi0, mi1])?,
        digits([s0, s1])?,
    ])
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    /// Accepts `Apr 11, 2018 2:50:54 PM` (day and hour padded or not; an
    /// optional comma after the year; a space or U+202F before AM/PM) and
    /// `2018-04-11 14:50:54`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fields = match parse_text(s) {
            Some(Ok(fields)) => fields,
            Some(Err(reason)) => return Err(TimestampError::new(s, reason)),
            None => parse_sql(s).ok_or_else(|| {
                TimestampError::new(
                    s,
                    "expected `MMM d, yyyy h:mm:ss a` (e.g. `Apr 11, 2018 2:50:54 PM`) \
                     or `yyyy-MM-dd HH:mm:ss` (e.g. `2018-04-11 14:50:54`)",
                )
            })?,
        };
        Timestamp::from_fields(s, fields)
    }
}

impl fmt::Display for Timestamp {
    /// The MN's canonical form, `Apr 11, 2018 2:50:54 PM`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hour12 = match self.hour % 12 {
            0 => 12,
            h => h,
        };
        write!(
            f,
            "{} {}, {:04} {}:{:02}:{:02} {}",
            MONTHS[usize::from(self.month - 1)],
            self.day,
            self.year,
            hour12,
            self.minute,
            self.second,
            if self.hour < 12 { "AM" } else { "PM" }
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a timestamp string such as \"Apr 11, 2018 2:50:54 PM\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
        v.parse().map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TimestampVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
        Timestamp::new(y, mo, d, h, mi, s).unwrap()
    }

    fn parse(s: &str) -> Timestamp {
        s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn parses_the_classic_jdk_form() {
        assert_eq!(parse("Apr 11, 2018 2:50:54 PM"), ts(2018, 4, 11, 14, 50, 54));
        assert_eq!(parse("Jan 1, 2020 9:05:07 AM"), ts(2020, 1, 1, 9, 5, 7));
        // Padded day and hour are accepted too.
        assert_eq!(parse("Jan 01, 2020 09:05:07 AM"), ts(2020, 1, 1, 9, 5, 7));
        assert_eq!(parse("Dec 31, 1999 11:59:59 PM"), ts(1999, 12, 31, 23, 59, 59));
    }

    #[test]
    fn parses_the_jdk9_comma_and_narrow_space_forms() {
        let want = ts(2018, 4, 11, 14, 50, 54);
        assert_eq!(parse("Apr 11, 2018, 2:50:54 PM"), want);
        assert_eq!(parse("Apr 11, 2018, 2:50:54\u{202F}PM"), want);
        assert_eq!(parse("Apr 11, 2018 2:50:54\u{202F}PM"), want);
    }

    #[test]
    fn month_names_and_meridiem_ignore_case_and_sept_is_september() {
        let want = ts(2021, 9, 3, 0, 0, 1);
        assert_eq!(parse("sep 3, 2021 12:00:01 am"), want);
        assert_eq!(parse("Sept 3, 2021 12:00:01 AM"), want);
        for (i, m) in MONTHS.iter().enumerate() {
            let t = parse(&format!("{m} 1, 2000 1:00:00 AM"));
            assert_eq!(usize::from(t.month()), i + 1);
        }
    }

    #[test]
    fn twelve_am_is_midnight_and_twelve_pm_is_noon() {
        assert_eq!(parse("Apr 11, 2018 12:00:00 AM").hour(), 0);
        assert_eq!(parse("Apr 11, 2018 12:30:00 AM").hour(), 0);
        assert_eq!(parse("Apr 11, 2018 12:00:00 PM").hour(), 12);
        assert_eq!(parse("Apr 11, 2018 12:59:59 PM").hour(), 12);
        assert_eq!(parse("Apr 11, 2018 1:00:00 AM").hour(), 1);
        assert_eq!(parse("Apr 11, 2018 11:00:00 PM").hour(), 23);
        assert_eq!(ts(2018, 4, 11, 0, 0, 0).to_string(), "Apr 11, 2018 12:00:00 AM");
        assert_eq!(ts(2018, 4, 11, 12, 0, 0).to_string(), "Apr 11, 2018 12:00:00 PM");
        assert_eq!(ts(2018, 4, 11, 23, 0, 0).to_string(), "Apr 11, 2018 11:00:00 PM");
    }

    #[test]
    fn hours_outside_the_12_hour_clock_are_rejected() {
        for s in ["Apr 11, 2018 0:50:54 AM", "Apr 11, 2018 13:50:54 PM"] {
            let err = s.parse::<Timestamp>().unwrap_err();
            assert!(err.reason().contains("12-hour clock"), "{err}");
        }
    }

    #[test]
    fn parses_the_sql_form() {
        assert_eq!(parse("2018-04-11 14:50:54"), ts(2018, 4, 11, 14, 50, 54));
        assert_eq!(parse("2018-04-11 00:00:00"), ts(2018, 4, 11, 0, 0, 0));
        assert_eq!(ts(2018, 4, 11, 14, 50, 54).to_sql_string(), "2018-04-11 14:50:54");
        assert_eq!(ts(7, 1, 2, 3, 4, 5).to_sql_string(), "0007-01-02 03:04:05");
        for bad in ["2018-4-11 14:50:54", "2018-04-11T14:50:54", "2018-04-11 14:50", "2018-04-11 14:50:54Z"] {
            assert!(bad.parse::<Timestamp>().is_err(), "{bad}");
        }
        assert!("2018-04-11 24:00:00".parse::<Timestamp>().is_err());
    }

    #[test]
    fn new_validates_calendar_and_clock() {
        assert!(Timestamp::new(2018, 2, 28, 0, 0, 0).is_some());
        assert!(Timestamp::new(2018, 2, 29, 0, 0, 0).is_none());
        assert!(Timestamp::new(2016, 2, 29, 0, 0, 0).is_some());
        assert!(Timestamp::new(2000, 2, 29, 0, 0, 0).is_some());
        assert!(Timestamp::new(1900, 2, 29, 0, 0, 0).is_none());
        assert!(Timestamp::new(2018, 4, 31, 0, 0, 0).is_none());
        assert!(Timestamp::new(2018, 12, 31, 23, 59, 59).is_some());
        assert!(Timestamp::new(2018, 0, 1, 0, 0, 0).is_none());
        assert!(Timestamp::new(2018, 13, 1, 0, 0, 0).is_none());
        assert!(Timestamp::new(2018, 1, 0, 0, 0, 0).is_none());
        assert!(Timestamp::new(2018, 1, 1, 24, 0, 0).is_none());
        assert!(Timestamp::new(2018, 1, 1, 0, 60, 0).is_none());
        assert!(Timestamp::new(2018, 1, 1, 0, 0, 60).is_none());
        assert!(Timestamp::new(0, 1, 1, 0, 0, 0).is_none());
        assert!(Timestamp::new(10000, 1, 1, 0, 0, 0).is_none());
    }

    #[test]
    fn impossible_dates_name_the_input() {
        let err = "Feb 30, 2018 1:00:00 PM".parse::<Timestamp>().unwrap_err();
        assert_eq!(err.input(), "Feb 30, 2018 1:00:00 PM");
        assert!(err.reason().contains("day 30 does not exist in Feb 2018"), "{err}");
        assert!(err.to_string().contains("\"Feb 30, 2018 1:00:00 PM\""), "{err}");
        assert!("2019-02-29 00:00:00".parse::<Timestamp>().is_err());
        assert!("2020-02-29 00:00:00".parse::<Timestamp>().is_ok());
        assert!("Apr 11, 2018 2:60:54 PM".parse::<Timestamp>().is_err());
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in [
            "",
            "garbage",
            "Foo 11, 2018 2:50:54 PM",
            "Apr 11 2018 2:50:54 PM",
            "Apr 11, 18 2:50:54 PM",
            "Apr 11, 2018 2:50 PM",
            "Apr 11, 2018 2:5:54 PM",
            "Apr 11, 2018 2:50:54",
            "Apr 11, 2018 2:50:54 XM",
            "Apr 11, 2018 2:50:54PM",
            "Apr 11, 2018 2:50:54  PM",
            "Apr 11, 2018 2:50:54 PM ",
            " Apr 11, 2018 2:50:54 PM",
            "Apr 111, 2018 2:50:54 PM",
            "Apr 11, 2018,, 2:50:54 PM",
            "1523458254000",
            "Ápr 11, 2018 2:50:54 PM",
        ] {
            let err = bad.parse::<Timestamp>().unwrap_err();
            assert_eq!(err.input(), bad);
        }
    }

    #[test]
    fn display_and_serde_round_trip() {
        let t = ts(2018, 4, 11, 14, 50, 54);
        assert_eq!(t.to_string(), "Apr 11, 2018 2:50:54 PM");
        assert_eq!(parse(&t.to_string()), t);
        assert_eq!(parse(&t.to_sql_string()), t);

        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#""Apr 11, 2018 2:50:54 PM""#);
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        let jdk17: Timestamp = serde_json::from_str("\"Apr 11, 2018, 2:50:54\u{202F}PM\"").unwrap();
        assert_eq!(jdk17, t);
    }

    #[test]
    fn serde_rejects_non_strings_and_bad_text() {
        assert!(serde_json::from_str::<Timestamp>("1523458254000").is_err());
        let err = serde_json::from_str::<Timestamp>(r#""Feb 30, 2018 1:00:00 PM""#).unwrap_err();
        assert!(err.to_string().contains("Feb 30, 2018"), "{err}");

        #[derive(Deserialize)]
        struct Inv {
            #[serde(rename = "createDate")]
            create_date: Option<Timestamp>,
        }
        let inv: Inv = serde_json::from_str(r#"{"createDate":"Jan 2, 2024 3:04:05 AM"}"#).unwrap();
        assert_eq!(inv.create_date, Some(ts(2024, 1, 2, 3, 4, 5)));
        let inv: Inv = serde_json::from_str("{}").unwrap();
        assert_eq!(inv.create_date, None);
    }

    #[test]
    fn ordering_is_chronological() {
        let a = ts(2018, 4, 11, 14, 50, 54);
        let b = ts(2018, 4, 11, 14, 50, 55);
        let c = ts(2019, 1, 1, 0, 0, 0);
        assert!(a < b && b < c);
    }
}
