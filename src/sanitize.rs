//! Untrusted text stays text. Every fragment from upstream or from content
//! files reaches a page through one of these functions: plain text is escaped,
//! HTML goes through an allow-list (ammonia), markdown is rendered then
//! sanitized the same way.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::model::BodyFormat;

/// Tags a body may keep. Everything else is removed (its text kept);
/// `script`, `style` and the like are removed with their content.
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
];

static UPSTREAM: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| builder(false));
static CONTENT: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| builder(true));

fn builder(allow_relative: bool) -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::empty();
    b.add_tags(TAGS.iter().copied())
        .add_tag_attributes("a", ["href", "title", "hreflang"])
        .add_tag_attributes("abbr", ["title"])
        .add_tag_attributes("td", ["colspan", "rowspan"])
        .add_tag_attributes("th", ["colspan", "rowspan", "scope"])
        .add_tag_attributes("ol", ["start"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_relative(if allow_relative {
            ammonia::UrlRelative::PassThrough
        } else {
            ammonia::UrlRelative::Deny
        });
    b
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Plain text to HTML: escaped; blank lines make paragraphs, single newlines
/// make line breaks.
pub fn text_to_html(s: &str) -> String {
    let normalized = s.replace("\r\n", "\n");
    normalized
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>\n")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Block-level tags whose presence means an HTML body lays itself out.
const BLOCK_TAGS: &[&str] = &[
    "<p",
    "<br",
    "<div",
    "<ul",
    "<ol",
    "<table",
    "<pre",
    "<blockquote",
    "<h",
];

/// An upstream body to safe HTML. Graph types post bodies as HTML even when
/// they are plain text with `\n\n` paragraphs, so HTML without any block
/// structure keeps its line breaks.
pub fn upstream_body(body: &str, format: BodyFormat) -> String {
    match format {
        BodyFormat::Text => text_to_html(body),
        BodyFormat::Markdown => UPSTREAM.clean(&markdown_to_html(body)).to_string(),
        BodyFormat::Html => {
            let lower = body.to_ascii_lowercase();
            let has_blocks = BLOCK_TAGS.iter().any(|t| lower.contains(t));
            if has_blocks || !body.contains('\n') {
                UPSTREAM.clean(body).to_string()
            } else {
                let with_breaks: String = body
                    .replace("\r\n", "\n")
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| format!("<p>{}</p>", p.replace('\n', "<br>")))
                    .collect();
                UPSTREAM.clean(&with_breaks).to_string()
            }
        }
    }
}

/// Partner-written markdown (content files) to safe HTML. Relative links are
/// kept so content can link to other pages of the site.
pub fn content_markdown(md: &str) -> String {
    CONTENT.clean(&markdown_to_html(md)).to_string()
}

fn markdown_to_html(md: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut out = String::with_capacity(md.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(md, opts));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_become_safe_html() {
        let cases: &[(&str, BodyFormat, &str)] = &[
            ("a < b & c", BodyFormat::Text, "<p>a &lt; b &amp; c</p>"),
            (
                "Title: x\n\nUser impact: y\nmore",
                BodyFormat::Text,
                "<p>Title: x</p>\n<p>User impact: y<br>\nmore</p>",
            ),
            // Graph: HTML-typed, but plain text with newlines.
            (
                "Title: x\n\nUser impact: y",
                BodyFormat::Html,
                "<p>Title: x</p><p>User impact: y</p>",
            ),
            (
                "<p>ok <script>alert(1)</script></p>",
                BodyFormat::Html,
                "<p>ok </p>",
            ),
            ("<img src=x onerror=alert(1)>hi", BodyFormat::Html, "hi"),
            (
                "<a href=\"javascript:alert(1)\">x</a> <a href=\"https://e.example/\">y</a>",
                BodyFormat::Html,
                "<a rel=\"noopener noreferrer nofollow\">x</a> <a href=\"https://e.example/\" rel=\"noopener noreferrer nofollow\">y</a>",
            ),
            (
                "<a href=\"/admin\">rel</a>",
                BodyFormat::Html,
                "<a rel=\"noopener noreferrer nofollow\">rel</a>",
            ),
            (
                "**bold** <b onclick=x>t</b>",
                BodyFormat::Markdown,
                "<p><strong>bold</strong> <b>t</b></p>\n",
            ),
            (
                "{{ site.secret }} {% raw %}",
                BodyFormat::Text,
                "<p>{{ site.secret }} {% raw %}</p>",
            ),
        ];
        for (input, format, want) in cases {
            assert_eq!(upstream_body(input, *format), *want, "input {input:?}");
        }
    }

    #[test]
    fn content_markdown_keeps_relative_links() {
        assert_eq!(
            content_markdown("[support](support.html)"),
            "<p><a href=\"support.html\" rel=\"noopener noreferrer nofollow\">support</a></p>\n"
        );
    }
}
