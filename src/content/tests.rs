use super::*;

#[test]
fn front_matter_splits() {
    type Case<'a> = (&'a str, Result<(&'a str, &'a str), ()>);
    let cases: &[Case] = &[
        ("---\ntitle: x\n---\nbody\n", Ok(("title: x\n", "body\n"))),
        (
            "---\r\ntitle: x\r\n---\r\nbody",
            Ok(("title: x\r\n", "body")),
        ),
        ("\u{feff}---\n---\n", Ok(("", ""))),
        ("---\ntitle: x\n---", Ok(("title: x\n", ""))),
        ("title: x\n---\n", Err(())),
        ("---\ntitle: x\n", Err(())),
    ];
    for (input, want) in cases {
        assert_eq!(
            split_front_matter(input).map_err(|_| ()),
            *want,
            "input {input:?}"
        );
    }
}

#[test]
fn file_names_give_name_and_locale() {
    let locales: BTreeSet<String> = ["en", "fr-FR"].map(String::from).into();
    let ok =
        |p: &str| parse_file_name(Path::new(p), &locales).map(|(n, l)| (n, l.tag().to_owned()));
    assert_eq!(ok("support.md").unwrap(), ("support".into(), "en".into()));
    assert_eq!(
        ok("support.fr-FR.md").unwrap(),
        ("support".into(), "fr-FR".into())
    );
    assert_eq!(
        ok("support.fr-fr.md").unwrap(),
        ("support".into(), "fr-FR".into())
    );
    assert!(
        ok("support.de-DE.md")
            .unwrap_err()
            .message
            .contains("no catalog for locale `de-DE`")
    );
    assert!(ok("a.b.c.md").is_err());
}
