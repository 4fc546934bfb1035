//! A partner user's refresh token, shared by every customer tenant's token
//! request of a run. Entra answers each redemption with a new refresh token
//! and keeps the old ones valid; the newest is used from then on, and the
//! first new one of a run is written back to the file the token came from
//! (atomically, readable only by its owner), so the file's 90-day
//! inactivity window keeps sliding. A token from an environment variable
//! cannot be written back: the summary says so.

use std::path::PathBuf;
use std::sync::Mutex;

use super::Secret;

/// Where the refresh token came from.
#[derive(Debug, Clone)]
pub enum Origin {
    File(PathBuf),
    Env(String),
}

#[derive(Debug)]
struct State {
    current: Secret,
    /// A rotated token was written this run (at most once a run).
    written: bool,
    /// What happened that the operator should hear of.
    notes: Vec<String>,
}

#[derive(Debug)]
pub struct Store {
    /// The credential set's name, for messages.
    name: String,
    origin: Origin,
    state: Mutex<State>,
}

impl Store {
    pub fn new(name: &str, origin: Origin, token: Secret) -> Store {
        Store {
            name: name.to_owned(),
            origin,
            state: Mutex::new(State {
                current: token,
                written: false,
                notes: Vec::new(),
            }),
        }
    }

    /// The token to redeem now.
    pub fn current(&self) -> Secret {
        self.state
            .lock()
            .expect("refresh token lock")
            .current
            .clone()
    }

    /// The token endpoint answered with `new`: use it from now on, and
    /// write the first new one of the run back to its file.
    pub fn rotated(&self, new: Secret) {
        let mut st = self.state.lock().expect("refresh token lock");
        if new.expose() == st.current.expose() || new.expose().is_empty() {
            return;
        }
        st.current = new;
        if st.written {
            return;
        }
        st.written = true;
        match &self.origin {
            Origin::File(path) => {
                let mut bytes = st.current.expose().as_bytes().to_vec();
                bytes.push(b'\n');
                if let Err(e) = crate::history::write_private(path, &bytes) {
                    st.notes.push(format!(
                        "credentials `{}`: a new refresh token could not be saved to {}: {e}; the old one stays valid until 90 days without use",
                        self.name,
                        path.display()
                    ));
                }
            }
            Origin::Env(var) => st.notes.push(format!(
                "credentials `{}`: Entra issued a new refresh token, which cannot be saved to the environment variable {var}; the old one stays valid until 90 days without use (use refresh_token_file to keep it current)",
                self.name
            )),
        }
    }

    /// Messages for the fetch summary, once.
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut self.state.lock().expect("refresh token lock").notes)
    }
}
