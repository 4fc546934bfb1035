//! Untrusted text stays text. Every fragment from upstream or from content
//! files reaches a page through one of these functions: plain text is escaped,
//! HTML goes through an allow-list (ammonia), markdown is rendered then
//! sanitized the same way.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// How a body of text is written. Every format is untrusted and is escaped
/// (`text`) or sanitized by an allow-list (`html`, `markdown`) before it
/// reaches a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormat {
    #[default]
    Text,
    Html,
    Markdown,
}

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

/// Partner content may also link phone numbers.
fn builder(partner: bool) -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::empty();
    b.add_tags(TAGS.iter().copied())
        .add_tag_attributes("a", ["href", "title", "hreflang"])
        .add_tag_attributes("abbr", ["title"])
        .add_tag_attributes("td", ["colspan", "rowspan"])
        .add_tag_attributes("th", ["colspan", "rowspan", "scope"])
        .add_tag_attributes("ol", ["start"])
        .url_schemes(if partner {
            HashSet::from(["http", "https", "mailto", "tel"])
        } else {
            HashSet::from(["http", "https", "mailto"])
        })
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_relative(if partner {
            ammonia::UrlRelative::PassThrough
        } else {
            ammonia::UrlRelative::Deny
        });
    b
}

/// Runs the sanitizer, then drops the `rel` it gave a link whose URL it
/// removed: `rel` without `href` is not valid HTML. Images are not kept
/// (no third-party assets), but what their `alt` says is.
fn clean(b: &ammonia::Builder<'static>, html: &str) -> String {
    let out = b.clean(&image_alts(html)).to_string();
    if !out.contains("<a ") {
        return out;
    }
    let mut fixed = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(start) = rest.find("<a ") {
        fixed.push_str(&rest[..start]);
        rest = &rest[start..];
        // The tag ends at the first `>` outside a quoted value.
        let mut quoted = false;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == '>' && !quoted
            })
            .map_or(rest.len(), |(i, _)| i + 1);
        let tag = &rest[..end];
        if tag.contains(" href=\"") {
            fixed.push_str(tag);
        } else {
            fixed.push_str(&tag.replace(" rel=\"noopener noreferrer nofollow\"", ""));
        }
        rest = &rest[end..];
    }
    fixed.push_str(rest);
    fixed
}

/// Replaces each `<img>` that has alt text with that text in brackets
/// (`[Diagram of the new setting]`), so removing the image keeps what it
/// says. The text stays text: `<` and `>` in it are escaped.
fn image_alts(html: &str) -> std::borrow::Cow<'_, str> {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<img") {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find("<img") {
        let start = at + found;
        out.push_str(&html[at..start]);
        // The tag ends at the first `>` outside quotes.
        let mut quote = None;
        let end = html[start..]
            .char_indices()
            .find(|&(_, c)| {
                match (quote, c) {
                    (None, '"' | '\'') => quote = Some(c),
                    (Some(q), c) if c == q => quote = None,
                    _ => {}
                }
                quote.is_none() && c == '>'
            })
            .map_or(html.len(), |(i, _)| start + i + 1);
        let tag = &html[start..end];
        if let Some(alt) = attribute(tag, "alt").filter(|a| !a.trim().is_empty()) {
            out.push('[');
            out.push_str(&alt.trim().replace('<', "&lt;").replace('>', "&gt;"));
            out.push(']');
        }
        at = end;
    }
    out.push_str(&html[at..]);
    std::borrow::Cow::Owned(out)
}

/// The value of attribute `name` in one start tag, quoted or not.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let lower = tag.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let i = from + i;
        from = i + name.len();
        let before_ok = i > 0 && bytes[i - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_at = tag.len() - rest.len() + 1;
        let value = tag[value_at..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value
                .split(|c: char| c.is_ascii_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        });
    }
    None
}

/// A URL from upstream or configuration that may become a link: absolute
/// http, https or mailto, as the URL parser serializes it (so no raw
/// whitespace, quotes or control characters survive). `None` otherwise:
/// `javascript:`, `data:`, relative and unparsable URLs never become links.
pub fn safe_url(s: &str) -> Option<String> {
    let s = s.trim();
    if s.chars().any(char::is_control) {
        return None;
    }
    let url = url::Url::parse(s).ok()?;
    let ok = match url.scheme() {
        "http" | "https" => url.host().is_some(),
        "mailto" => !url.path().is_empty(),
        _ => false,
    };
    ok.then(|| url.as_str().to_owned())
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

/// Block-level tags whose presence means an HTML body lays itself out
/// (`<br>` is not one: Statuspage bodies mix `<br />` with plain newlines).
const BLOCK_TAGS: &[&str] = &[
    "<p",
    "<div",
    "<ul",
    "<ol",
    "<table",
    "<pre",
    "<blockquote",
    "<h",
];

/// An upstream body to safe HTML. Graph types post bodies as HTML even when
/// they are plain text with `\n\n` paragraphs, and Statuspage bodies are
/// HTML written with plain newlines, so HTML without block structure keeps
/// its line breaks (a newline right after a `<br>` is not a second break).
pub fn upstream_body(body: &str, format: BodyFormat) -> String {
    match format {
        BodyFormat::Text => text_to_html(body),
        BodyFormat::Markdown => clean(&UPSTREAM, &markdown_to_html(body)),
        BodyFormat::Html => {
            let lower = body.to_ascii_lowercase();
            let has_blocks = BLOCK_TAGS.iter().any(|t| lower.contains(t));
            if has_blocks || !body.contains('\n') {
                clean(&UPSTREAM, body)
            } else {
                let with_breaks: String = fold_breaks(&body.replace("\r\n", "\n"))
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| format!("<p>{}</p>", p.replace('\n', "<br>")))
                    .collect();
                clean(&UPSTREAM, &with_breaks)
            }
        }
    }
}

/// Drops the newlines that follow a `<br>` tag (and the spaces between),
/// so `a<br />\nb` stays one break when newlines become breaks too.
fn fold_breaks(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let tag_end = rest.find('>').map(|e| e + 1);
        let is_br = tag_end.is_some_and(|e| {
            let inner = rest[1..e - 1].trim().trim_end_matches('/').trim();
            inner.eq_ignore_ascii_case("br")
        });
        match (is_br, tag_end) {
            (true, Some(e)) => {
                out.push_str("<br>");
                rest = &rest[e..];
                let trimmed = rest.trim_start_matches([' ', '\t']);
                if let Some(after) = trimmed.strip_prefix('\n') {
                    rest = after;
                }
            }
            _ => {
                out.push('<');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A body as plain text, for formats that carry no HTML (calendars, the
/// JSON API): sanitized first like a page body, then its tags dropped,
/// blocks and line breaks kept as newlines, entities decoded.
pub fn plain_text(body: &str, format: BodyFormat) -> String {
    plain_text_of(body, format, || upstream_body(body, format))
}

/// [`plain_text`] when the sanitized HTML is already at hand.
pub fn plain_text_of(body: &str, format: BodyFormat, html: impl FnOnce() -> String) -> String {
    match format {
        BodyFormat::Text => {
            let t: String = body
                .replace("\r\n", "\n")
                .chars()
                .filter(|c| *c == '\n' || !c.is_control())
                .collect();
            t.trim().to_owned()
        }
        _ => html_to_text(&html()),
    }
}

/// Safe HTML (sanitizer output) to text.
pub fn html_to_text(html: &str) -> String {
    const PARAGRAPHS: &[&str] = &[
        "p",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "blockquote",
        "table",
        "ul",
        "ol",
        "dl",
        "hr",
        "div",
    ];
    const LINES: &[&str] = &["br", "li", "tr", "dt", "dd"];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        decode_into(&mut out, &rest[..lt]);
        rest = &rest[lt + 1..];
        // The end of the tag, skipping quoted attribute values.
        let mut quote = None;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let tag = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or("");
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if PARAGRAPHS.contains(&name.as_str()) {
            out.push_str("\n\n");
        } else if LINES.contains(&name.as_str()) && !closing {
            out.push('\n');
            if name == "li" {
                out.push_str("- ");
            }
        }
    }
    decode_into(&mut out, rest);
    // Trim each line, and keep at most one blank line in a row.
    let mut text = String::with_capacity(out.len());
    let mut blank = 0;
    for line in out.lines().map(str::trim) {
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !text.is_empty() {
            text.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        text.push_str(line);
    }
    text
}

/// Appends `s` with its character references decoded.
fn decode_into(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) if !c.is_control() || c == '\n' => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            Some(_) => rest = &rest[semi + 1..],
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// Partner-written markdown (content files) to safe HTML. Relative links are
/// kept so content can link to other pages of the site.
pub fn content_markdown(md: &str) -> String {
    clean(&CONTENT, &markdown_to_html(md))
}

fn markdown_to_html(md: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut out = String::with_capacity(md.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(md, opts));
    out
}

#[cfg(test)]
mod tests;
