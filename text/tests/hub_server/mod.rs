//! A tiny HuggingFace Hub on 127.0.0.1 for the download tests (std only, one thread per
//! connection): the routes `hf-hub` uses, with the hub's headers.
//! - `GET /api/models/{repo}/revision/{rev}`: `{"id", "sha", "siblings": [{"rfilename"}]}`.
//! - `GET /{repo}/resolve/{rev}/{file}`: a non-LFS file answers itself (`ETag` = git blob
//!   SHA-1, `X-Repo-Commit`, `Range` → 206 + `Content-Range`); an LFS file (weights) answers
//!   302 to the absolute CDN address with `X-Linked-Etag` (its SHA-256), `X-Linked-Size` and
//!   `X-Repo-Commit`, as the hub does.
//! - `GET /cdn-lfs/{sha256}`: the LFS bytes, with `Range`.
//!
//! Unknown repositories, revisions and files answer 404 with the hub's `X-Error-Code`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::common::{RepoFiles, git_blob_sha1, is_lfs, sha256_hex};

/// One repository the server holds at one commit (served for `main` and the commit hash).
pub struct ServedRepo {
    pub id: String,
    pub commit: String,
    pub files: RepoFiles,
}

struct State {
    repos: Vec<ServedRepo>,
    /// "GET /path" of every request, in arrival order.
    log: Mutex<Vec<String>>,
    addr: SocketAddr,
}

/// The running server; [`HubServer::stop`] (or drop) shuts it down.
pub struct HubServer {
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HubServer {
    /// Starts serving `repos` on a free port of 127.0.0.1.
    pub fn start(repos: Vec<ServedRepo>) -> HubServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            repos,
            log: Mutex::new(Vec::new()),
            addr,
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    let st = st.clone();
                    std::thread::spawn(move || serve(&st, conn));
                }
            }
        });
        HubServer {
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`, the value for `HF_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.state.addr)
    }

    /// The requests so far, as "GET /path".
    pub fn requests(&self) -> Vec<String> {
        self.state.log.lock().unwrap().clone()
    }

    /// Stops accepting connections and waits for the listener to close.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(t) = self.thread.take() {
            self.stop.store(true, Ordering::SeqCst);
            let _ = TcpStream::connect(self.state.addr); // wakes the accept loop
            t.join().unwrap();
        }
    }
}

impl Drop for HubServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A response: status, headers, body.
type Response = (u16, Vec<(&'static str, String)>, Vec<u8>);

fn not_found(code: &str) -> Response {
    let body = format!("{{\"error\":\"{code}\"}}").into_bytes();
    (404, vec![("X-Error-Code", code.to_string())], body)
}

/// The bytes `range` (`bytes=a-b` / `bytes=a-`) selects of `data`: 206 with `Content-Range`,
/// or 200 with everything when there is no range.
fn ranged(
    data: &[u8],
    range: Option<&String>,
    mut headers: Vec<(&'static str, String)>,
) -> Response {
    headers.push(("Accept-Ranges", "bytes".into()));
    let Some(spec) = range.and_then(|r| r.strip_prefix("bytes=")) else {
        return (200, headers, data.to_vec());
    };
    let (a, b) = spec.split_once('-').unwrap();
    let start: usize = a.parse().unwrap();
    let end = if b.is_empty() {
        data.len() - 1
    } else {
        b.parse::<usize>().unwrap().min(data.len() - 1)
    };
    headers.push((
        "Content-Range",
        format!("bytes {start}-{end}/{}", data.len()),
    ));
    (206, headers, data[start..=end].to_vec())
}

/// The answer to `GET path` with request headers `req` (lower-case names).
fn route(state: &State, path: &str, req: &HashMap<String, String>) -> Response {
    if let Some(sha) = path.strip_prefix("/cdn-lfs/") {
        let file = state
            .repos
            .iter()
            .flat_map(|r| r.files.iter())
            .find(|(n, d)| is_lfs(n) && sha256_hex(d) == sha);
        return match file {
            Some((_, data)) => ranged(data, req.get("range"), vec![("ETag", format!("\"{sha}\""))]),
            None => not_found("EntryNotFound"),
        };
    }
    for repo in &state.repos {
        let serves = |rev: &str| rev == "main" || rev == repo.commit;
        let api = format!("/api/models/{}/revision/", repo.id);
        if let Some(rev) = path.strip_prefix(&api) {
            if !serves(rev) {
                return not_found("RevisionNotFound");
            }
            let siblings: Vec<serde_json::Value> = repo
                .files
                .iter()
                .map(|(n, _)| serde_json::json!({ "rfilename": n }))
                .collect();
            let body = serde_json::json!({"id": repo.id, "sha": repo.commit, "siblings": siblings});
            let headers = vec![("Content-Type", "application/json".to_string())];
            return (200, headers, body.to_string().into_bytes());
        }
        let resolve = format!("/{}/resolve/", repo.id);
        let Some(rest) = path.strip_prefix(&resolve) else {
            continue;
        };
        let (rev, file) = rest.split_once('/').unwrap_or((rest, ""));
        if !serves(rev) {
            return not_found("RevisionNotFound");
        }
        let Some((name, data)) = repo.files.iter().find(|(n, _)| n == file) else {
            return not_found("EntryNotFound");
        };
        let mut headers = vec![
            ("X-Repo-Commit", repo.commit.clone()),
            ("ETag", format!("\"{}\"", git_blob_sha1(data))),
        ];
        if is_lfs(name) {
            let sha = sha256_hex(data);
            let location = format!("http://{}/cdn-lfs/{sha}", state.addr);
            headers.extend([
                ("X-Linked-Etag", format!("\"{sha}\"")),
                ("X-Linked-Size", data.len().to_string()),
                ("Location", location),
            ]);
            return (302, headers, Vec::new());
        }
        return ranged(data, req.get("range"), headers);
    }
    not_found("RepoNotFound")
}

/// Reads one request from `conn`, answers it and closes the connection.
fn serve(state: &State, conn: TcpStream) {
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("/").to_string(),
    );
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_lowercase(), v.trim().to_string());
        }
    }
    state.log.lock().unwrap().push(format!("{method} {path}"));
    let (status, extra, body) = if method == "GET" {
        route(state, &path, &headers)
    } else {
        (405, Vec::new(), Vec::new())
    };
    let reason = match status {
        200 => "OK",
        206 => "Partial Content",
        302 => "Found",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    for (k, v) in &extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut conn = reader.into_inner();
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(&body);
}
