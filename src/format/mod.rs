//! Dates, times, durations, percentages, lists and plural categories in a
//! page's locale, from CLDR data through ICU4X: each value is one CLDR
//! pattern (a date, its time and its zone are one zoned pattern, never
//! strings put side by side). Built once per locale per build, shared
//! read-only. The Gregorian calendar is used in every locale (a status page
//! dates events the way Microsoft's admin centers do), and pages say so
//! where the locale's own default calendar is another.

mod offset_signs;
mod percent_signs;

use chrono::{DateTime, Datelike, Offset, TimeZone as _, Timelike, Utc};
use icu_calendar::{Date, Gregorian};
use icu_datetime::fieldsets::{self, zone};
use icu_datetime::input::{Time, UtcOffset};
use icu_datetime::{FixedCalendarDateTimeFormatter, NoCalendarFormatter};
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_experimental::dimension::percent::formatter::PercentFormatter;
use icu_experimental::duration::options::{BaseStyle, DurationFormatterOptions};
use icu_experimental::duration::{Duration, DurationFormatter, ValidatedDurationFormatterOptions};
use icu_list::ListFormatter;
use icu_list::options::{ListFormatterOptions, ListLength};
use icu_plurals::{PluralCategory, PluralRuleType, PluralRules};
use writeable::{Part, PartsWrite, Writeable};

use crate::locale::Locale;

type ZonedYmdt = fieldsets::Combo<fieldsets::YMDT, zone::SpecificShort>;

/// Formatters for one locale.
pub struct Formats {
    datetime: FixedCalendarDateTimeFormatter<Gregorian, ZonedYmdt>,
    date: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::YMD>,
    month_day: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::MD>,
    year_month: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::YM>,
    zone_generic: NoCalendarFormatter<zone::GenericLong>,
    zone_long: NoCalendarFormatter<zone::SpecificLong>,
    decimal: DecimalFormatter,
    percent: PercentFormatter<DecimalFormatter>,
    duration: DurationFormatter,
    list: ListFormatter,
    plurals: PluralRules,
    /// The signs of localized offsets (`UTC−5`) where CLDR's hourFormat
    /// differs from the numbers' signs: (numbers', hourFormat's) pairs.
    offset_signs: Vec<(String, String)>,
    /// ICU4X's percent sign and CLDR's, where they differ.
    percent_sign: Option<(String, String)>,
    /// CLDR's default calendar for the locale is not the Gregorian one
    /// (fa: Persian, th-TH: Buddhist), so pages say which calendar dates
    /// are in.
    pub other_default_calendar: bool,
}

impl std::fmt::Debug for Formats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Formats")
    }
}

/// Whether `tag` is a locale tag CLDR has data for.
pub fn covers_tag(tag: &str) -> bool {
    tag.parse::<Locale>().is_ok_and(|l| has_cldr_data(&l))
}

/// Whether CLDR has data for `locale` (or its language), rather than
/// only the root locale's: a locale without it would get root's
/// `2026 M11 22` dates and root's plural rules. Told by the long date,
/// whose month names every locale CLDR covers has and root has not.
pub fn has_cldr_data(locale: &Locale) -> bool {
    let date = Date::try_new_gregorian(2026, 11, 22).expect("a valid date");
    let long = |l: &icu_locale_core::Locale| {
        FixedCalendarDateTimeFormatter::<Gregorian, _>::try_new(l.into(), fieldsets::YMD::long())
            .map(|f| f.format(&date).to_string())
            .ok()
    };
    let root: icu_locale_core::Locale = "und".parse().expect("und parses");
    match (long(&locale.icu()), long(&root)) {
        (Some(own), Some(root)) => own != root,
        _ => false,
    }
}

impl Formats {
    pub fn new(locale: &Locale) -> Result<Formats, String> {
        if !has_cldr_data(locale) {
            return Err(format!(
                "CLDR has no data for locale {locale}: its dates, numbers and plural rules would be those of the root locale (`2026 M11 22`); expected a locale CLDR covers, such as en, fr-FR, de-DE, ja-JP or ar-SA"
            ));
        }
        let icu = locale.icu();
        let err = |what: &str, e: &dyn std::fmt::Display| {
            format!("no CLDR {what} data for {locale}: {e}")
        };
        let decimal = DecimalFormatter::try_new((&icu).into(), Default::default())
            .map_err(|e| err("number", &e))?;
        let mut duration_options = DurationFormatterOptions::default();
        duration_options.base = BaseStyle::Long;
        let duration_options = ValidatedDurationFormatterOptions::validate(duration_options)
            .map_err(|e| err("duration", &format!("{e:?}")))?;
        Ok(Formats {
            datetime: FixedCalendarDateTimeFormatter::try_new(
                (&icu).into(),
                fieldsets::YMD::long()
                    .with_time_hm()
                    .with_zone(zone::SpecificShort),
            )
            .map_err(|e| err("date-time", &e))?,
            date: FixedCalendarDateTimeFormatter::try_new((&icu).into(), fieldsets::YMD::long())
                .map_err(|e| err("date", &e))?,
            month_day: FixedCalendarDateTimeFormatter::try_new(
                (&icu).into(),
                fieldsets::MD::medium(),
            )
            .map_err(|e| err("date", &e))?,
            year_month: FixedCalendarDateTimeFormatter::try_new(
                (&icu).into(),
                fieldsets::YM::long(),
            )
            .map_err(|e| err("date", &e))?,
            zone_generic: NoCalendarFormatter::try_new((&icu).into(), zone::GenericLong)
                .map_err(|e| err("time zone", &e))?,
            zone_long: NoCalendarFormatter::try_new((&icu).into(), zone::SpecificLong)
                .map_err(|e| err("time zone", &e))?,
            percent: PercentFormatter::try_new_with_decimal_formatter(
                (&icu).into(),
                DecimalFormatter::try_new((&icu).into(), Default::default())
                    .map_err(|e| err("number", &e))?,
                Default::default(),
            )
            .map_err(|e| err("percent", &e))?,
            duration: DurationFormatter::try_new((&icu).into(), duration_options)
                .map_err(|e| err("duration", &e))?,
            list: ListFormatter::try_new_and(
                (&icu).into(),
                ListFormatterOptions::default().with_length(ListLength::Wide),
            )
            .map_err(|e| err("list", &e))?,
            plurals: PluralRules::try_new((&icu).into(), PluralRuleType::Cardinal.into())
                .map_err(|e| err("plural", &e))?,
            offset_signs: offset_signs(locale, &decimal),
            percent_sign: percent_sign(locale),
            other_default_calendar: icu_calendar::AnyCalendarKind::try_new((&icu).into())
                .is_ok_and(|k| k != icu_calendar::AnyCalendarKind::Gregorian),
            decimal,
        })
    }

    /// `22 novembre 2026 à 14:03 UTC+1`, `2026年11月22日 GMT+8 21:45`: date,
    /// time and zone in `tz`, as the locale's one zoned pattern lays them
    /// out.
    pub fn datetime(&self, t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
        let zoned = zoned(t, tz);
        let mut sink = ZoneSign {
            out: String::new(),
            in_zone: false,
            swap: &self.offset_signs,
        };
        let _ = self.datetime.format(&zoned).write_to_parts(&mut sink);
        sink.out
    }

    /// `22 novembre 2026`, the date in `tz`.
    pub fn date(&self, t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
        let (date, _) = icu_date_time(&t.with_timezone(&tz));
        self.date.format(&date).to_string()
    }

    /// `November 2026`, `novembre 2026`, `2026년 11월`: the month of `t`
    /// in `tz`, for history's month headings.
    pub fn year_month(&self, t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
        let (date, _) = icu_date_time(&t.with_timezone(&tz));
        self.year_month.format(&date).to_string()
    }

    /// `22 nov.`: a short day label for uptime bars.
    pub fn month_day(&self, d: chrono::NaiveDate) -> String {
        let date = Date::try_new_gregorian(d.year(), d.month() as u8, d.day() as u8)
            .expect("chrono dates are valid Gregorian dates");
        self.month_day.format(&date).to_string()
    }

    /// The zone's generic name (`Eastern Time`, `heure de l’Est
    /// nord-américain`): right beside times in winter and in summer.
    pub fn zone_generic(&self, t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
        self.zone_generic.format(&zoned(t, tz).zone).to_string()
    }

    /// The zone's specific long name at `t` (`Korean Standard Time`).
    pub fn zone_long(&self, t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
        self.zone_long.format(&zoned(t, tz).zone).to_string()
    }

    /// `1 234 567` in fr-FR.
    pub fn integer(&self, n: i64) -> String {
        self.decimal.format(&Decimal::from(n)).to_string()
    }

    /// A number with exactly `fraction_digits` decimals (`99,95`).
    pub fn fixed(&self, value: f64, fraction_digits: i16) -> String {
        self.decimal
            .format(&fixed(value, fraction_digits))
            .to_string()
    }

    /// A percentage by the locale's CLDR percent pattern, `value` in
    /// percent (`99,95 %` in fr-FR, `٩٩٫٩٥٪` and the Arabic letter mark in ar-SA).
    pub fn percent(&self, value: f64, fraction_digits: i16) -> String {
        let text = self
            .percent
            .format(&fixed(value, fraction_digits))
            .to_string();
        match &self.percent_sign {
            Some((icu4x, cldr)) if !text.contains(cldr.as_str()) => text.replacen(icu4x, cldr, 1),
            _ => text,
        }
    }

    /// A duration in CLDR's unit and unit-list patterns, the two largest
    /// non-zero parts of days, hours and minutes (`4 hours, 35 minutes`,
    /// `4 heures et 35 minutes`, `4小时35分钟`); `None` under a minute.
    pub fn duration(&self, minutes: u64) -> Option<String> {
        let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
        let mut parts = [d, h, m];
        let mut kept = 0;
        for p in parts.iter_mut() {
            if *p > 0 {
                kept += 1;
                if kept > 2 {
                    *p = 0;
                }
            }
        }
        if kept == 0 {
            return None;
        }
        let value = Duration {
            days: parts[0],
            hours: parts[1],
            minutes: parts[2],
            ..Default::default()
        };
        Some(self.duration.format(&value).to_string())
    }

    /// A list in the locale's "and" pattern (`A, B et C`, `A、B和C`).
    pub fn list(&self, items: &[String]) -> String {
        self.list
            .format(items.iter().map(String::as_str))
            .to_string()
    }

    /// The text between the items of a list of `n` (`n - 1` separators):
    /// for lists whose items are links.
    pub fn list_separators(&self, n: usize) -> Vec<String> {
        const MARK: char = '\u{E000}';
        if n < 2 {
            return Vec::new();
        }
        let marks: Vec<String> = (0..n).map(|_| MARK.to_string()).collect();
        let joined = self.list(&marks);
        let mut seps: Vec<String> = joined.split(MARK).map(str::to_owned).collect();
        // Text before the first item or after the last is not a separator
        // (no CLDR pattern has any for "and" lists).
        seps.remove(0);
        seps.pop();
        seps
    }

    /// The CLDR plural category of `n` in this locale.
    pub fn plural(&self, n: u64) -> &'static str {
        match self.plurals.category_for(n) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }
}

fn fixed(value: f64, fraction_digits: i16) -> Decimal {
    let scaled = (value * 10f64.powi(fraction_digits.into())).round() as i64;
    let mut d = Decimal::from(scaled);
    d.multiply_pow10(-fraction_digits);
    d.absolute.pad_end(-fraction_digits);
    d
}

/// CLDR's percent sign where it carries a bidirectional mark, and the sign
/// without its marks, as ICU4X's percent data writes it (ar `٪` for
/// CLDR's U+066A U+061C).
fn percent_sign(locale: &Locale) -> Option<(String, String)> {
    let tag = locale.tag();
    let language = tag.split('-').next().unwrap_or(tag);
    let find = |t: &str| {
        percent_signs::PERCENT_SIGNS
            .binary_search_by(|(k, _)| (*k).cmp(t))
            .ok()
            .map(|i| percent_signs::PERCENT_SIGNS[i].1)
    };
    let cldr = find(tag).or_else(|| find(language))?;
    let bare: String = cldr
        .chars()
        .filter(|c| !matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}'))
        .collect();
    Some((bare, cldr.to_owned()))
}

/// The locale's number signs that CLDR's hourFormat writes differently in
/// an offset, each with hourFormat's sign.
fn offset_signs(locale: &Locale, decimal: &DecimalFormatter) -> Vec<(String, String)> {
    let tag = locale.tag();
    let language = tag.split('-').next().unwrap_or(tag);
    let find = |t: &str| {
        offset_signs::OFFSET_SIGNS
            .binary_search_by(|(k, _, _)| (*k).cmp(t))
            .ok()
            .map(|i| offset_signs::OFFSET_SIGNS[i])
    };
    let (_, plus, minus) = find(tag)
        .or_else(|| find(language))
        .unwrap_or(("", "+", "-"));
    let sign_of = |n: Decimal| -> String {
        decimal
            .format(&n)
            .to_string()
            .chars()
            .filter(|c| !c.is_numeric())
            .collect()
    };
    let numbers_minus = sign_of(Decimal::from(-1));
    let numbers_plus =
        sign_of(Decimal::from(1).with_sign_display(icu_decimal::input::SignDisplay::Always));
    [(numbers_plus, plus), (numbers_minus, minus)]
        .into_iter()
        .filter(|(n, o)| !n.is_empty() && n != o)
        .map(|(n, o)| (n, o.to_owned()))
        .collect()
}

/// Writes a formatted date-time, putting hourFormat's signs into the time
/// zone part.
struct ZoneSign<'a> {
    out: String,
    in_zone: bool,
    swap: &'a [(String, String)],
}

impl std::fmt::Write for ZoneSign<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.in_zone && !self.swap.is_empty() {
            let mut text = s.to_owned();
            for (from, to) in self.swap {
                text = text.replace(from.as_str(), to);
            }
            self.out.push_str(&text);
        } else {
            self.out.push_str(s);
        }
        Ok(())
    }
}

impl PartsWrite for ZoneSign<'_> {
    type SubPartsWrite = Self;
    fn with_part(
        &mut self,
        part: Part,
        mut f: impl FnMut(&mut Self) -> std::fmt::Result,
    ) -> std::fmt::Result {
        let was = self.in_zone;
        self.in_zone |= part == icu_datetime::parts::TIME_ZONE_NAME;
        let r = f(self);
        self.in_zone = was;
        r
    }
}

/// `t` in `tz`, as ICU4X's zoned input.
fn zoned(
    t: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> icu_datetime::input::ZonedDateTime<
    Gregorian,
    icu_time::TimeZoneInfo<icu_time::zone::models::AtTime>,
> {
    let local = t.with_timezone(&tz);
    let offset = tz
        .offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc();
    let (date, time) = icu_date_time(&local);
    let zone = icu_time::zone::IanaParser::new()
        .parse(tz.name())
        .with_offset(UtcOffset::try_from_seconds(offset).ok())
        .at_date_time(icu_datetime::input::DateTime {
            date: date.to_calendar(icu_calendar::Iso),
            time,
        });
    icu_datetime::input::ZonedDateTime { date, time, zone }
}

fn icu_date_time<Tz: chrono::TimeZone>(local: &DateTime<Tz>) -> (Date<Gregorian>, Time) {
    let date = Date::try_new_gregorian(local.year(), local.month() as u8, local.day() as u8)
        .expect("chrono dates are valid Gregorian dates");
    let time = Time::try_new(
        local.hour() as u8,
        local.minute() as u8,
        local.second().min(59) as u8,
        0,
    )
    .expect("chrono times are valid");
    (date, time)
}

#[cfg(test)]
mod tests;
