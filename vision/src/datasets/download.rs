//! Downloads as `torchvision.datasets.utils` does them: `calculate_md5`, `check_integrity`,
//! `download_url` (skips a file already present with the right MD5; streams into a temporary
//! file beside the target with an indicatif progress bar, checks the MD5, then renames, so a
//! half-written or corrupt download is never left under the real name), `extract_archive`
//! (`.gz` and `.tar.gz`/`.tgz`), `download_and_extract_archive`, and the mirror loop of
//! torchvision's MNIST (`download_from_mirrors`).
//!
//! As in torchvision, only a failure to fetch (no connection, an HTTP error status, a broken
//! transfer) moves on to the next mirror; a file that arrives with the wrong MD5 is an error at
//! once.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use md5::{Digest, Md5};
use torch_core::{Error, Result};

/// The hex MD5 of a file (`calculate_md5`).
pub fn calculate_md5(path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref();
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `check_integrity`: the file exists and, when `md5` is given, has that MD5. An unreadable
/// file counts as not intact.
pub fn check_integrity(path: impl AsRef<Path>, md5: Option<&str>) -> bool {
    let path = path.as_ref();
    if !path.is_file() {
        return false;
    }
    match md5 {
        None => true,
        Some(m) => calculate_md5(path).is_ok_and(|got| got.eq_ignore_ascii_case(m)),
    }
}

/// Why one URL could not be fetched: these move the mirror loop on to the next mirror.
#[derive(Debug)]
struct FetchFailure(String);

/// A temporary path beside `target` (same folder, so the final rename is atomic).
fn temp_beside(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.part-{}", std::process::id()))
}

/// Moves `tmp` to `target`, removing `tmp` if that fails.
fn rename_into_place(tmp: &Path, target: &Path) -> Result<()> {
    std::fs::rename(tmp, target).map_err(|e| {
        let _ = std::fs::remove_file(tmp);
        Error::io(target, e)
    })
}

/// Streams `url` into `tmp`, returning the body's MD5. A failure to fetch is a
/// `FetchFailure`; a local write failure is an `Error`.
fn fetch(url: &str, tmp: &Path) -> Result<std::result::Result<String, FetchFailure>> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .build()
        .into();
    let mut response = match agent.get(url).header("User-Agent", "torch-rs").call() {
        Ok(r) => r,
        Err(e) => return Ok(Err(FetchFailure(e.to_string()))),
    };
    let body = response.body_mut();
    let bar = match body.content_length() {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        )
        .map_err(|e| Error::invalid("download_url", e.to_string()))?
        .progress_chars("=> "),
    );
    bar.set_message(url.rsplit('/').next().unwrap_or(url).to_string());
    let mut reader = body.as_reader();
    let mut out = BufWriter::new(File::create(tmp).map_err(|e| Error::io(tmp, e))?);
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                bar.abandon();
                return Ok(Err(FetchFailure(format!("transfer failed: {e}"))));
            }
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(|e| Error::io(tmp, e))?;
        bar.inc(n as u64);
    }
    out.flush().map_err(|e| Error::io(tmp, e))?;
    bar.finish();
    Ok(Ok(hex(&hasher.finalize())))
}

/// Downloads `url` to `root/filename`; a failure to fetch comes back as the inner `Err`.
fn try_download(
    url: &str,
    root: &Path,
    filename: &str,
    md5: Option<&str>,
) -> Result<std::result::Result<PathBuf, FetchFailure>> {
    let fpath = root.join(filename);
    if check_integrity(&fpath, md5) {
        return Ok(Ok(fpath));
    }
    std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
    let tmp = temp_beside(&fpath);
    let got = match fetch(url, &tmp) {
        Ok(Ok(got)) => got,
        Ok(Err(failure)) => {
            let _ = std::fs::remove_file(&tmp);
            return Ok(Err(failure));
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    if let Some(want) = md5
        && !got.eq_ignore_ascii_case(want)
    {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::format(
            &fpath,
            format!(
                "downloaded from {url}: MD5 mismatch: expected {want}, got {got}; file refused"
            ),
        ));
    }
    rename_into_place(&tmp, &fpath)?;
    Ok(Ok(fpath))
}

/// `download_url(url, root, filename, md5)`: fetches `url` into `root/filename` (`filename`
/// defaults to the URL's last segment) unless that file is already there with the right MD5.
/// Returns the file's path.
pub fn download_url(
    url: &str,
    root: impl AsRef<Path>,
    filename: Option<&str>,
    md5: Option<&str>,
) -> Result<PathBuf> {
    let filename = filename.unwrap_or_else(|| url.rsplit('/').next().unwrap_or(url));
    try_download(url, root.as_ref(), filename, md5)?
        .map_err(|f| Error::invalid("download_url", format!("{url}: {}", f.0)))
}

/// How `extract_archive` treats a file, from its name as torchvision's `_detect_file_type`.
enum ArchiveKind {
    TarGz,
    Tar,
    Gz,
}

fn archive_kind(path: &Path) -> Result<(ArchiveKind, String)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for (suffix, kind) in [
        (".tar.gz", ArchiveKind::TarGz),
        (".tgz", ArchiveKind::TarGz),
        (".tar", ArchiveKind::Tar),
        (".gz", ArchiveKind::Gz),
    ] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return Ok((kind, stem.to_string()));
        }
    }
    Err(Error::format(
        path,
        "extract_archive: unknown archive type (expected .gz, .tar, .tar.gz or .tgz)",
    ))
}

/// `extract_archive(from_path, to_path)`: a `.gz` file is decompressed to `to_path/<name
/// without .gz>`; a `.tar`/`.tar.gz`/`.tgz` archive is unpacked into `to_path` (default: the
/// archive's folder). Output goes to temporary names first and is renamed into place; an
/// existing top-level folder of the archive is replaced. Returns `to_path`.
pub fn extract_archive(from_path: impl AsRef<Path>, to_path: Option<&Path>) -> Result<PathBuf> {
    let from = from_path.as_ref();
    let to = match to_path {
        Some(p) => p.to_path_buf(),
        None => from.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    std::fs::create_dir_all(&to).map_err(|e| Error::io(&to, e))?;
    let (kind, stem) = archive_kind(from)?;
    let file = File::open(from).map_err(|e| Error::io(from, e))?;
    match kind {
        ArchiveKind::Gz => {
            let target = to.join(stem);
            let tmp = temp_beside(&target);
            let result = (|| {
                let mut out = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
                let mut gz = flate2::read::GzDecoder::new(std::io::BufReader::new(file));
                std::io::copy(&mut gz, &mut out)
                    .map_err(|e| Error::format(from, format!("corrupt gzip stream: {e}")))?;
                out.flush().map_err(|e| Error::io(&tmp, e))
            })();
            if let Err(e) = result {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
            rename_into_place(&tmp, &target)?;
        }
        ArchiveKind::Tar | ArchiveKind::TarGz => {
            let reader: Box<dyn Read> = match kind {
                ArchiveKind::TarGz => {
                    Box::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)))
                }
                _ => Box::new(std::io::BufReader::new(file)),
            };
            unpack_tar(reader, from, &to)?;
        }
    }
    Ok(to)
}

/// Unpacks a tar stream into a temporary folder in `to`, then renames each top-level entry
/// into `to` (replacing what is there).
fn unpack_tar(reader: Box<dyn Read>, from: &Path, to: &Path) -> Result<()> {
    let staging = to.join(format!(".extract-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let result = (|| {
        std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        tar::Archive::new(reader)
            .unpack(&staging)
            .map_err(|e| Error::format(from, format!("corrupt tar archive: {e}")))?;
        let entries = std::fs::read_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&staging, e))?;
            let target = to.join(entry.file_name());
            if target.is_dir() {
                std::fs::remove_dir_all(&target).map_err(|e| Error::io(&target, e))?;
            }
            std::fs::rename(entry.path(), &target).map_err(|e| Error::io(&target, e))?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// `download_and_extract_archive(url, download_root, extract_root, filename, md5)`.
pub fn download_and_extract_archive(
    url: &str,
    download_root: impl AsRef<Path>,
    extract_root: Option<&Path>,
    filename: Option<&str>,
    md5: Option<&str>,
) -> Result<()> {
    let download_root = download_root.as_ref();
    let archive = download_url(url, download_root, filename, md5)?;
    extract_archive(archive, Some(extract_root.unwrap_or(download_root)))?;
    Ok(())
}

/// torchvision's mirror loop: tries `mirror + filename` for each mirror in order, downloads
/// into `download_root` (checking `md5`) and extracts into `extract_root` (default:
/// `download_root`). When every mirror fails to deliver, the error lists each mirror's failure
/// (`Error downloading <file>: Tried <mirror>, got: <why>` ...).
pub fn download_from_mirrors(
    mirrors: &[String],
    filename: &str,
    md5: Option<&str>,
    download_root: impl AsRef<Path>,
    extract_root: Option<&Path>,
) -> Result<()> {
    let download_root = download_root.as_ref();
    let mut errors = Vec::new();
    for mirror in mirrors {
        let url = format!("{mirror}{filename}");
        match try_download(&url, download_root, filename, md5)? {
            Ok(archive) => {
                extract_archive(archive, Some(extract_root.unwrap_or(download_root)))?;
                return Ok(());
            }
            Err(failure) => errors.push(format!("Tried {mirror}, got:\n{}", failure.0)),
        }
    }
    if errors.is_empty() {
        errors.push("no mirrors given".to_string());
    }
    Err(Error::invalid(
        "download",
        format!("Error downloading {filename}:\n{}", errors.join("\n")),
    ))
}
