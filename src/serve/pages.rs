//! What the preview adds: the reload script, and its own pages (a failed
//! build, the list of customers when the site has no fleet index).

use std::path::Path;

use super::PREFIX;
use crate::sanitize::escape;

/// The preview's policy: the site's, plus its own script and its request
/// for the next build. Sent only by the preview.
pub(super) const PREVIEW_CSP: (&str, &str) = (
    "Content-Security-Policy",
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'",
);

/// A built page as the preview sends it: its policy also allows the
/// preview's script, which is added at the end of `<head>`.
pub(super) fn with_reload(html: &str, generation: u64) -> String {
    let site_policy = crate::render::CONTENT_SECURITY_POLICY;
    let html = html.replacen(
        &format!("content=\"{site_policy}\""),
        &format!("content=\"{site_policy}; script-src 'self'; connect-src 'self'\""),
        1,
    );
    html.replacen("</head>", &format!("{}</head>", reload_tag(generation)), 1)
}

fn reload_tag(generation: u64) -> String {
    format!("<script src=\"{PREFIX}reload.js\" data-generation=\"{generation}\" defer></script>\n")
}

/// Asks for the next build and reloads the page when it is done.
pub(super) const RELOAD_JS: &str = r#"// statusfleet serve: reload when the site has been rebuilt.
(function () {
  var script = document.currentScript;
  var generation = script ? script.getAttribute("data-generation") : "0";
  function next(delay) { setTimeout(poll, delay); }
  function poll() {
    fetch("/__statusfleet/events?since=" + generation, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (String(d.generation) !== String(generation)) { location.reload(); } else { next(0); }
      })
      .catch(function () { next(1000); });
  }
  next(0);
})();
"#;

/// A page of the preview itself (not of the site), with the reload script.
fn preview_page(title: &str, body: &str, generation: u64) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · statusfleet preview</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}h1.failed{{color:#b42318}}code{{white-space:pre-wrap;overflow-wrap:anywhere}}li{{margin:.5rem 0}}</style>
{}</head>
<body>
<main>
{body}</main>
</body>
</html>
"#,
        reload_tag(generation)
    )
}

pub(super) fn error_page(lines: &[String], generation: u64) -> String {
    let items: String = lines
        .iter()
        .map(|l| format!("<li><code>{}</code></li>\n", escape(l)))
        .collect();
    preview_page(
        "Build failed",
        &format!(
            "<h1 class=\"failed\">The build failed</h1>\n<p>Nothing is shown until it builds again. Fix the problem and save: this page reloads by itself.</p>\n<ul id=\"errors\">\n{items}</ul>\n"
        ),
        generation,
    )
}

/// `/` when the site has no fleet index: a list of the customers, for the
/// preview only.
pub(super) fn fleet_page(out: &Path, generation: u64) -> String {
    let mut folders: Vec<String> = std::fs::read_dir(out)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let items: String = folders
        .iter()
        .map(|f| format!("<li><a href=\"{0}/\">{0}</a></li>\n", escape(f)))
        .collect();
    preview_page(
        "Customers",
        &format!(
            "<h1>Customers</h1>\n<p>This list exists only in the preview (set <code>site.fleet_index</code> to publish one).</p>\n<ul>\n{items}</ul>\n"
        ),
        generation,
    )
}
