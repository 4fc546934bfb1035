//! Bad input gets a clear error naming file:line:col and what was expected;
//! a failed build leaves the previous site in place.

use crate::support;

use support::SiteTest;

/// Runs `check` and `build` on an edited fixture; both must fail with exit
/// code 3 and print `want`.
fn assert_rejected(site: SiteTest, want: &str) {
    for args in [&["check"][..], &["build", "--offline"][..]] {
        let r = site.run(args);
        assert_eq!(
            r.code, 3,
            "{args:?} should fail with exit 3:\n{}{}",
            r.stdout, r.stderr
        );
        assert!(
            r.stderr.contains(want),
            "{args:?}: expected\n  {want}\nin\n{}",
            r.stderr
        );
        assert!(
            !site.path("public").exists(),
            "{args:?} wrote output despite the error"
        );
    }
}

#[test]
fn the_fixture_itself_is_valid() {
    let site = SiteTest::from_fixture("small");
    let r = site.run(&["check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    site.build();
    assert!(site.path("public/acme/fr-FR/incidents/EX1.html").is_file());
}

#[test]
fn unknown_config_field() {
    let site = SiteTest::from_fixture("small").edit("statusfleet.yaml", |s| {
        s.replace("    name: Acme\n", "    name: Acme\n    colour: red\n")
    });
    assert_rejected(
        site,
        "error: statusfleet.yaml:8:5: customers[0]: unknown field `colour`, expected one of `slug`, `name`, `domain`, `logo`, `tenant_id`, `cloud`, `default_locale`, `locales`, `time_zone`, `services`, `sources`, `support`",
    );
}

#[test]
fn bad_yaml_in_config() {
    let site = SiteTest::from_fixture("small").edit("statusfleet.yaml", |s| {
        s.replace("  title: Status", "  title: \"Status")
    });
    assert_rejected(
        site,
        "error: statusfleet.yaml:13:1: found unexpected end of stream at line 13 column 1, while scanning a quoted scalar at line 2 column 10",
    );
}

#[test]
fn locale_without_a_catalog() {
    let site = SiteTest::from_fixture("small").edit("statusfleet.yaml", |s| {
        s.replace("[en, fr-FR]", "[en, de-DE]")
    });
    assert_rejected(
        site,
        "error: statusfleet.yaml:9:19: customers[0].locales[1]: no catalog for locale `de-DE`: expected one of ar-SA, en, fr-FR, ja-JP, ko-KR, zh-CN (add i18n/de-DE.yaml to support it)",
    );
}

#[test]
fn missing_translation_key() {
    // A site adds German but forgets a key.
    let en = std::fs::read_to_string(support::repo().join("i18n/en.yaml")).unwrap();
    let de: String = en
        .lines()
        .filter(|l| !l.starts_with("nav.maintenance:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let site = SiteTest::from_fixture("small")
        .edit("i18n/de-DE.yaml", |_| de)
        .edit("statusfleet.yaml", |s| {
            s.replace("[en, fr-FR]", "[en, fr-FR, de-DE]")
        });
    assert_rejected(
        site,
        "error: i18n/de-DE.yaml: locale de-DE: missing key `nav.maintenance` (every locale needs every key of en)",
    );
}

#[test]
fn a_locale_cldr_does_not_cover_is_refused_at_its_line() {
    // A complete catalog for Klingon: CLDR has no dates or plurals for it.
    let en = std::fs::read_to_string(support::repo().join("i18n/en.yaml")).unwrap();
    let site = SiteTest::from_fixture("small")
        .edit("i18n/tlh.yaml", |_| en)
        .edit("statusfleet.yaml", |s| {
            s.replace("[en, fr-FR]", "[en, fr-FR, tlh]")
        });
    assert_rejected(
        site,
        "error: statusfleet.yaml:9:26: customers[0].locales[2]: CLDR has no data for locale `tlh`: its dates, numbers and plural rules would be the root locale's (`2026 M11 22`); expected one of ar-SA, en, fr-FR, ja-JP, ko-KR, zh-CN",
    );
}

#[test]
fn a_text_direction_other_than_ltr_or_rtl_is_refused() {
    let en = std::fs::read_to_string(support::repo().join("i18n/en.yaml")).unwrap();
    let de = en.replace("locale.dir: ltr", "locale.dir: rtl-ish");
    assert_ne!(de, en, "en.yaml has `locale.dir: ltr`");
    let site = SiteTest::from_fixture("small")
        .edit("i18n/de-DE.yaml", |_| de)
        .edit("statusfleet.yaml", |s| {
            s.replace("[en, fr-FR]", "[en, fr-FR, de-DE]")
        });
    assert_rejected(
        site,
        "error: i18n/de-DE.yaml:5:1: locale de-DE: locale.dir is `rtl-ish`: expected `ltr` (left to right) or `rtl` (right to left, as ar and he)",
    );
}

#[test]
fn override_with_an_unknown_key() {
    let site = SiteTest::from_fixture("small").edit("i18n/fr-FR.yaml", |_| {
        "nav.overview: Accueil\nnav.histoire: Historique\n".into()
    });
    assert_rejected(
        site,
        "error: i18n/fr-FR.yaml:2:1: locale fr-FR: unknown key `nav.histoire` (not in the reference catalog en)",
    );
}

#[test]
fn incident_referring_to_an_unknown_service() {
    let site = SiteTest::from_fixture("small").edit("demo/acme.yaml", |s| {
        s.replace("services: [exchange]", "services: [exchnage]")
    });
    assert_rejected(
        site,
        "error: demo/acme.yaml:14:16: incidents[0].services[0]: unknown service `exchnage`: expected one of the services defined here (exchange, teams)",
    );
}

#[test]
fn bad_snapshot_value() {
    let site = SiteTest::from_fixture("small").edit("demo/acme.yaml", |s| {
        s.replace("health: degraded", "health: sad")
    });
    assert_rejected(
        site,
        "error: demo/acme.yaml:5:13: services[0].health: unknown variant `sad`, expected one of `operational`, `maintenance`, `unknown`, `degraded`, `partial_outage`, `major_outage`",
    );
}

#[test]
fn unknown_front_matter_field_is_placed_in_the_real_file() {
    let site = SiteTest::from_fixture("small").edit("content/pages/support.md", |s| {
        s.replace("title: Support\n", "title: Support\ntitel: oops\n")
    });
    assert_rejected(
        site,
        "error: content/pages/support.md:3:1: unknown field `titel`, expected `title` or `customers`",
    );
}

#[test]
fn partner_incident_with_an_unknown_service() {
    let site = SiteTest::from_fixture("small").edit("content/incidents/net-1.md", |_| {
        "---\ntitle: Office link down\ncustomers: [acme]\nservices: [exchange, printer]\nclassification: incident\nstatus: resolved\nstarted_at: 2026-11-20T10:00:00Z\nended_at: 2026-11-20T11:00:00Z\n---\nThe office link failed.\n".into()
    });
    assert_rejected(
        site,
        "error: content/incidents/net-1.md:4:22: services[1]: unknown service `printer`: expected one of the services of customer `acme` (exchange, teams)",
    );
}

#[test]
fn a_failed_build_leaves_the_previous_site_intact() {
    let site = SiteTest::from_fixture("small");
    site.build();
    let before = site.files("public");
    let site = site.edit("demo/acme.yaml", |s| {
        s.replace("title: Mail is delayed", "title: [broken")
    });
    let r = site.run(&["build", "--offline"]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert_eq!(before, site.files("public"));
    // And no staging folder is left behind (the manifest of the last
    // good build, its page keys and its console's fingerprint stay).
    let mut names: Vec<String> = std::fs::read_dir(site.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".public-console.fingerprint",
            ".public.manifest.json",
            ".public.pages"
        ]
    );
}

#[test]
fn a_broken_site_template_names_its_file() {
    let site = SiteTest::from_fixture("small")
        .edit("statusfleet.yaml", |s| {
            s.replace("  title: Status\n", "  title: Status\n  theme: mine\n")
        })
        .edit("themes/mine/templates/page.html", |_| {
            "{% extends \"base.html\" %}{% block main %}{{ html | safe }{% endblock main %}".into()
        });
    let r = site.run(&["check"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("themes/mine/templates/page.html:1:"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_partner_colour_that_is_not_hex_or_too_pale_is_refused() {
    let site = SiteTest::from_fixture("small").edit("statusfleet.yaml", |s| {
        s.replace(
            "    name: Fixture Partner\n",
            "    name: Fixture Partner\n    colors: { accent: red }\n",
        )
    });
    assert_rejected(
        site,
        "error: statusfleet.yaml:5:23: site.partner.colors.accent: invalid colour `red`: expected #rrggbb or #rgb",
    );
    let site = SiteTest::from_fixture("small").edit("statusfleet.yaml", |s| {
        s.replace(
            "    name: Fixture Partner\n",
            "    name: Fixture Partner\n    colors:\n      accent: \"#2f5b9c\"\n      accent_dark: \"#333366\"\n",
        )
    });
    assert_rejected(
        site,
        "error: statusfleet.yaml:7:7: site.partner.colors.accent_dark: #333366 has a contrast of 1.6",
    );
}

#[test]
fn a_logo_that_is_not_an_image_or_an_svg_with_script_is_refused() {
    let site = SiteTest::from_fixture("small").edit("statusfleet.yaml", |s| {
        s.replace("    name: Acme\n", "    name: Acme\n    logo: acme.html\n")
    });
    assert_rejected(
        site,
        "error: statusfleet.yaml:8:11: customer `acme`: logo: `acme.html` is not an image: expected a file ending in .svg, .png",
    );
    let site = SiteTest::from_fixture("small")
        .edit("statusfleet.yaml", |s| {
            s.replace("    name: Acme\n", "    name: Acme\n    logo: acme.svg\n")
        })
        .edit("acme.svg", |_| {
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_owned()
        });
    assert_rejected(
        site,
        "acme.svg: customer `acme`: logo: an SVG logo must not contain event handlers (found `onload=`)",
    );
    let site = SiteTest::from_fixture("small").edit("statusfleet.yaml", |s| {
        s.replace(
            "    name: Acme\n",
            "    name: Acme\n    logo: missing.png\n",
        )
    });
    assert_rejected(
        site,
        "error: statusfleet.yaml:8:11: customer `acme`: logo: cannot read missing.png",
    );
}

#[test]
fn a_theme_file_may_not_take_a_generated_name() {
    let site = SiteTest::from_fixture("small")
        .edit("statusfleet.yaml", |s| {
            s.replace("  partner:", "  theme: mine\n  partner:")
        })
        .edit("themes/mine/static/brand.css", |_| "a{}".to_owned());
    assert_rejected(
        site,
        "static/brand.css: the name is reserved for the files made from site.partner.colors and the logos",
    );
}

/// The admin portals are data beside the cloud's endpoints: an override
/// reaches the next steps, and one that is not an http(s) URL is refused
/// at its line.
#[test]
fn admin_portal_links_come_from_the_clouds_config() {
    let portal = "https://portal.example.net/servicehealth";
    let site = SiteTest::from_fixture("small").edit("statusfleet.yaml", |s| {
        format!("{s}clouds:\n  global:\n    m365_service_health: {portal}\n")
    });
    site.build();
    let page = site.read("public/acme/en/incidents/EX1.html");
    assert!(
        page.contains(&format!("href=\"{portal}\"")),
        "the overridden portal is linked"
    );
    assert!(!page.contains("admin.microsoft.com"));
    let site = SiteTest::from_fixture("small").edit("statusfleet.yaml", |s| {
        format!("{s}clouds:\n  china:\n    azure_service_health: \"javascript:alert(1)\"\n")
    });
    assert_rejected(
        site,
        "error: statusfleet.yaml:15:28: clouds.china.azure_service_health: `javascript:alert(1)` is not a link a page can carry: expected an absolute http or https URL",
    );
}

/// `check` lists every problem of the config at once, each at its
/// file:line:col, with the nearest valid key, locale or time zone.
#[test]
fn check_lists_every_problem_with_a_suggestion() {
    let site = SiteTest::with_config(
        "site:\n  title: Status\n  partner:\n    name: Northwind\n    colors:\n      accent: #2f5b9c\n  time_zon: UTC\ncustomers:\n  - slug: contoso\n    name: Contoso\n    locales: [en, fr]\n    time_zone: Europe/Londn\n    sources:\n      - file: { path: snap/missing.yaml }\n",
    );
    let r = site.run(&["check"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stderr,
        "\
error: statusfleet.yaml:6:15: `accent` is empty: YAML reads `#2f5b9c` as a comment; quote it: `accent: \"#2f5b9c\"`
error: statusfleet.yaml:7:3: site: unknown field `time_zon`, expected one of `title`, `partner`, `theme`, `history_days`, `uptime_days`, `history_per_page`, `feed_entries`, `next_steps_after_resolved_hours`, `time_zone`, `default_locale`, `locales`, `output_dir`, `fleet_index`, `base_url`, `path`, `path_secret_env`; did you mean `time_zone`?
error: statusfleet.yaml:11:19: customers[0].locales[1]: no catalog for locale `fr`: did you mean `fr-FR`? (expected one of ar-SA, en, fr-FR, ja-JP, ko-KR, zh-CN)
error: statusfleet.yaml:12:16: customers[0].time_zone: unknown time zone `Europe/Londn`: did you mean `Europe/London`?
error: statusfleet.yaml:14:23: customer `contoso`: the file source `snap/missing.yaml` does not exist (paths are relative to the config's folder)
5 problems found; nothing was written
"
    );
}

/// `check` warns of a secret's environment variable that is not set
/// (it signs in nowhere itself), at the line that names it.
#[test]
fn check_warns_of_an_unset_secret_variable() {
    let site = SiteTest::from_fixture("small").edit("statusfleet.yaml", |s| {
        s + "credentials:\n  app:\n    client_id: 00000000-aaaa-bbbb-cccc-000000000001\n    client_secret_env: STATUSFLEET_TEST_UNSET_42\n"
    });
    let r = site.run(&["check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("warning: statusfleet.yaml:16:24: credentials.app.client_secret_env: the environment variable STATUSFLEET_TEST_UNSET_42 is not set"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("ok: 1 customer, "), "{}", r.stdout);
    assert!(r.stdout.contains("1 warning: "), "{}", r.stdout);
}

/// Every flag and argument says what it does, and help fits 80 columns.
#[test]
fn help_fits_80_columns_and_every_flag_has_help() {
    let bin = env!("CARGO_BIN_EXE_statusfleet");
    for cmd in [
        "", "init", "build", "fetch", "serve", "check", "login", "notify", "paths",
    ] {
        for flag in ["-h", "--help"] {
            let mut c = std::process::Command::new(bin);
            if !cmd.is_empty() {
                c.arg(cmd);
            }
            let out = c.arg(flag).output().unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            for line in text.lines() {
                assert!(
                    line.chars().count() <= 80,
                    "`statusfleet {cmd} {flag}`: a line of {} columns: {line}",
                    line.chars().count()
                );
            }
            if flag == "-h" {
                // In the short form, an option's help follows it on its
                // line, or on the next when the option is long.
                let lines: Vec<&str> = text.lines().collect();
                for (k, line) in lines.iter().enumerate() {
                    if !line.trim_start().starts_with('-') || line.trim().contains("  ") {
                        continue;
                    }
                    let next = lines.get(k + 1).copied().unwrap_or("");
                    assert!(
                        next.starts_with("          ") && !next.trim_start().starts_with('-'),
                        "`statusfleet {cmd} -h`: no help for {line}"
                    );
                }
            }
        }
    }
}
