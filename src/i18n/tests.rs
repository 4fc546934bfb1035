use super::*;

#[test]
fn built_in_catalogs_are_complete_and_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let catalogs = load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        catalogs.tags(),
        ["ar-SA", "en", "fr-FR", "ja-JP", "ko-KR", "zh-CN"]
            .map(String::from)
            .into()
    );
}

#[test]
fn an_override_of_comments_only_changes_nothing_and_one_key_changes_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fr-FR.yaml"), "# nothing yet\n").unwrap();
    std::fs::write(
        dir.path().join("en.yaml"),
        "# one key\nnav.overview: Status\n",
    )
    .unwrap();
    let catalogs = load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let fr = catalogs.get(&"fr-FR".parse().unwrap());
    assert_eq!(fr.t("nav.overview"), "Vue d’ensemble");
    let en = catalogs.get(&"en".parse().unwrap());
    assert_eq!(en.t("nav.overview"), "Status");
    assert_eq!(en.t("nav.history"), "History");
}

#[test]
fn a_site_catalog_missing_a_key_or_with_a_stray_one_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let en = BUILT_IN.iter().find(|(t, _)| *t == REFERENCE).unwrap().1;
    // A new locale that lacks one key and has a typo'd one.
    let de = en
        .replace("locale.name: English", "locale.name: Deutsch")
        .lines()
        .filter(|l| !l.starts_with("nav.history:"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\nnav.histroy: Verlauf\n";
    std::fs::write(dir.path().join("de-DE.yaml"), de).unwrap();
    let err = load(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("de-DE.yaml: locale de-DE: missing key `nav.history` (every locale needs every key of en)"),
        "{err}"
    );
    assert!(
        err.contains("locale de-DE: unknown key `nav.histroy`"),
        "{err}"
    );
}

#[test]
fn plural_messages_pick_the_cldr_category() {
    let dir = tempfile::tempdir().unwrap();
    let catalogs = load(dir.path()).unwrap();
    let en = catalogs.get(&"en".parse().unwrap());
    assert_eq!(
        en.text("uptime.incident_days", Some(1), &[]).unwrap(),
        "1 day with incidents"
    );
    assert_eq!(
        en.text("uptime.incident_days", Some(2), &[]).unwrap(),
        "2 days with incidents"
    );
    // Durations come from CLDR's unit and unit-list patterns.
    assert_eq!(en.duration(145), "2 hours, 25 minutes");
    assert_eq!(en.duration(60 * 24 * 3 + 5), "3 days, 5 minutes");
    assert_eq!(en.duration(0), "less than a minute");
    let fr = catalogs.get(&"fr-FR".parse().unwrap());
    assert_eq!(fr.duration(61), "1\u{a0}heure et 1 minute");
    let zh = catalogs.get(&"zh-CN".parse().unwrap());
    assert_eq!(zh.duration(145), "2小时25分钟");
    let ko = catalogs.get(&"ko-KR".parse().unwrap());
    assert_eq!(ko.duration(145), "2시간 25분");
}

/// File sizes against Babel 2.17's CLDR (`tests/validate/cldr.py`'s
/// `file_size`, printed for these byte counts): the catalogs' unit
/// patterns must be CLDR's, and the rounding the same at every boundary.
#[test]
fn file_sizes_are_cldr_short_digital_units() {
    let dir = tempfile::tempdir().unwrap();
    let catalogs = load(dir.path()).unwrap();
    let sizes = [820, 1499, 1500, 999_499, 999_500, 1_250_000, 12_345_678];
    let want: [(&str, [&str; 7]); 6] = [
        (
            "en",
            [
                "820 byte", "1 kB", "2 kB", "999 kB", "1.0 MB", "1.3 MB", "12.3 MB",
            ],
        ),
        (
            "fr-FR",
            [
                "820\u{202f}o",
                "1\u{202f}ko",
                "2\u{202f}ko",
                "999\u{202f}ko",
                "1,0\u{202f}Mo",
                "1,3\u{202f}Mo",
                "12,3\u{202f}Mo",
            ],
        ),
        (
            "ar-SA",
            [
                "٨٢٠ بايت",
                "١ كيلوبايت",
                "٢ كيلوبايت",
                "٩٩٩ كيلوبايت",
                "١٫٠ م.ب",
                "١٫٣ م.ب",
                "١٢٫٣ م.ب",
            ],
        ),
        (
            "ko-KR",
            ["820byte", "1kB", "2kB", "999kB", "1.0MB", "1.3MB", "12.3MB"],
        ),
        (
            "zh-CN",
            [
                "820 B", "1 kB", "2 kB", "999 kB", "1.0 MB", "1.3 MB", "12.3 MB",
            ],
        ),
        (
            "ja-JP",
            [
                "820 byte", "1 KB", "2 KB", "999 KB", "1.0 MB", "1.3 MB", "12.3 MB",
            ],
        ),
    ];
    for (tag, texts) in want {
        let cat = catalogs.get(&tag.parse().unwrap());
        let got: Vec<String> = sizes.iter().map(|&n| cat.file_size(n)).collect();
        assert_eq!(got, texts, "{tag}");
    }
}
