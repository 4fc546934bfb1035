//! The mail of a message: `multipart/alternative` (text, HTML), threaded
//! per incident (`Message-ID`, `In-Reply-To`, `References`), with
//! `List-Unsubscribe`.

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

macro_rules! raw_header {
    ($ty:ident, $name:literal) => {
        #[derive(Clone)]
        struct $ty(String);
        impl Header for $ty {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }
            fn parse(s: &str) -> Result<Self, BoxError> {
                Ok($ty(s.to_owned()))
            }
            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

raw_header!(ListUnsubscribe, "List-Unsubscribe");
raw_header!(ListUnsubscribePost, "List-Unsubscribe-Post");
raw_header!(ContentLanguage, "Content-Language");
raw_header!(AutoSubmitted, "Auto-Submitted");

pub struct Mail<'a> {
    pub from: &'a Mailbox,
    pub to: &'a str,
    pub subject: &'a str,
    pub id: &'a str,
    /// The thread this message belongs to (an incident), if any.
    pub thread: Option<&'a str>,
    pub unsubscribe: &'a str,
    pub lang: &'a str,
    pub date: chrono::DateTime<chrono::Utc>,
    pub text: String,
    pub html: String,
}

/// The domain of message ids: the sender's.
pub fn id_domain(from: &Mailbox) -> String {
    from.email.domain().to_owned()
}

/// RFC 5322 bytes of the mail.
pub fn format(m: Mail<'_>) -> Result<String, String> {
    let to: Mailbox =
        m.to.parse()
            .map_err(|e| format!("`{}` is not a mail address: {e}", m.to))?;
    let domain = id_domain(m.from);
    let mut b = lettre::Message::builder()
        .from(m.from.clone())
        .to(to)
        .subject(m.subject)
        .message_id(Some(format!("<{}@{domain}>", m.id)))
        .date(m.date.into())
        .header(ContentLanguage(m.lang.to_owned()))
        .header(AutoSubmitted("auto-generated".to_owned()))
        .header(ListUnsubscribe(format!("<{}>", m.unsubscribe)));
    if m.unsubscribe.starts_with("https://") {
        b = b.header(ListUnsubscribePost("List-Unsubscribe=One-Click".to_owned()));
    }
    if let Some(t) = m.thread {
        let root = format!("<{t}@{domain}>");
        b = b.in_reply_to(root.clone()).references(root);
    }
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(m.text),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(m.html),
        );
    let msg = b.multipart(body).map_err(|e| e.to_string())?;
    String::from_utf8(msg.formatted()).map_err(|e| e.to_string())
}
