//! Embeds every catalog in `i18n/` as a built-in locale: adding a locale is
//! adding its file, with no code change.

use std::fmt::Write as _;

fn main() {
    println!("cargo:rerun-if-changed=i18n");
    let mut tags: Vec<String> = std::fs::read_dir("i18n")
        .expect("the i18n/ folder")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".yaml").map(str::to_owned)
        })
        .collect();
    tags.sort();
    let mut out = String::from("&[\n");
    for tag in &tags {
        let _ = writeln!(
            out,
            "    ({tag:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/i18n/{tag}.yaml\"))),"
        );
    }
    out.push_str("]\n");
    let path =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("catalogs.rs");
    std::fs::write(path, out).expect("write catalogs.rs");
}
