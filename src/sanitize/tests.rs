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
        // Message Center images: the alt text stays.
        (
            "<p>Set it here:<img src=\"https://x.example/a.png\" alt=\"The Teams admin center, Meetings > Recording\"></p>",
            BodyFormat::Html,
            "<p>Set it here:[The Teams admin center, Meetings &gt; Recording]</p>",
        ),
        (
            "<IMG ALT='<script>alert(1)</script>' src=x>",
            BodyFormat::Html,
            "[&lt;script&gt;alert(1)&lt;/script&gt;]",
        ),
        // Statuspage: HTML with plain newlines; a newline after <br />
        // is not a second break.
        (
            "We are investigating.<br /><br />See <a href=\"https://status.example/x\">details</a>.\nNext update in 30 minutes.",
            BodyFormat::Html,
            "<p>We are investigating.<br><br>See <a href=\"https://status.example/x\" rel=\"noopener noreferrer nofollow\">details</a>.<br>Next update in 30 minutes.</p>",
        ),
        (
            "Line one<br />\nLine two\n\nSecond paragraph",
            BodyFormat::Html,
            "<p>Line one<br>Line two</p><p>Second paragraph</p>",
        ),
        (
            "<a href=\"javascript:alert(1)\">x</a> <a href=\"https://e.example/\">y</a>",
            BodyFormat::Html,
            "<a>x</a> <a href=\"https://e.example/\" rel=\"noopener noreferrer nofollow\">y</a>",
        ),
        ("<a href=\"/admin\">rel</a>", BodyFormat::Html, "<a>rel</a>"),
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
fn bodies_become_plain_text() {
    let cases: &[(&str, BodyFormat, &str)] = &[
        ("a < b\r\n\u{7}c", BodyFormat::Text, "a < b\nc"),
        (
            "<p>One &amp; <b>two</b></p><ul><li>x</li><li>y &lt;z&gt;</li></ul><script>bad()</script>",
            BodyFormat::Html,
            "One & two\n\n- x\n- y <z>",
        ),
        (
            "Title: x\n\nUser impact: y",
            BodyFormat::Html,
            "Title: x\n\nUser impact: y",
        ),
        ("**b** &#x4e2d;&#25991;", BodyFormat::Markdown, "b 中文"),
        (
            "<a title=\"a>b\" href=\"https://e.example/\">l</a>",
            BodyFormat::Html,
            "l",
        ),
    ];
    for (input, format, want) in cases {
        assert_eq!(plain_text(input, *format), *want, "input {input:?}");
    }
}

#[test]
fn content_markdown_keeps_relative_links() {
    assert_eq!(
        content_markdown("[support](support.html)"),
        "<p><a href=\"support.html\" rel=\"noopener noreferrer nofollow\">support</a></p>\n"
    );
}
