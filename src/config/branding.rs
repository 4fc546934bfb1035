//! Partner branding: colours (checked for contrast, written to
//! `static/brand.css` as CSS custom properties) and logo files (an image
//! type by extension; an SVG without script).

use std::path::Path;

use serde::{Deserialize, Serialize};

/// A CSS colour written `#rgb` or `#rrggbb`: nothing else can reach the
/// stylesheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color([u8; 3]);

impl Color {
    pub fn parse(s: &str) -> Result<Color, String> {
        let hex = s
            .strip_prefix('#')
            .filter(|h| matches!(h.len(), 3 | 6) && h.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some(hex) = hex else {
            return Err(format!(
                "invalid colour `{}`: expected #rrggbb or #rgb, e.g. \"#2f5b9c\" (quoted: YAML reads # as a comment)",
                s.escape_debug()
            ));
        };
        let digit = |i: usize| u8::from_str_radix(&hex[i..=i], 16).expect("checked");
        Ok(Color(if hex.len() == 3 {
            [digit(0) * 17, digit(1) * 17, digit(2) * 17]
        } else {
            let byte = |i: usize| digit(i) * 16 + digit(i + 1);
            [byte(0), byte(2), byte(4)]
        }))
    }

    /// WCAG 2 relative luminance.
    fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.0[0]) + 0.7152 * lin(self.0[1]) + 0.0722 * lin(self.0[2])
    }

    /// WCAG 2 contrast ratio, 1 to 21.
    pub fn contrast(self, other: Color) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0[0], self.0[1], self.0[2])
    }
}

impl<'de> Deserialize<'de> for Color {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::scope::parse_str(d, "a colour as \"#rrggbb\"", Color::parse)
    }
}

impl Serialize for Color {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.css())
    }
}

/// `site.partner.colors`: the partner's accent, for links, focus rings and
/// the band above the header, in each colour scheme.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Colors {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent: Option<Color>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent_dark: Option<Color>,
}

/// The default theme's page and header backgrounds, light and dark: an
/// accent is text on both.
const LIGHT_BACKGROUNDS: [&str; 2] = ["#ffffff", "#f6f8fa"];
const DARK_BACKGROUNDS: [&str; 2] = ["#0d1117", "#161b22"];
/// WCAG 2.1 AA for normal text (1.4.3).
const MIN_CONTRAST: f64 = 4.5;

impl Colors {
    /// Each accent is readable as link text on the default theme's
    /// backgrounds of its scheme: `Err((key, message))` otherwise.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        for (key, color, backgrounds, scheme) in [
            ("accent", self.accent, LIGHT_BACKGROUNDS, "light"),
            ("accent_dark", self.accent_dark, DARK_BACKGROUNDS, "dark"),
        ] {
            let Some(color) = color else { continue };
            for bg in backgrounds {
                let bg = Color::parse(bg).expect("valid");
                let ratio = color.contrast(bg);
                if ratio < MIN_CONTRAST {
                    return Err((
                        key,
                        format!(
                            "site.partner.colors.{key}: {} has a contrast of {ratio:.2}:1 against the {scheme} background {}; links need at least {MIN_CONTRAST}:1 (WCAG 2.1 AA): expected a {} colour",
                            color.css(),
                            bg.css(),
                            if scheme == "light" {
                                "darker"
                            } else {
                                "lighter"
                            }
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.accent.is_none() && self.accent_dark.is_none()
    }

    /// `static/brand.css`: the accents as the default theme's custom
    /// properties, after `style.css` so they win.
    pub fn stylesheet(&self) -> String {
        let vars = |c: Color| {
            let c = c.css();
            format!("--link: {c}; --focus: {c}; --brand: {c};")
        };
        let mut css =
            String::from("/* site.partner.colors from statusfleet.yaml (generated). */\n");
        if let Some(c) = self.accent {
            css.push_str(&format!(":root {{ {} }}\n", vars(c)));
        }
        if let Some(c) = self.accent_dark {
            css.push_str(&format!(
                "@media (prefers-color-scheme: dark) {{\n  :root {{ {} }}\n}}\n",
                vars(c)
            ));
        }
        css
    }
}

/// Image types a logo may have, by extension.
const LOGO_TYPES: [&str; 7] = ["svg", "png", "jpg", "jpeg", "gif", "webp", "avif"];

/// The extension of a logo, lowercased, if it is an image type.
pub fn logo_extension(path: &Path) -> Result<String, String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if LOGO_TYPES.contains(&ext.as_str()) {
        Ok(ext)
    } else {
        Err(format!(
            "`{}` is not an image: expected a file ending in .{}",
            path.display(),
            LOGO_TYPES.join(", .")
        ))
    }
}

/// An SVG logo is served beside the pages and can be opened on its own,
/// where a script in it would run: refuse what could run.
pub fn check_svg(bytes: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for bad in [
        "<script",
        "javascript:",
        "<foreignobject",
        "<iframe",
        "<embed",
        "<object",
    ] {
        if compact.contains(bad) {
            return Err(format!(
                "an SVG logo must not contain `{bad}`: expected a plain drawing (no scripts, links or embedded documents)"
            ));
        }
    }
    // Event handler attributes: ` onload=`, `\tonclick =`.
    let bytes = text.as_bytes();
    for (i, w) in bytes.windows(2).enumerate() {
        if w == b"on" && i > 0 && bytes[i - 1].is_ascii_whitespace() {
            let name_len = bytes[i + 2..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            let after = text[i + 2 + name_len..].trim_start();
            if name_len > 0 && after.starts_with('=') {
                return Err(format!(
                    "an SVG logo must not contain event handlers (found `on{}=`): expected a plain drawing",
                    &text[i + 2..i + 2 + name_len]
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_strictly() {
        assert_eq!(Color::parse("#2F5b9c").unwrap().css(), "#2f5b9c");
        assert_eq!(Color::parse("#fa0").unwrap().css(), "#ffaa00");
        for bad in ["2f5b9c", "#2f5b9", "red", "#2f5b9c; } body { x", "#ggg", ""] {
            assert!(Color::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn contrast_matches_wcag_examples() {
        let c = |s| Color::parse(s).unwrap();
        assert!((c("#000000").contrast(c("#ffffff")) - 21.0).abs() < 1e-9);
        assert!((c("#ffffff").contrast(c("#ffffff")) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1.
        assert!((c("#767676").contrast(c("#ffffff")) - 4.54).abs() < 0.01);
    }

    #[test]
    fn a_pale_accent_is_refused_with_its_ratio() {
        let colors = Colors {
            accent: Some(Color::parse("#ffcc00").unwrap()),
            accent_dark: None,
        };
        let (key, msg) = colors.check().unwrap_err();
        assert_eq!(key, "accent");
        assert!(msg.contains("#ffcc00 has a contrast of 1.5"), "{msg}");
        let dark = Colors {
            accent: Some(Color::parse("#2f5b9c").unwrap()),
            accent_dark: Some(Color::parse("#1a1a80").unwrap()),
        };
        assert_eq!(dark.check().unwrap_err().0, "accent_dark");
        let good = Colors {
            accent: Some(Color::parse("#2f5b9c").unwrap()),
            accent_dark: Some(Color::parse("#8fb8f0").unwrap()),
        };
        good.check().unwrap();
        let css = good.stylesheet();
        assert!(css.contains(":root { --link: #2f5b9c; --focus: #2f5b9c; --brand: #2f5b9c; }"));
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
    }

    #[test]
    fn svg_logos_with_script_are_refused() {
        check_svg(br##"<svg xmlns="http://www.w3.org/2000/svg"><rect fill="#000"/></svg>"##)
            .unwrap();
        for bad in [
            &b"<svg><script>alert(1)</script></svg>"[..],
            b"<svg onload=\"alert(1)\"/>",
            b"<svg><rect\n  ONCLICK = 'x'/></svg>",
            b"<svg><a href=\"java\tscript:alert(1)\"><rect/></a></svg>",
            b"<svg><foreignObject><p>x</p></foreignObject></svg>",
        ] {
            assert!(check_svg(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        // Words that merely contain "on" are fine.
        check_svg(b"<svg><title>Iron and stone</title><polygon points=\"0,0 1,1\"/></svg>")
            .unwrap();
    }
}
