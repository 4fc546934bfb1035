//! `badge.svg`: the overall status as a two-part badge. The status is
//! written out (colour only repeats it), the image has a `<title>` and an
//! accessible name, and both colours keep white text above 4.5:1 contrast.

use super::xml_escape;
use crate::model::Health;
use crate::site::views::LocaleViews;

fn colour(h: Health) -> &'static str {
    match h {
        Health::Operational => "#1a7f37",
        Health::Maintenance => "#0969da",
        Health::Unknown => "#57606a",
        Health::Degraded => "#9a6700",
        Health::PartialOutage => "#bc4c00",
        Health::MajorOutage => "#cf222e",
    }
}

/// Estimated advance of `s` at 11px in a sans-serif font: wide for CJK and
/// Hangul, narrow otherwise. `textLength` makes the text fit exactly.
fn text_width(s: &str) -> u32 {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x11FF
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7AF
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60 => 11,
            _ if c.is_ascii_uppercase() => 8,
            _ => 7,
        })
        .sum()
}

pub fn svg(v: &LocaleViews) -> String {
    let health = v.model.overall;
    let label = v.cat.t("badge.label");
    let value = v.cat.t(&format!("health.{}", health.key()));
    let title = v.cat.label_value(&label, &value);
    let (lw, vw) = (text_width(&label), text_width(&value));
    let (lbox, vbox) = (lw + 12, vw + 12);
    let width = lbox + vbox;
    let tag = v.cat.locale.tag();
    format!(
        concat!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"20\" ",
            "viewBox=\"0 0 {width} 20\" role=\"img\" aria-label=\"{title}\" lang=\"{tag}\">\n",
            "<title>{title}</title>\n",
            "<rect width=\"{lbox}\" height=\"20\" fill=\"#444d56\"/>\n",
            "<rect x=\"{lbox}\" width=\"{vbox}\" height=\"20\" fill=\"{colour}\"/>\n",
            "<g fill=\"#ffffff\" font-family=\"Verdana,DejaVu Sans,Noto Sans CJK KR,Noto Sans CJK SC,sans-serif\" font-size=\"11\" aria-hidden=\"true\">\n",
            "<text x=\"6\" y=\"14\" textLength=\"{lw}\" lengthAdjust=\"spacingAndGlyphs\">{label}</text>\n",
            "<text x=\"{vx}\" y=\"14\" textLength=\"{vw}\" lengthAdjust=\"spacingAndGlyphs\" data-health=\"{key}\">{value}</text>\n",
            "</g>\n",
            "</svg>\n"
        ),
        width = width,
        title = xml_escape(&title),
        tag = xml_escape(tag),
        lbox = lbox,
        vbox = vbox,
        colour = colour(health),
        lw = lw,
        label = xml_escape(&label),
        vx = lbox + 6,
        vw = vw,
        key = health.key(),
        value = xml_escape(&value),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_scripts_take_more_room() {
        assert!(text_width("정상") > text_width("ok"));
        assert_eq!(text_width("正常"), 22);
    }
}
