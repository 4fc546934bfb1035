//! Post-incident report documents: what one is (known by its first bytes,
//! never by what upstream says it is), and the name the history store
//! keeps it under (`data/reports/<sha256>.<ext>`; see
//! `history::keep_report`).

/// The kinds of document a site serves. Anything else upstream answers (an
/// HTML error page, JSON) is never copied into a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    /// An Office Open XML word-processing document.
    Docx,
}

impl Format {
    /// What the bytes are, by their signature: `%PDF-`, or a ZIP archive
    /// holding `word/document.xml`.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"%PDF-") {
            return Some(Format::Pdf);
        }
        if bytes.starts_with(b"PK\x03\x04") && contains(bytes, b"word/document.xml") {
            return Some(Format::Docx);
        }
        None
    }

    /// From a file name's extension (a snapshot file's report).
    pub fn of_name(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "pdf" => Some(Format::Pdf),
            "docx" => Some(Format::Docx),
            _ => None,
        }
    }

    /// Its file extension, which is also the catalog key of its name on
    /// pages (`report_format.pdf`).
    pub fn ext(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The store's name of a document: its SHA-256 and its kind's extension.
pub fn store_name(bytes: &[u8], format: Format) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.{}", format.ext())
}

/// Whether `name` is a name [`store_name`] gives (history files are read
/// from disk: a name leading out of the folder is refused).
pub fn is_store_name(name: &str) -> bool {
    name.split_once('.').is_some_and(|(hex, ext)| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            && Format::of_name(name).is_some_and(|f| f.ext() == ext)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_known_by_their_bytes() {
        assert_eq!(Format::sniff(b"%PDF-1.7\n..."), Some(Format::Pdf));
        let mut docx = b"PK\x03\x04....[Content_Types].xml".to_vec();
        docx.extend_from_slice(b"....word/document.xml....");
        assert_eq!(Format::sniff(&docx), Some(Format::Docx));
        // A ZIP that is no Word document, an HTML error page, JSON.
        assert_eq!(Format::sniff(b"PK\x03\x04....xl/workbook.xml"), None);
        assert_eq!(Format::sniff(b"<!DOCTYPE html><title>Error</title>"), None);
        assert_eq!(Format::sniff(b"{\"error\":{}}"), None);
        assert_eq!(Format::sniff(b""), None);
    }

    #[test]
    fn store_names_are_content_hashes() {
        let name = store_name(b"%PDF-1.7", Format::Pdf);
        assert!(is_store_name(&name), "{name}");
        assert_eq!(name.len(), 64 + 4);
        assert_ne!(name, store_name(b"%PDF-1.6", Format::Pdf));
        for bad in [
            "../../etc/passwd",
            "x.pdf",
            &name.replace(".pdf", ".html"),
            &name.to_uppercase(),
            &format!("../{name}"),
        ] {
            assert!(!is_store_name(bad), "{bad}");
        }
    }
}
