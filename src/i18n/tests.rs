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
