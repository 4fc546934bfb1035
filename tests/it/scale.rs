//! Scale-out and incremental builds: `--shard K/N`, `--only SLUG`, and a
//! rebuild after one customer's data changed rewriting only that customer.

use crate::support;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;

use support::SiteTest;

/// The customers of `fleet()` that read `demo/hanbit.yaml`.
const ON_HANBIT: [&str; 4] = ["hanbit", "extra-1", "extra-5", "extra-9"];

/// The demo with twelve more customers, each on one of the demo snapshots.
fn fleet() -> SiteTest {
    SiteTest::demo().edit("statusfleet.yaml", |mut t| {
        for i in 0..12 {
            let file = ["contoso", "hanbit", "lianhua", "fromagerie"][i % 4];
            t.push_str(&format!(
                "\n  - slug: extra-{i}\n    name: Extra {i}\n    default_locale: {}\n    sources:\n      - file: {{ path: demo/{file}.yaml }}\n",
                ["en", "ko-KR", "zh-CN", "fr-FR"][i % 4]
            ));
        }
        t
    })
}

/// path → inode of every file under `rel`.
fn inodes(site: &SiteTest, rel: &str) -> BTreeMap<String, u64> {
    walkdir::WalkDir::new(site.path(rel))
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let p = e
                .path()
                .strip_prefix(site.path(rel))
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (p, e.metadata().unwrap().ino())
        })
        .collect()
}

#[test]
fn shards_together_are_the_whole_site_byte_for_byte() {
    let site = fleet();
    site.build();
    let whole = site.files("public");
    let mut union: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut sizes = Vec::new();
    for k in 1..=4 {
        let out = format!("shard-{k}");
        let r = site.run(&[
            "build",
            "--offline",
            "--shard",
            &format!("{k}/4"),
            "--out",
            &out,
        ]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let files = site.files(&out);
        sizes.push(files.len());
        for (p, b) in files {
            assert!(union.insert(p.clone(), b).is_none(), "{p} is in two shards");
        }
    }
    assert!(sizes.iter().all(|n| *n > 0), "an empty shard: {sizes:?}");
    let union: Vec<(String, Vec<u8>)> = union.into_iter().collect();
    assert_eq!(union.len(), whole.len());
    assert!(union == whole, "the shards differ from the whole site");
    // Fleet-level files go with shard 1 only.
    assert!(site.path("shard-1/robots.txt").is_file());
    assert!(!site.path("shard-2/robots.txt").exists());
    let r = site.run(&["build", "--offline", "--shard", "5/4"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("K/N"), "{}", r.stderr);
}

#[test]
fn a_changed_customer_is_the_only_one_rewritten() {
    let site = fleet();
    site.build();
    let before = inodes(&site, "public");
    // extra-1 reads demo/hanbit.yaml, as hanbit, extra-5 and extra-9 do.
    let site = site.edit("demo/hanbit.yaml", |t| {
        t.replacen(
            "taken_at: 2026-11-22T13:45:00Z",
            "taken_at: 2026-11-22T13:50:00Z",
            1,
        )
    });
    let r = site.build();
    let after = inodes(&site, "public");
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let changed: Vec<&String> = after
        .iter()
        .filter(|(p, ino)| before[*p] != **ino)
        .map(|(p, _)| p)
        .collect();
    assert!(!changed.is_empty());
    for p in &changed {
        let customer = p.split('/').next().unwrap();
        assert!(ON_HANBIT.contains(&customer), "{p} was rewritten");
    }
    assert!(
        r.stdout.contains(&format!("{} written", changed.len())),
        "{}",
        r.stdout
    );
    // Nothing changed: nothing is written, not even carried-over links.
    let r = site.build();
    assert!(r.stdout.contains(" 0 written"), "{}", r.stdout);
    assert_eq!(after, inodes(&site, "public"));
}

#[test]
fn only_renders_one_customer_and_keeps_the_rest() {
    let site = fleet();
    site.build();
    let before = inodes(&site, "public");
    let site = site.edit("demo/contoso.yaml", |t| {
        t.replacen("Exchange Online", "Exchange Online (EU)", 1)
    });
    let r = site.run(&["build", "--offline", "--only", "extra-4"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let after = inodes(&site, "public");
    for (p, ino) in &after {
        if !p.starts_with("extra-4/") {
            assert_eq!(before[p], *ino, "{p} changed under --only extra-4");
        }
    }
    assert!(
        site.read("public/extra-4/en/index.html")
            .contains("Exchange Online (EU)")
    );
    assert!(
        !site
            .read("public/contoso/en/index.html")
            .contains("Exchange Online (EU)")
    );
    // The next full build catches contoso up.
    site.build();
    assert!(
        site.read("public/contoso/en/index.html")
            .contains("Exchange Online (EU)")
    );
    let r = site.run(&["build", "--offline", "--only", "nobody"]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("no customer `nobody`"), "{}", r.stderr);
}

#[test]
fn a_note_on_an_incident_nobody_has_is_an_error() {
    let site = SiteTest::demo().edit("content/incidents/EX000000.fr-FR.md", |_| {
        "---\ntitle: Rien\n---\nNote.\n".into()
    });
    let r = site.run(&["check"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("content/incidents/EX000000.fr-FR.md: no incident `EX000000`"),
        "{}",
        r.stderr
    );
}

#[test]
fn customers_come_and_go_without_touching_the_others() {
    let site = fleet();
    site.build();
    let before = inodes(&site, "public");
    let site = site.edit("statusfleet.yaml", |t| {
        t.replace(
            "\n  - slug: extra-3\n    name: Extra 3\n",
            "\n  - slug: extra-30\n    name: Extra 30\n",
        )
    });
    let r = site.build();
    let after = inodes(&site, "public");
    assert!(!site.path("public/extra-3").exists());
    assert!(site.path("public/extra-30/index.html").is_file());
    for (p, ino) in &after {
        let top = p.split('/').next().unwrap();
        if top != "extra-30" && p.contains('/') {
            assert_eq!(before.get(p), Some(ino), "{p} was rewritten: {}", r.stdout);
        }
    }
    // The console names the new customer, not the old one.
    let e = site.read("public-console/en/az/e.html");
    assert!(
        e.contains("extra-30.html") && !e.contains("/extra-3.html"),
        "{e}"
    );
}

/// The number before `label` in a build's summary line.
fn count_before(stdout: &str, label: &str) -> usize {
    let line = stdout.lines().find(|l| l.starts_with("built ")).unwrap();
    let head = &line[..line
        .find(label)
        .unwrap_or_else(|| panic!("{label}: {line}"))];
    head.trim_end()
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{label}: {line}"))
}

/// Rebuilds after `change`, then checks the page-level incremental build
/// against a full one: the same bytes as a build into an empty folder,
/// every file whose bytes changed written anew, every other file left as
/// it was (same inode), and only the pages whose inputs changed rendered
/// (debug builds render every kept page anyway and check it renders the
/// same: see `render_customer`). Gives the files that changed and the
/// pages and feeds kept without rendering.
fn rebuild_against_full(
    site: SiteTest,
    change: (&str, &dyn Fn(String) -> String),
) -> (SiteTest, Vec<String>, usize) {
    let before = site.files("public");
    let before_inodes = inodes(&site, "public");
    let (file, edit) = change;
    let text = site.read(file);
    let edited = edit(text.clone());
    assert_ne!(text, edited, "{file}: the change must change something");
    let site = site.edit(file, |_| edited);
    let r = site.build();
    let after = site.files("public");
    let _ = std::fs::remove_dir_all(site.path("full"));
    let full = site.run(&["build", "--offline", "--out", "full"]);
    assert_eq!(full.code, 0, "{}{}", full.stdout, full.stderr);
    let full_files = site.files("full");
    assert_eq!(
        after.iter().map(|f| &f.0).collect::<Vec<_>>(),
        full_files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((p, b), (_, fb)) in after.iter().zip(&full_files) {
        assert!(b == fb, "{p} differs from a full build's");
    }
    let before: BTreeMap<String, Vec<u8>> = before.into_iter().collect();
    let after_inodes = inodes(&site, "public");
    let mut changed = Vec::new();
    for (p, b) in &after {
        let same = before.get(p) == Some(b);
        if same {
            assert_eq!(
                before_inodes[p], after_inodes[p],
                "{p} was rewritten unchanged"
            );
        } else {
            assert_ne!(
                before_inodes.get(p),
                Some(&after_inodes[p]),
                "{p} changed in place"
            );
            changed.push(p.clone());
        }
    }
    let kept = count_before(&r.stdout, "pages and feeds kept without rendering");
    assert_eq!(
        count_before(&r.stdout, "written"),
        changed.len(),
        "{}",
        r.stdout
    );
    (site, changed, kept)
}

#[test]
fn a_changed_incident_renders_only_the_pages_that_show_it() {
    let site = fleet();
    site.build();
    let pages = site
        .files("public")
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .count();
    // A resolved incident's text is corrected upstream: hanbit and the
    // three extras on its snapshot change, in that incident's pages.
    let (site, changed, kept) = rebuild_against_full(
        site,
        ("demo/hanbit.yaml", &|t: String| {
            t.replacen(
                "Users can use the Teams desktop client as a workaround.",
                "Users can use the Teams desktop client or the mobile app as a workaround.",
                1,
            )
        }),
    );
    assert!(!changed.is_empty());
    for p in &changed {
        let customer = p.split('/').next().unwrap();
        assert!(ON_HANBIT.contains(&customer), "{p} changed");
        assert!(
            !p.ends_with(".html") || p.contains("TM896044"),
            "{p}: only the incident's own pages show the corrected text"
        );
    }
    for customer in ["hanbit", "extra-1"] {
        assert!(
            changed.iter().any(
                |p| p.starts_with(&format!("{customer}/")) && p.contains("/incidents/TM896044")
            ),
            "{customer}'s incident page: {changed:?}"
        );
    }
    // Every other page of those customers is kept without rendering,
    // but for the history pages that list the incident: their inputs
    // changed, their bytes did not (a list shows no update's text). So is
    // every feed the incident is not in (the demo's feeds show every
    // incident of their scope).
    let (mut pages_of_changed, mut listing, mut feeds_without) = (0, 0, 0);
    for c in ON_HANBIT {
        for (p, b) in site.files(&format!("public/{c}")) {
            let shows = String::from_utf8_lossy(&b).contains("TM896044");
            if p.ends_with(".html") && p.contains('/') {
                pages_of_changed += 1;
                if p.contains("/history/") && shows {
                    listing += 1;
                }
            }
            feeds_without += usize::from(p.ends_with(".atom") && !shows);
        }
    }
    let changed_pages = changed.iter().filter(|p| p.ends_with(".html")).count();
    assert!(listing > 0 && feeds_without > 0);
    assert_eq!(
        kept + changed_pages + listing,
        pages_of_changed + feeds_without,
        "every page and feed of the changed customers is kept, or shows the incident ({pages} pages in all)"
    );

    // Five minutes on: the pages about what is current say so; settled
    // ones (a resolved incident) are not rendered again.
    let (site, changed, kept) = rebuild_against_full(
        site,
        ("demo/hanbit.yaml", &|t: String| {
            t.replacen(
                "taken_at: 2026-11-22T13:45:00Z",
                "taken_at: 2026-11-22T13:50:00Z",
                1,
            )
        }),
    );
    assert!(kept > 0);
    assert!(
        changed.contains(&"hanbit/ko-KR/index.html".to_owned()),
        "{changed:?}"
    );
    assert!(
        !changed.iter().any(|p| p.contains("/incidents/TM896044")),
        "a resolved incident's page: {changed:?}"
    );
    let footer = site.read("public/hanbit/ko-KR/index.html");
    assert!(
        footer.contains("2026-11-22T13:50:00Z"),
        "the overview's data time"
    );

    // A catalog edit changes every page of its locale: none is kept.
    let (_, changed, kept) = rebuild_against_full(
        site,
        ("i18n/ko-KR.yaml", &|t: String| {
            t.replacen("생성 도구: statusfleet", "생성 도구 · statusfleet", 1)
        }),
    );
    assert_eq!(kept, 0);
    assert!(
        changed
            .iter()
            .any(|p| p.starts_with("hanbit/ko-KR/incidents/"))
    );
}

/// A resolved incident on SharePoint, as a snapshot file lists it.
fn sharepoint_incident(id: &str, start: &str, end: &str) -> String {
    format!(
        "  - id: {id}\n    title: Users may see errors opening files ({id})\n    classification: incident\n    status: resolved\n    services: [sharepoint]\n    started_at: {start}\n    ended_at: {end}\n    updated_at: {end}\n    updates:\n      - at: {end}\n        status: resolved\n        body: The errors stopped after a configuration change was reverted.\n\n"
    )
}

/// hanbit's paged history, in every locale: page file → bytes.
fn numbered_history(site: &SiteTest) -> BTreeMap<String, Vec<u8>> {
    site.files("public/hanbit")
        .into_iter()
        .filter(|(p, _)| {
            let Some((_, file)) = p.split_once("/history/") else {
                return false;
            };
            let stem = file.strip_suffix(".html").unwrap_or("");
            stem == "index" || (!stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect()
}

/// The paged history is cut by each incident's place in the whole
/// history counted from the oldest: a new incident changes the first page
/// only, and an incident that ages out of the history window the last
/// page only, as long as the number of pages stays the same. Each rebuild
/// matches a full build byte for byte (see `rebuild_against_full`).
#[test]
fn a_new_incident_or_one_ageing_out_changes_one_history_page() {
    // Two more incidents at the old end of hanbit's window, so that the
    // history has three pages of five and August keeps an incident (and
    // its month page) when the oldest ages out.
    let site = SiteTest::demo().edit("demo/hanbit.yaml", |t| {
        t.replacen(
            "incidents:\n",
            &format!(
                "incidents:\n{}{}",
                sharepoint_incident("SP800001", "2026-08-31T09:00:00Z", "2026-08-31T11:00:00Z"),
                sharepoint_incident("SP800002", "2026-09-01T09:00:00Z", "2026-09-01T10:00:00Z"),
            ),
            1,
        )
    });
    site.build();
    let before = numbered_history(&site);
    let pages =
        |files: &BTreeMap<String, Vec<u8>>| files.keys().filter(|p| p.starts_with("en/")).count();
    assert_eq!(pages(&before), 3, "{:?}", before.keys());

    // A new incident: hanbit's first page of each locale changes, and no
    // other page of the paged history.
    let (site, changed, kept) = rebuild_against_full(
        site,
        ("demo/hanbit.yaml", &|t: String| {
            t.replacen(
                "incidents:\n",
                &format!(
                    "incidents:\n{}",
                    sharepoint_incident("SP800003", "2026-11-21T01:00:00Z", "2026-11-21T02:00:00Z")
                ),
                1,
            )
        }),
    );
    let after = numbered_history(&site);
    assert_eq!(pages(&after), 3, "the new incident fills the first page");
    assert!(kept > 0);
    only_changed(&changed, &before, "/history/index.html");
    assert!(
        String::from_utf8_lossy(&after["en/history/index.html"]).contains("SP800003"),
        "the first page lists the new incident"
    );

    // A week on, the oldest incident has aged out of the 90 days: the last
    // page changes, and no other page of the paged history.
    let (site, changed, _) = rebuild_against_full(
        site,
        ("demo/hanbit.yaml", &|t: String| {
            t.replacen(
                "taken_at: 2026-11-22T13:45:00Z",
                "taken_at: 2026-11-29T08:00:00Z",
                1,
            )
        }),
    );
    let aged = numbered_history(&site);
    assert_eq!(pages(&aged), 3);
    assert!(!String::from_utf8_lossy(&aged["en/history/3.html"]).contains("TM896044"));
    assert!(String::from_utf8_lossy(&after["en/history/3.html"]).contains("TM896044"));
    only_changed(&changed, &after, "/history/3.html");
}

/// Of hanbit's paged history (`pages`), some page changed, and each one
/// that did is `page` of its locale.
fn only_changed(changed: &[String], pages: &BTreeMap<String, Vec<u8>>, page: &str) {
    let paged: Vec<&String> = changed
        .iter()
        .filter(|p| pages.contains_key(p.trim_start_matches("hanbit/")))
        .collect();
    assert!(!paged.is_empty(), "{changed:?}");
    for p in paged {
        assert!(p.ends_with(page), "{p} changed: {changed:?}");
    }
}

/// The incident pages a page lists in `selector`'s lists, in order.
fn listed(html: &str, selector: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("{selector} ul.incidents h3 a")).unwrap();
    doc.select(&sel)
        .map(|a| {
            let href = a.value().attr("href").unwrap();
            href.rsplit('/').next().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn a_service_page_lists_its_newest_incidents_and_links_the_rest() {
    let per_page = |n: usize| {
        SiteTest::demo().edit("statusfleet.yaml", move |t| {
            t.replacen(
                "  history_per_page: 5                # short pages, so the demo shows its pager\n",
                &format!("  history_per_page: {n}\n"),
                1,
            )
        })
    };
    let (whole, capped) = (per_page(1000), per_page(2));
    whole.build();
    capped.build();
    let mut cut = 0;
    for (path, _) in whole.files("public/contoso/en/services") {
        if !path.ends_with(".html") {
            continue;
        }
        let all = listed(
            &whole.read(&format!("public/contoso/en/services/{path}")),
            "section[aria-labelledby='history']",
        );
        let page = capped.read(&format!("public/contoso/en/services/{path}"));
        let shown = listed(&page, "section[aria-labelledby='history']");
        assert_eq!(shown, all[..all.len().min(2)], "{path}");
        let doc = scraper::Html::parse_document(&page);
        let more = scraper::Selector::parse("section[aria-labelledby='history'] p.more a").unwrap();
        let link = doc
            .select(&more)
            .next()
            .map(|a| a.value().attr("href").unwrap().to_owned());
        if all.len() <= 2 {
            assert!(link.is_none(), "{path}: nothing more to link");
            continue;
        }
        cut += 1;
        // Its own history pages, followed page by page, list every one of
        // its incidents, active ones first as everywhere in the history.
        let mut next = link.expect("the rest linked").replacen("../", "", 1);
        let mut pages = Vec::new();
        loop {
            let html = capped.read(&format!("public/contoso/en/{next}"));
            pages.extend(listed(&html, "main"));
            let doc = scraper::Html::parse_document(&html);
            let sel = scraper::Selector::parse("a[rel='next']").unwrap();
            match doc.select(&sel).next() {
                Some(a) => next = format!("history/{}", a.value().attr("href").unwrap()),
                None => break,
            }
        }
        let resolved: Vec<&String> = pages.iter().filter(|p| all.contains(p)).collect();
        assert_eq!(resolved, all.iter().collect::<Vec<_>>(), "{path}");
    }
    assert!(
        cut > 0,
        "the demo has a service with more than two resolved incidents"
    );
}

/// The build line's `removed` count is the files the site had that it no
/// longer has: counted from what the manifest vouches for, or on disk when
/// there is no manifest (a build after a crash, or the first build of this
/// version over an older site).
#[test]
fn the_removed_count_is_the_files_gone() {
    for without_manifest in [false, true] {
        let site = SiteTest::demo();
        site.build();
        let before = inodes(&site, "public");
        if without_manifest {
            std::fs::remove_file(site.path(".public.manifest.json")).unwrap();
        }
        let site = site.edit("statusfleet.yaml", |t| {
            t.replace(
                "locales: [en, fr-FR, ko-KR, zh-CN, ar-SA]",
                "locales: [en, fr-FR, ko-KR, zh-CN]",
            )
        });
        let r = site.build();
        let after = inodes(&site, "public");
        let gone: Vec<&String> = before.keys().filter(|p| !after.contains_key(*p)).collect();
        assert!(
            gone.iter().any(|p| p.starts_with("contoso/ar-SA/")),
            "{gone:?}"
        );
        assert!(gone.iter().all(|p| p.starts_with("contoso/")), "{gone:?}");
        assert_eq!(
            count_before(&r.stdout, "removed"),
            gone.len(),
            "without manifest: {without_manifest}; {}",
            r.stdout
        );
    }
}

/// A customer's folder replaced by a publish is kept as its spare and the
/// next build brings that up to date instead of making a new folder: the
/// spare is exactly the folder it replaced, the rebuilds match full builds
/// byte for byte with every unchanged file left as it was, and a spare
/// nothing vouches for is never trusted.
#[test]
fn the_replaced_folder_is_the_spare_the_next_build_brings_up_to_date() {
    let site = fleet();
    site.build();
    assert!(
        !site.path(".public.spare").exists(),
        "a first build replaces nothing"
    );
    let later = |minute: u32| {
        move |t: String| {
            t.replacen(
                "taken_at: 2026-11-22T13:45:00Z",
                &format!("taken_at: 2026-11-22T14:{minute:02}:00Z"),
                1,
            )
        }
    };
    let published = site.files("public/hanbit");
    let (site, changed, _) = rebuild_against_full(site, ("demo/hanbit.yaml", &later(5)));
    assert!(changed.iter().any(|p| p.starts_with("hanbit/")));
    assert_eq!(
        site.files(".public.spare/hanbit"),
        published,
        "the spare is the folder the publish replaced, whole"
    );
    assert!(site.path(".public.spare/hanbit.json").is_file());
    // Brought up to date twice: from two runs back, then with a page that
    // shows a time the spare never had.
    let mut site = site;
    for (from, to) in [(5, 10), (10, 15)] {
        let published = site.files("public/hanbit");
        let spare = dir_inode(&site, ".public.spare/hanbit");
        let edit = move |t: String| {
            t.replacen(
                &format!("taken_at: 2026-11-22T14:{from:02}:00Z"),
                &format!("taken_at: 2026-11-22T14:{to:02}:00Z"),
                1,
            )
        };
        let (next, changed, kept) = rebuild_against_full(site, ("demo/hanbit.yaml", &edit));
        assert!(kept > 0 && changed.contains(&"hanbit/ko-KR/index.html".to_owned()));
        assert_eq!(
            next.files(".public.spare/hanbit"),
            published,
            "{from} → {to}"
        );
        assert_eq!(
            dir_inode(&next, "public/hanbit"),
            spare,
            "the spare was brought up to date and published"
        );
        site = next;
    }
    // A stray file in the spare is swept; a spare whose vouch is damaged
    // is removed, not trusted, and the customer staged afresh.
    std::fs::write(site.path(".public.spare/hanbit/stray.html"), "stray").unwrap();
    let edit = |t: String| t.replacen("2026-11-22T14:15:00Z", "2026-11-22T14:20:00Z", 1);
    let (site, _, _) = rebuild_against_full(site, ("demo/hanbit.yaml", &edit));
    assert!(!site.path("public/hanbit/stray.html").exists());
    std::fs::write(site.path(".public.spare/hanbit.json"), "{\"keys\":\"0\"}").unwrap();
    // (A new file: the spare's may be a hard link of the published one.)
    let damaged = site.path(".public.spare/hanbit/ko-KR/index.html");
    std::fs::remove_file(&damaged).unwrap();
    std::fs::write(&damaged, "damaged").unwrap();
    let published = site.files("public/hanbit");
    let edit = |t: String| t.replacen("2026-11-22T14:20:00Z", "2026-11-22T14:25:00Z", 1);
    let (site, _, _) = rebuild_against_full(site, ("demo/hanbit.yaml", &edit));
    assert_eq!(site.files(".public.spare/hanbit"), published);
    // A customer no longer built takes its spare with it.
    let site = site.edit("statusfleet.yaml", |t| {
        t.replacen("\n  - slug: extra-1\n", "\n  - slug: extra-one\n", 1)
    });
    assert!(site.path(".public.spare/extra-1").is_dir());
    site.build();
    assert!(!site.path(".public.spare/extra-1").exists());
    assert!(!site.path(".public.spare/extra-1.json").exists());
}

fn dir_inode(site: &SiteTest, rel: &str) -> u64 {
    std::fs::metadata(site.path(rel)).unwrap().ino()
}
