//! Errors about the site's input files, each naming `file:line:col` and what
//! was expected, in the format editors and CI annotators understand.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem in one input file (config, snapshot, content, catalog).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    pub path: PathBuf,
    /// 1-based line and column, when the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl InputError {
    pub fn new(path: &Path, position: Option<(usize, usize)>, message: impl Into<String>) -> Self {
        InputError {
            path: path.to_owned(),
            position,
            message: message.into(),
        }
    }

    /// From a YAML error. `line_offset` is the number of lines before the
    /// YAML text in the real file (front matter starts after its `---`).
    pub fn from_yaml(path: &Path, err: &serde_yaml::Error, line_offset: usize) -> Self {
        let mut message = err.to_string();
        let position = err.location().map(|loc| {
            // serde_norway appends " at line L column C"; we put the place first.
            let suffix = format!(" at line {} column {}", loc.line(), loc.column());
            if let Some(stripped) = message.strip_suffix(&suffix) {
                message = stripped.to_owned();
            }
            (loc.line() + line_offset, loc.column())
        });
        InputError {
            path: path.to_owned(),
            position,
            message,
        }
    }

    pub fn from_json(path: &Path, err: &serde_json::Error) -> Self {
        let mut message = err.to_string();
        let suffix = format!(" at line {} column {}", err.line(), err.column());
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_owned();
        }
        let position = (err.line() > 0).then_some((err.line(), err.column()));
        InputError {
            path: path.to_owned(),
            position,
            message,
        }
    }

    pub fn io(path: &Path, err: &std::io::Error) -> Self {
        InputError::new(path, None, format!("cannot read: {err}"))
    }
}

/// Every input problem found, so `check` can report them all at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputErrors(pub Vec<InputError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl From<InputError> for InputErrors {
    fn from(e: InputError) -> Self {
        InputErrors(vec![e])
    }
}

/// Finds where a YAML scalar `value` first appears at or after `from_line`
/// (1-based), as a whole token. Used to place errors that are found after
/// parsing (a reference that names nothing); serde gives no spans.
pub fn locate_scalar(text: &str, from_line: usize, value: &str) -> Option<(usize, usize)> {
    let is_delim = |c: Option<char>| {
        c.is_none_or(|c| {
            c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}' | ':' | '"' | '\'')
        })
    };
    for (i, line) in text.lines().enumerate().skip(from_line.saturating_sub(1)) {
        let code = line.split(" #").next().unwrap_or(line);
        let mut start = 0;
        while let Some(found) = code[start..].find(value) {
            let at = start + found;
            let before = code[..at].chars().next_back();
            let after = code[at + value.len()..].chars().next();
            if is_delim(before) && is_delim(after) {
                return Some((i + 1, code[..at].chars().count() + 1));
            }
            start = at + value.len();
        }
    }
    None
}

/// The candidate nearest to `word`, when one is close enough to be what
/// was meant (a typo: at most a third of the word's letters differ, by
/// optimal string alignment distance, ignoring case): for "did you mean".
pub fn nearest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let w: Vec<char> = word.to_lowercase().chars().collect();
    let limit = (w.len() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| !c.eq_ignore_ascii_case(word))
        .map(|c| {
            (
                osa_distance(&w, &c.to_lowercase().chars().collect::<Vec<_>>()),
                c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`.
fn osa_distance(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[n][m]
}

/// "did you mean `x`?" for serde's "unknown field `y`, expected one of
/// `a`, `b`" (and unknown variants), appended to its message.
pub fn suggest_field(message: &str) -> Option<String> {
    let unknown = message
        .split("unknown field `")
        .nth(1)
        .or_else(|| message.split("unknown variant `").nth(1))?;
    let word = unknown.split('`').next()?;
    let expected = message
        .split("expected one of ")
        .nth(1)
        .or_else(|| message.split("expected ").nth(1))?;
    let candidates: Vec<&str> = expected
        .split('`')
        .enumerate()
        .filter(|(k, _)| k % 2 == 1)
        .map(|(_, s)| s)
        .collect();
    nearest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_scalar_finds_whole_tokens_only() {
        let text = "a: exchange-online\nservices: [teams, exchange]\n- exchange\n";
        assert_eq!(locate_scalar(text, 1, "exchange"), Some((2, 19)));
        assert_eq!(locate_scalar(text, 3, "exchange"), Some((3, 3)));
        assert_eq!(locate_scalar(text, 1, "nothing"), None);
    }
}
