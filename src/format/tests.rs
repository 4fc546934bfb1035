use super::*;

fn fmt(tag: &str) -> Formats {
    Formats::new(&tag.parse().unwrap()).unwrap()
}

/// Pinned to what ICU4C 72 (DateTimePatternGenerator, skeleton
/// `yMMMMdjmz`) gives for the same instants; `tests/validate/cldr.py`
/// checks every time on the demo the same way.
#[test]
fn datetimes_are_one_zoned_pattern_per_locale() {
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
        // CLDR's hourFormat for fr writes U+2212, not a hyphen.
        (
            "fr-FR",
            "America/New_York",
            "22 novembre 2026 à 08:03 UTC\u{2212}5",
        ),
        ("ko-KR", "Asia/Seoul", "2026년 11월 22일 오후 10:03 GMT+9"),
        // zh puts the zone before the time.
        ("zh-CN", "Asia/Shanghai", "2026年11月22日 GMT+8 21:03"),
        ("ja-JP", "Asia/Tokyo", "2026年11月22日 22:03 JST"),
        // ar: hourFormat's plain signs, not the numbers' (which carry
        // an Arabic letter mark).
        (
            "ar-SA",
            "America/New_York",
            "٢٢ نوفمبر ٢٠٢٦ في ٨:٠٣ ص غرينتش-٥",
        ),
    ];
    for (tag, zone, want) in cases {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        assert_eq!(fmt(tag).datetime(t, tz), want, "{tag} {zone}");
    }
}

#[test]
fn dates_and_generic_zone_names_per_locale() {
    let t = DateTime::parse_from_rfc3339("2026-07-01T20:00:00Z")
        .unwrap()
        .to_utc();
    let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let cases = [
        ("en", "July 1, 2026", "Eastern Time", "Jul 1"),
        (
            "fr-FR",
            "1 juillet 2026",
            "heure de l’Est nord-américain",
            "1 juil.",
        ),
        ("ko-KR", "2026년 7월 1일", "미 동부 시간", "7월 1일"),
        ("zh-CN", "2026年7月1日", "北美东部时间", "7月1日"),
    ];
    for (tag, date, zone, md) in cases {
        let f = fmt(tag);
        assert_eq!(f.date(t, ny), date, "{tag}");
        // Generic: the same name in summer as in winter.
        assert_eq!(f.zone_generic(t, ny), zone, "{tag}");
        let local = t.with_timezone(&ny).date_naive();
        assert_eq!(f.month_day(local), md, "{tag}");
    }
}

#[test]
fn durations_percentages_and_lists_follow_cldr() {
    let cases = [
        (
            "en",
            "4 hours, 35 minutes",
            "99.95%",
            "A, B, and C",
            "A and B",
        ),
        (
            "fr-FR",
            "4\u{a0}heures et 35 minutes",
            "99,95\u{a0}%",
            "A, B et C",
            "A et B",
        ),
        ("ko-KR", "4시간 35분", "99.95%", "A, B 및 C", "A 및 B"),
        ("zh-CN", "4小时35分钟", "99.95%", "A、B和C", "A和B"),
        (
            "ar-SA",
            "٤ ساعات و٣٥ دقيقة",
            "٩٩٫٩٥٪\u{61c}",
            "A وB وC",
            "A وB",
        ),
    ];
    for (tag, duration, percent, three, two) in cases {
        let f = fmt(tag);
        assert_eq!(f.duration(275).unwrap(), duration, "{tag}");
        assert_eq!(f.percent(99.9512, 2), percent, "{tag}");
        let items = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(f.list(&items(&["A", "B", "C"])), three, "{tag}");
        assert_eq!(f.list(&items(&["A", "B"])), two, "{tag}");
        let seps = f.list_separators(3);
        assert_eq!(format!("A{}B{}C", seps[0], seps[1]), three, "{tag}");
    }
    assert_eq!(fmt("en").duration(0), None);
    assert_eq!(fmt("en").percent(100.0, 2), "100.00%");
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

#[test]
fn the_gregorian_calendar_is_used_and_other_defaults_are_known() {
    // CLDR's calendar preferences: Persian in fa, Buddhist in th-TH;
    // Gregorian first in Saudi Arabia.
    assert!(fmt("fa").other_default_calendar, "fa: Persian");
    assert!(fmt("th-TH").other_default_calendar, "th-TH: Buddhist");
    for tag in ["en", "fr-FR", "ko-KR", "zh-CN", "ja-JP", "ar-SA"] {
        assert!(!fmt(tag).other_default_calendar, "{tag}");
    }
    // Dates stay Gregorian in ar-SA.
    let t = DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
        .unwrap()
        .to_utc();
    let riyadh: chrono_tz::Tz = "Asia/Riyadh".parse().unwrap();
    assert_eq!(fmt("ar-SA").date(t, riyadh), "٢٢ نوفمبر ٢٠٢٦");
}

#[test]
fn a_locale_cldr_does_not_cover_is_refused() {
    let tlh: Locale = "tlh".parse().unwrap();
    assert!(!has_cldr_data(&tlh));
    let e = Formats::new(&tlh).unwrap_err();
    assert!(e.starts_with("CLDR has no data for locale tlh"), "{e}");
    for covered in ["en", "fr-FR", "ja-JP", "ar-SA", "de-CH", "en-XY"] {
        assert!(has_cldr_data(&covered.parse().unwrap()), "{covered}");
    }
}
