//! Dates, times, numbers and plural categories in a page's locale, from CLDR
//! data through ICU4X. Built once per locale per build, shared read-only.

use chrono::{DateTime, Datelike, Offset, TimeZone as _, Timelike, Utc};
use icu_calendar::{Date, Gregorian};
use icu_datetime::fieldsets::{self, zone};
use icu_datetime::input::{Time, UtcOffset};
use icu_datetime::{FixedCalendarDateTimeFormatter, NoCalendarFormatter};
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_plurals::{PluralCategory, PluralRuleType, PluralRules};

use crate::locale::Locale;

/// Formatters for one locale.
pub struct Formats {
    datetime: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::YMDT>,
    date: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::YMD>,
    month_day: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::MD>,
    zone_short: NoCalendarFormatter<zone::SpecificShort>,
    zone_long: NoCalendarFormatter<zone::SpecificLong>,
    decimal: DecimalFormatter,
    plurals: PluralRules,
}

impl std::fmt::Debug for Formats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Formats")
    }
}

impl Formats {
    pub fn new(locale: &Locale) -> Result<Formats, String> {
        let icu = locale.icu();
        let err = |what: &str, e: &dyn std::fmt::Display| {
            format!("no CLDR {what} data for {locale}: {e}")
        };
        Ok(Formats {
            datetime: FixedCalendarDateTimeFormatter::try_new(
                (&icu).into(),
                fieldsets::YMD::long().with_time_hm(),
            )
            .map_err(|e| err("date-time", &e))?,
            date: FixedCalendarDateTimeFormatter::try_new((&icu).into(), fieldsets::YMD::long())
                .map_err(|e| err("date", &e))?,
            month_day: FixedCalendarDateTimeFormatter::try_new(
                (&icu).into(),
                fieldsets::MD::medium(),
            )
            .map_err(|e| err("date", &e))?,
            zone_short: NoCalendarFormatter::try_new((&icu).into(), zone::SpecificShort)
                .map_err(|e| err("time zone", &e))?,
            zone_long: NoCalendarFormatter::try_new((&icu).into(), zone::SpecificLong)
                .map_err(|e| err("time zone", &e))?,
            decimal: DecimalFormatter::try_new((&icu).into(), Default::default())
                .map_err(|e| err("number", &e))?,
            plurals: PluralRules::try_new((&icu).into(), PluralRuleType::Cardinal.into())
                .map_err(|e| err("plural", &e))?,
        })
    }

    /// `22 novembre 2026 à 14:03 UTC+1`: date and time in `tz`, zone named.
    pub fn datetime(&self, t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
        let local = t.with_timezone(&tz);
        let (date, time) = icu_date_time(&local);
        let dt = icu_datetime::input::DateTime { date, time };
        format!("{} {}", self.datetime.format(&dt), self.zone(t, tz, false))
    }

    /// `22 novembre 2026`, the date in `tz`.
    pub fn date(&self, t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
        let (date, _) = icu_date_time(&t.with_timezone(&tz));
        self.date.format(&date).to_string()
    }

    /// `22 nov.`: a short day label for uptime bars.
    pub fn month_day(&self, d: chrono::NaiveDate) -> String {
        let date = Date::try_new_gregorian(d.year(), d.month() as u8, d.day() as u8)
            .expect("chrono dates are valid Gregorian dates");
        self.month_day.format(&date).to_string()
    }

    /// The zone's name at `t`: short (`GMT+9`, `EST`) or long
    /// (`Korean Standard Time`, `heure normale d’Europe centrale`).
    pub fn zone(&self, t: DateTime<Utc>, tz: chrono_tz::Tz, long: bool) -> String {
        let local = t.with_timezone(&tz);
        let offset = tz
            .offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc();
        let (date, time) = icu_date_time(&local);
        let info = icu_time::zone::IanaParser::new()
            .parse(tz.name())
            .with_offset(UtcOffset::try_from_seconds(offset).ok())
            .at_date_time(icu_datetime::input::DateTime { date, time });
        if long {
            self.zone_long.format(&info).to_string()
        } else {
            self.zone_short.format(&info).to_string()
        }
    }

    /// `1 234 567` in fr-FR.
    pub fn integer(&self, n: i64) -> String {
        self.decimal.format(&Decimal::from(n)).to_string()
    }

    /// A number with exactly `fraction_digits` decimals (`99,95`).
    pub fn fixed(&self, value: f64, fraction_digits: i16) -> String {
        let scaled = (value * 10f64.powi(fraction_digits.into())).round() as i64;
        let mut d = Decimal::from(scaled);
        d.multiply_pow10(-fraction_digits);
        self.decimal.format(&d).to_string()
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
mod tests {
    use super::*;

    fn fmt(tag: &str) -> Formats {
        Formats::new(&tag.parse().unwrap()).unwrap()
    }

    #[test]
    fn datetimes_follow_cldr_per_locale_in_the_customer_zone() {
        // 2026-11-22T13:03:00Z
        let t = DateTime::parse_from_rfc3339("2026-11-22T13:03:00Z")
            .unwrap()
            .to_utc();
        let cases = [
            (
                "en",
                "America/New_York",
                "November 22, 2026 at 8:03\u{202f}AM EST",
            ),
            ("fr-FR", "Europe/Paris", "22 novembre 2026 à 14:03 UTC+1"),
            ("ko-KR", "Asia/Seoul", "2026년 11월 22일 오후 10:03 GMT+9"),
            ("zh-CN", "Asia/Shanghai", "2026年11月22日 21:03 GMT+8"),
        ];
        for (tag, zone, want) in cases {
            let tz: chrono_tz::Tz = zone.parse().unwrap();
            assert_eq!(fmt(tag).datetime(t, tz), want, "{tag}");
        }
    }

    #[test]
    fn dates_and_zone_names_per_locale() {
        let t = DateTime::parse_from_rfc3339("2026-11-22T20:00:00Z")
            .unwrap()
            .to_utc();
        let seoul: chrono_tz::Tz = "Asia/Seoul".parse().unwrap();
        let cases = [
            ("en", "November 23, 2026", "Korean Standard Time", "Nov 23"),
            (
                "fr-FR",
                "23 novembre 2026",
                "heure normale de la Corée",
                "23 nov.",
            ),
            ("ko-KR", "2026년 11월 23일", "한국 표준시", "11월 23일"),
            ("zh-CN", "2026年11月23日", "韩国标准时间", "11月23日"),
        ];
        for (tag, date, zone, md) in cases {
            let f = fmt(tag);
            assert_eq!(f.date(t, seoul), date, "{tag}");
            assert_eq!(f.zone(t, seoul, true), zone, "{tag}");
            let local = t.with_timezone(&seoul).date_naive();
            assert_eq!(f.month_day(local), md, "{tag}");
        }
    }

    #[test]
    fn numbers_and_plural_categories_per_locale() {
        let cases = [
            ("en", "1,234,567", "99.95", ["other", "one", "other"]),
            (
                "fr-FR",
                "1\u{202f}234\u{202f}567",
                "99,95",
                ["one", "one", "other"],
            ),
            ("ko-KR", "1,234,567", "99.95", ["other", "other", "other"]),
            ("zh-CN", "1,234,567", "99.95", ["other", "other", "other"]),
        ];
        for (tag, int, fixed, plurals) in cases {
            let f = fmt(tag);
            assert_eq!(f.integer(1_234_567), int, "{tag}");
            assert_eq!(f.fixed(99.9512, 2), fixed, "{tag}");
            assert_eq!([f.plural(0), f.plural(1), f.plural(2)], plurals, "{tag}");
        }
    }
}
