//! The book's template reference (docs/src/theming/templates.md) against
//! the contexts pages are really rendered with (the demo and a site from
//! `statusfleet init`), both ways; and the book's theme-override example,
//! built.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};

use support::{SiteTest, repo};

/// The templates that extend `base.html` and get "Variables of every page".
const PAGES: [&str; 7] = [
    "overview.html",
    "service.html",
    "incident.html",
    "history.html",
    "maintenance.html",
    "page.html",
    "widget.html",
];

/// The book's page with the template reference.
fn reference_page() -> String {
    std::fs::read_to_string(repo().join("docs/src/theming/templates.md")).unwrap()
}

/// Every page of the book, with the README: where the examples are quoted.
fn docs() -> String {
    support::book()
}

/// One row of a reference table: names, type (`text`, `` `T`? ``,
/// `` [`T`] ``, … or empty for "as on every page").
#[derive(Clone, Debug)]
struct Row {
    names: Vec<String>,
    ty: String,
}

#[derive(Default, Debug)]
struct Reference {
    /// Per group (`every page`, `overview.html`, …), its rows.
    groups: BTreeMap<String, Vec<Row>>,
    /// Per type, its rows (`*every field of*` rows have the name `*`).
    types: BTreeMap<String, Vec<Row>>,
}

fn backticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn parse_reference(readme: &str) -> Reference {
    let start = readme
        .find("# Template reference")
        .expect("a template reference");
    let end = readme.len();
    let mut r = Reference::default();
    let mut group: Option<String> = None;
    let mut ty: Option<String> = None;
    let mut in_types = false;
    for line in readme[start..end].lines() {
        if let Some(h) = line.strip_prefix("## ") {
            in_types = h == "Types";
            ty = None;
            group = if h == "Variables of every page" {
                Some("every page".to_owned())
            } else {
                backticked(h).first().cloned()
            };
            continue;
        }
        let Some(row) = line.strip_prefix('|') else {
            continue;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        if cells.len() < 2
            || cells[0].starts_with("---")
            || cells[0] == "field"
            || cells[0] == "variable"
        {
            continue;
        }
        if in_types {
            if let Some(name) = cells[0]
                .strip_prefix("**`")
                .and_then(|c| c.strip_suffix("`**"))
            {
                ty = Some(name.to_owned());
                r.types.entry(name.to_owned()).or_default();
                continue;
            }
            let names = if cells[0].starts_with("*every field of*") {
                vec!["*".to_owned()]
            } else {
                backticked(cells[0])
            };
            let t = ty.clone().expect("a field after a type name");
            r.types.get_mut(&t).unwrap().push(Row {
                names,
                ty: cells[1].to_owned(),
            });
        } else if let Some(g) = &group {
            r.groups.entry(g.clone()).or_default().push(Row {
                names: backticked(cells[0]),
                ty: cells[1].to_owned(),
            });
        }
    }
    r
}

impl Reference {
    /// Every path a row documents, types expanded.
    fn expand(&self, prefix: &str, ty: &str, out: &mut BTreeSet<String>) {
        let ty = ty.trim().trim_end_matches('?');
        let (list, inner) = match ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            Some(inner) => (true, inner),
            None => (false, ty),
        };
        let path = if list {
            format!("{prefix}[]")
        } else {
            prefix.to_owned()
        };
        let inner = inner.trim_end_matches('?');
        if let Some(name) = inner.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
            let fields = self
                .types
                .get(name)
                .unwrap_or_else(|| panic!("book: no type `{name}` under Types"));
            for f in fields {
                if f.names == ["*"] {
                    self.expand(&path, &f.ty, out);
                    continue;
                }
                for n in &f.names {
                    self.expand(&format!("{path}.{n}"), &f.ty, out);
                }
            }
        } else {
            assert!(
                ["text", "number", "bool", "HTML"].contains(&inner),
                "book: unknown type `{inner}` for `{prefix}`"
            );
            out.insert(path);
        }
    }

    fn documented(&self, template: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let every = self.groups.get("every page").cloned().unwrap_or_default();
        let mut rows = self.groups.get(template).cloned().unwrap_or_default();
        if PAGES.contains(&template) {
            rows.extend(every.iter().cloned());
        }
        for row in rows {
            for n in &row.names {
                let ty = if row.ty.is_empty() {
                    // "as on every page"
                    every
                        .iter()
                        .find(|r| r.names.contains(n))
                        .map(|r| r.ty.clone())
                        .unwrap_or_else(|| panic!("book: `{n}` of {template} has no type"))
                } else {
                    row.ty.clone()
                };
                self.expand(n, &ty, &mut out);
            }
        }
        out
    }
}

/// `a` covers `b` when they are equal or `b` lies under `a` (`a.x`, `a[]`).
fn under(parent: &str, path: &str) -> bool {
    path == parent
        || path.starts_with(&format!("{parent}."))
        || path.starts_with(&format!("{parent}[]"))
}

fn recorded() -> BTreeMap<String, BTreeSet<String>> {
    let demo = SiteTest::demo();
    let tmp = tempfile::tempdir().unwrap();
    let init = std::process::Command::new(env!("CARGO_BIN_EXE_statusfleet"))
        .arg("init")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(init.status.success());
    let mut all: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for config in [
        demo.path("statusfleet.yaml"),
        tmp.path().join("statusfleet.yaml"),
    ] {
        for (t, paths) in statusfleet::build::template_variables(&config).unwrap() {
            // The console's pages are for the partner, not for themes of
            // the customer sites: the reference does not list them.
            if t.starts_with("console/") {
                continue;
            }
            all.entry(t).or_default().extend(paths);
        }
    }
    all
}

#[test]
fn the_book_lists_every_variable_of_every_template_and_no_other() {
    let reference = parse_reference(&reference_page());
    let recorded = recorded();
    assert_eq!(
        recorded.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "chooser.html",
            "history.html",
            "incident.html",
            "maintenance.html",
            "overview.html",
            "page.html",
            "service.html",
            "widget.html"
        ]
    );
    let mut problems = Vec::new();
    let mut count = 0;
    for (template, paths) in &recorded {
        let documented = reference.documented(template);
        count += documented.len();
        for r in paths {
            // A null or an empty list is covered by the fields under it.
            if !documented.iter().any(|d| under(r, d)) {
                problems.push(format!(
                    "{template}: `{r}` is not in the book's template reference"
                ));
            }
        }
        for d in &documented {
            // What the data had as null or empty cannot be seen below it.
            if !paths.iter().any(|r| under(r, d) || under(d, r)) {
                problems.push(format!(
                    "{template}: the book lists `{d}`, which no page has"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        count > 400,
        "only {count} documented paths: the parser lost rows"
    );
    // Every template of the default theme is in the table of templates.
    let page = reference_page();
    let table = &page[page.find("| template | renders |").unwrap()..];
    for entry in std::fs::read_dir(repo().join("themes/default/templates")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            table.contains(&format!("| `{name}` |")),
            "{name} is not in the book's table of templates"
        );
    }
}

#[test]
fn the_book_theme_override_example_builds() {
    let readme = docs();
    let footer = support::book_block(&readme, "themes/mine/templates/footer.html");
    let css = support::book_block(&readme, "themes/mine/static/mine.css");
    let site = SiteTest::demo()
        .edit("themes/mine/templates/footer.html", |_| footer)
        .edit("themes/mine/static/mine.css", |_| css.clone())
        .edit("statusfleet.yaml", |s| {
            s.replace("  theme: default\n", "  theme: mine\n")
        });
    assert!(site.read("statusfleet.yaml").contains("theme: mine"));
    site.build();
    for page in [
        "public/contoso/en/index.html",
        "public/hanbit/ko-KR/incidents/nw-2026-11-03-seoul-link.html",
        "public/fromagerie/fr-FR/support.html",
    ] {
        let html = site.read(page);
        assert!(
            html.contains(r#"<p class="mine">"#),
            "{page}: the theme's footer"
        );
        assert!(
            !html.contains("Generated by statusfleet"),
            "{page}: the default footer"
        );
        let style = html.find("static/style.css").unwrap();
        let mine = html.find("static/mine.css").expect("mine.css linked");
        assert!(style < mine, "{page}: mine.css after style.css");
        // Everything else is the default theme's.
        assert!(html.contains(r#"<header class="site">"#), "{page}");
    }
    assert!(
        site.read("public/contoso/index.html")
            .contains("static/mine.css")
    );
    assert_eq!(site.read("public/contoso/static/mine.css"), css);
}

#[test]
fn the_book_quotes_the_recipes_exactly_as_tests_recipes_tries_them() {
    let readme = docs();
    let mut quoted = 0;
    for entry in std::fs::read_dir(repo().join("tests/recipes")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let path = format!("tests/recipes/{name}");
        if !readme.contains(&format!("`{path}`:\n")) {
            continue;
        }
        let file = std::fs::read_to_string(repo().join(&path)).unwrap();
        assert_eq!(
            support::book_block(&readme, &path),
            file,
            "the book's copy of {path}"
        );
        quoted += 1;
    }
    assert_eq!(quoted, 11, "recipes quoted in the book");
}
