//! The HTTP side of `apply`: the API's address, the token, pacing and retries.
//!
//! Reads (GET) are retried on 429, 5xx and network errors. A change (POST/PATCH) is retried
//! here only on 429, which amoCRM answers before doing anything; after a 5xx or a network
//! error nobody knows whether it was applied, so [`SendError::Uncertain`] goes back to the
//! caller, which looks at the cards before sending what is still missing. 401 and 403 stop the
//! run. The token goes only into the `Authorization` header: never into a message, the journal
//! or `Debug` output.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::rate::{backoff, Clock, Pace, SystemClock};
use crate::params::ApplyParams;

/// Failures that end a run.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("amoCRM refused the token (HTTP {status}: {detail}); check AMOCRM_TOKEN or --token-file: it must be a long-lived token of an integration with access to contacts and deals, of this account")]
    Auth { status: u16, detail: String },
    #[error("{0}")]
    Stopped(String),
}

/// How a change request failed.
#[derive(Debug)]
pub enum SendError {
    /// A 5xx or a network error: the change may or may not have been applied.
    Uncertain(String),
    /// Another 4xx: amoCRM refused the change (nothing was applied).
    Refused {
        status: u16,
        detail: String,
    },
    Fatal(ApiError),
}

/// The API token. Its `Debug` hides it.
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

impl Token {
    /// The token from `file`, else from the environment variable `AMOCRM_TOKEN`.
    pub fn load(file: Option<&Path>) -> Result<Token, String> {
        let (text, from) = match file {
            Some(p) => (
                std::fs::read_to_string(p)
                    .map_err(|e| format!("{}: cannot read the token file: {e}", p.display()))?,
                p.display().to_string(),
            ),
            None => (
                std::env::var("AMOCRM_TOKEN").map_err(|_| {
                    "no API token: set the environment variable AMOCRM_TOKEN or give --token-file FILE".to_string()
                })?,
                "AMOCRM_TOKEN".to_string(),
            ),
        };
        let token = text.trim();
        if token.is_empty() || token.contains(char::is_whitespace) {
            return Err(format!("{from}: not a token (empty, or several words)"));
        }
        Ok(Token(token.to_string()))
    }
}

/// `https://SUBDOMAIN.amocrm.ru`, or `--api-base`: HTTPS, or plain HTTP to this machine only.
pub fn api_base(account: &str, api_base: Option<&str>) -> Result<String, String> {
    let Some(base) = api_base else {
        let valid = !account.is_empty()
            && account
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(format!("--account «{account}»: give the subdomain only (okna for okna.amocrm.ru); for a Kommo or other domain use --api-base https://…"));
        }
        return Ok(format!("https://{account}.amocrm.ru"));
    };
    let base = base.trim_end_matches('/');
    let (scheme, rest) = base
        .split_once("://")
        .ok_or_else(|| format!("--api-base {base}: not a URL (https://…)"))?;
    let host = rest.split('/').next().unwrap_or_default();
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    match scheme {
        "https" if !host.is_empty() => Ok(base.to_string()),
        "http" if is_loopback(host) => Ok(base.to_string()),
        "http" => Err(format!(
            "--api-base {base}: plain http is accepted only for this machine (127.0.0.1, localhost); use https"
        )),
        _ => Err(format!("--api-base {base}: not an https:// URL")),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// One answer as read off the wire.
enum Answer {
    Status {
        status: u16,
        retry_after: Option<u64>,
        body: String,
    },
    Transport(String),
}

/// The client of one run.
pub struct Api {
    agent: ureq::Agent,
    base: String,
    token: Token,
    pace: Pace,
    clock: Box<dyn Clock>,
    max_attempts: u32,
    backoff: Duration,
    /// Requests sent (every attempt counts).
    pub requests: usize,
}

impl Api {
    pub fn new(base: String, token: Token, p: &ApplyParams) -> Api {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(p.timeout_secs.max(1))))
            .user_agent(concat!("crmclean/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Api {
            agent,
            base,
            token,
            pace: Pace::per_second(p.requests_per_second),
            clock: Box::new(SystemClock::default()),
            max_attempts: p.max_attempts.max(1),
            backoff: Duration::from_millis(p.backoff_ms),
            requests: 0,
        }
    }

    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Sleeps before attempt `attempt` of something that failed.
    pub fn pause(&self, attempt: u32, retry_after: Option<u64>) {
        let d = retry_after.map_or_else(|| backoff(self.backoff, attempt), Duration::from_secs);
        self.clock.sleep(d);
    }

    fn exchange(&mut self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.pace.wait(&*self.clock);
        self.requests += 1;
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.token.0);
        let json = body.map(Value::to_string).unwrap_or_default();
        let sent = match method {
            "GET" => self.agent.get(&url).header("Authorization", &auth).call(),
            "PATCH" => self
                .agent
                .patch(&url)
                .header("Authorization", &auth)
                .content_type("application/json")
                .send(json.as_bytes()),
            _ => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .content_type("application/json")
                .send(json.as_bytes()),
        };
        match sent {
            Ok(mut r) => {
                let status = r.status().as_u16();
                let retry_after = r
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse().ok());
                match r.body_mut().read_to_string() {
                    Ok(body) => Answer::Status {
                        status,
                        retry_after,
                        body,
                    },
                    Err(e) => Answer::Transport(e.to_string()),
                }
            }
            Err(e) => Answer::Transport(e.to_string()),
        }
    }

    /// `GET path`: the JSON answer, `None` for 204 (amoCRM's «nothing found»).
    pub fn get(&mut self, path: &str) -> Result<Option<Value>, ApiError> {
        let mut last = String::new();
        let mut wait = None;
        for attempt in 1..=self.max_attempts {
            if attempt > 1 {
                self.pause(attempt, wait.take());
            }
            match self.exchange("GET", path, None) {
                Answer::Status { status: 204, .. } => return Ok(None),
                Answer::Status {
                    status: 200..=299,
                    body,
                    ..
                } => {
                    return serde_json::from_str(&body).map(Some).map_err(|e| {
                        ApiError::Stopped(format!("GET {path}: not a JSON answer: {e}"))
                    })
                }
                Answer::Status {
                    status: status @ (401 | 403),
                    body,
                    ..
                } => {
                    return Err(ApiError::Auth {
                        status,
                        detail: detail(&body),
                    })
                }
                Answer::Status {
                    status: 429,
                    retry_after,
                    ..
                } => {
                    wait = retry_after;
                    last = "HTTP 429 (too many requests)".into();
                }
                Answer::Status { status, body, .. } if status >= 500 => {
                    last = format!("HTTP {status}: {}", detail(&body));
                }
                Answer::Status { status, body, .. } => {
                    return Err(ApiError::Stopped(format!(
                        "GET {path}: HTTP {status}: {}",
                        detail(&body)
                    )))
                }
                Answer::Transport(e) => last = e,
            }
        }
        Err(ApiError::Stopped(format!(
            "GET {path} failed {} times, last: {last}",
            self.max_attempts
        )))
    }

    /// Sends a change; retries only on 429. The status and JSON answer (null when empty).
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        body: &Value,
    ) -> Result<(u16, Value), SendError> {
        let mut wait = None;
        for attempt in 1..=self.max_attempts {
            if attempt > 1 {
                self.pause(attempt, wait.take());
            }
            match self.exchange(method, path, Some(body)) {
                Answer::Status {
                    status: status @ 200..=299,
                    body,
                    ..
                } => return Ok((status, serde_json::from_str(&body).unwrap_or(Value::Null))),
                Answer::Status {
                    status: status @ (401 | 403),
                    body,
                    ..
                } => {
                    return Err(SendError::Fatal(ApiError::Auth {
                        status,
                        detail: detail(&body),
                    }))
                }
                Answer::Status {
                    status: 429,
                    retry_after,
                    ..
                } => wait = retry_after,
                Answer::Status { status, body, .. } if status >= 500 => {
                    return Err(SendError::Uncertain(format!(
                        "HTTP {status}: {}",
                        detail(&body)
                    )))
                }
                Answer::Status { status, body, .. } => {
                    return Err(SendError::Refused {
                        status,
                        detail: detail(&body),
                    })
                }
                Answer::Transport(e) => return Err(SendError::Uncertain(e)),
            }
        }
        Err(SendError::Fatal(ApiError::Stopped(format!(
            "{method} {path}: still HTTP 429 (too many requests) after {} attempts",
            self.max_attempts
        ))))
    }
}

/// A short description of an error answer: amoCRM's problem+json `title`/`detail` and its
/// validation errors, else the start of the body.
fn detail(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return body.chars().take(200).collect();
    };
    let mut parts: Vec<String> = ["title", "detail"]
        .iter()
        .filter_map(|k| v.get(k).and_then(Value::as_str).map(str::to_string))
        .collect();
    if let Some(errors) = v.get("validation-errors") {
        parts.push(errors.to_string().chars().take(300).collect());
    }
    if parts.is_empty() {
        body.chars().take(200).collect()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_is_https_or_loopback() {
        assert_eq!(api_base("okna", None).unwrap(), "https://okna.amocrm.ru");
        assert!(api_base("okna.amocrm.ru", None).is_err());
        assert_eq!(
            api_base("x", Some("https://okna.kommo.com/")).unwrap(),
            "https://okna.kommo.com"
        );
        assert!(api_base("x", Some("http://127.0.0.1:8080")).is_ok());
        assert!(api_base("x", Some("http://localhost:1")).is_ok());
        assert!(api_base("x", Some("http://[::1]:1")).is_ok());
        assert!(api_base("x", Some("http://okna.amocrm.ru")).is_err());
        assert!(api_base("x", Some("http://127.0.0.1.evil.com")).is_err());
        assert!(api_base("x", Some("ftp://okna")).is_err());
    }

    #[test]
    fn the_token_never_shows() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "  secret-value\n").unwrap();
        let t = Token::load(Some(&file)).unwrap();
        assert_eq!(t.0, "secret-value");
        assert!(!format!("{t:?}").contains("secret"));
        std::fs::write(&file, "\n").unwrap();
        assert!(Token::load(Some(&file)).is_err());
    }

    #[test]
    fn error_details_come_from_problem_json() {
        let body = r#"{"title":"Bad Request","detail":"Request validation failed","validation-errors":[{"request_id":"0"}]}"#;
        assert_eq!(
            detail(body),
            r#"Bad Request: Request validation failed: [{"request_id":"0"}]"#
        );
        assert_eq!(detail("oops"), "oops");
    }
}
