"""Installed lists: where `summarizer lists update` puts them, and what `--screen NAME` means.

Lists live in `<user data dir>/lists/<name>/` (`SUMMARIZER_DATA_DIR` moves it), one folder per
source, with a `source.json` saying where and when each file came from. A download goes to a
temporary file in the same folder, is checked to be the format it should be, and only then
replaces the old file (os.replace): an interrupted or refused download leaves the list you
had. Without network the update says so and changes nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from ..atomic import ANY, write_atomic
from ..errors import ScreeningError
from ..redact import redact_url
from . import formats


@dataclass(frozen=True)
class Source:
    """A list we know how to download: its files (name in the folder, URL, expected format)."""

    name: str
    title: str
    files: tuple[tuple[str, str, str], ...]

    @property
    def main(self) -> str:
        return self.files[0][0]


SOURCES = {
    "ofac-sdn": Source(
        "ofac-sdn",
        "OFAC Specially Designated Nationals (U.S. Treasury), legacy CSV with aliases",
        (
            ("sdn.csv", "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV", "ofac-sdn-csv"),
            ("alt.csv", "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ALT.CSV", "ofac-alt-csv"),
        ),
    ),
    "opensanctions": Source(
        "opensanctions",
        "OpenSanctions consolidated sanctions targets (CC BY-NC 4.0: check the licence for commercial use)",
        (("targets.simple.csv", "https://data.opensanctions.org/datasets/latest/sanctions/targets.simple.csv", "opensanctions-csv"),),
    ),
}
MAX_DOWNLOAD = 1024**3  # decoded bytes of one file; OFAC's are ~10 MB, OpenSanctions' targets ~100 MB
MAX_EXPANSION = 50  # decoded / received bytes: list text gzips 5-10x; a compression bomb far more
MAX_TIMEOUT = 3600.0


def data_dir() -> Path:
    env = os.environ.get("SUMMARIZER_DATA_DIR")
    if env:
        return Path(env) / "lists"
    from platformdirs import user_data_dir

    return Path(user_data_dir("summarizer")) / "lists"


def installed() -> list[tuple[Source, Path]]:
    """The known sources whose main file is present in the data dir."""
    out = []
    for source in SOURCES.values():
        path = data_dir() / source.name / source.main
        if path.is_file():
            out.append((source, path))
    return out


def resolve(given: str) -> Path:
    """`--screen` takes a path, or the name of an installed list (`ofac-sdn`, `opensanctions`)."""
    path = Path(given).expanduser()
    if path.exists() or given not in SOURCES:
        return path
    installed_path = data_dir() / given / SOURCES[given].main
    if not installed_path.is_file():
        raise ScreeningError(f"the list {given!r} is not installed", "run `summarizer lists update`, or pass a file path")
    return installed_path


def source_info(path: Path) -> dict[str, str]:
    """What `source.json` says about a downloaded file (url, downloaded), if anything."""
    try:
        with open(path.parent / "source.json", encoding="utf-8") as fh:
            meta = json.loads(fh.read(1 << 20))
        info = meta.get("files", {}).get(path.name, {})
        return {k: v for k, v in info.items() if isinstance(k, str) and isinstance(v, str)}
    except (OSError, ValueError, AttributeError, RecursionError):
        return {}


def source_keys() -> list[str]:
    """What `--source KEY=URL` accepts: a list's name (its main file) or NAME/FILE."""
    return [k for source in SOURCES.values() for k in (source.name, *(f"{source.name}/{f}" for f, _, _ in source.files))]


def check_sources(urls: dict[str, str]) -> None:
    """Refuse a mirror for a key that names no file we download (a typo, `ofac-sdn/../x`):
    silently using the real upstream instead would not be what was asked."""
    for key, url in urls.items():
        if key not in source_keys():
            raise ScreeningError(f"--source {key!r} names no list file", f"use one of: {', '.join(source_keys())}")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ScreeningError(f"--source {key}: not an http(s) URL: {redact_url(url)}")


def check_timeout(timeout: object) -> float:
    """A usable network timeout in seconds: a finite number above 0 and at most an hour."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT:
        raise ScreeningError(f"timeout {timeout!r} is not a number of seconds above 0 and at most {MAX_TIMEOUT:g}")
    return float(timeout)


def update(
    names: list[str] | None = None,
    *,
    urls: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> list[tuple[str, str | None]]:
    """Download each source; [(name, error or None)]. Never raises for one failed source; a bad
    timeout or a `urls` key that names no file raises ScreeningError before anything is fetched."""
    urls = urls or {}
    timeout = check_timeout(timeout)
    check_sources(urls)
    results: list[tuple[str, str | None]] = []
    for name in names or list(SOURCES):
        if name not in SOURCES:
            results.append((name, f"unknown list {name!r} (known: {', '.join(SOURCES)})"))
            continue
        try:
            _update_one(SOURCES[name], urls, timeout)
            results.append((name, None))
        except ScreeningError as exc:
            results.append((name, exc.one_line()))
    return results


def _update_one(source: Source, urls: dict[str, str], timeout: float) -> None:
    folder = data_dir() / source.name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScreeningError(f"cannot create {folder}: {exc.strerror}", "check SUMMARIZER_DATA_DIR and permissions") from None
    fetched: list[tuple[Path, Path, dict[str, str]]] = []
    try:
        for filename, default_url, fmt in source.files:
            url = urls.get(f"{source.name}/{filename}") or (urls.get(source.name) if filename == source.main else None)
            url = url or default_url
            tmp, meta = _download(url, folder, timeout, filename, fmt)
            fetched.append((tmp, folder / filename, meta))
        for tmp, final, _ in fetched:  # all files are good: swap them in
            os.replace(tmp, final)
        _write_meta(folder, {final.name: meta for _, final, meta in fetched})
    finally:
        for tmp, _, _ in fetched:
            tmp.unlink(missing_ok=True)


def _download(url: str, folder: Path, timeout: float, filename: str, fmt: str) -> tuple[Path, dict[str, str]]:
    """Stream `url` into a temporary file in `folder`; the format is checked on the first
    decoded bytes (not after the whole body), and the decoded size is capped in total and
    relative to the bytes received, so a compression bomb stops within its first megabytes."""
    import httpx2

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ScreeningError(f"not an http(s) URL: {redact_url(url)}")
    fd, name = tempfile.mkstemp(dir=folder, prefix=".download-")
    tmp = Path(name)
    deadline = time.monotonic() + timeout * 10  # a whole list may take a while; a stalled one may not
    total = 0
    head = b""
    try:
        with (
            os.fdopen(fd, "wb") as out,
            httpx2.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": "summarizer (+lists update)"}) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise ScreeningError(f"{_host(url)} answered HTTP {response.status_code}", "try again later; the installed list is unchanged")
            for chunk in response.iter_bytes():
                total += len(chunk)
                if len(head) < formats.SNIFF_BYTES:
                    head += chunk[: formats.SNIFF_BYTES - len(head)]
                    if len(head) >= formats.SNIFF_BYTES:
                        _check_format(head, url, filename, fmt)
                received = max(response.num_bytes_downloaded, 1)
                if total > MAX_DOWNLOAD or (total > 16 * 1024**2 and total > MAX_EXPANSION * received):
                    raise ScreeningError(
                        f"{_host(url)}: {filename} is too large ({total >> 20} MiB decoded from {received >> 20} MiB)",
                        "the installed list is unchanged",
                    )
                if time.monotonic() > deadline:
                    raise ScreeningError(f"{_host(url)}: download too slow", "the installed list is unchanged")
                out.write(chunk)
            last_modified = response.headers.get("last-modified", "")
    except httpx2.TimeoutException:
        tmp.unlink(missing_ok=True)
        raise ScreeningError(f"{_host(url)} did not answer within {timeout:g} s", "the installed list is unchanged") from None
    except httpx2.HTTPError as exc:
        tmp.unlink(missing_ok=True)
        raise ScreeningError(
            f"cannot download from {_host(url)} ({type(exc).__name__}): no network, or the host is unreachable",
            "the installed list is unchanged; copy the file by hand and pass it with --screen",
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if total == 0:
        tmp.unlink(missing_ok=True)
        raise ScreeningError(f"{_host(url)} sent an empty file", "the installed list is unchanged")
    if len(head) < formats.SNIFF_BYTES:
        try:
            _check_format(head, url, filename, fmt)
        except ScreeningError:
            tmp.unlink(missing_ok=True)
            raise
    meta = {
        "url": redact_url(url),  # never a user:password or a ?token= of a mirror
        "downloaded": datetime.now(UTC).isoformat(timespec="seconds"),
        "last_modified": last_modified,
        "bytes": str(total),
    }
    return tmp, meta


def _check_format(head: bytes, url: str, filename: str, fmt: str) -> None:
    found = formats.detect(head)
    if found != fmt:
        raise ScreeningError(
            f"{_host(url)} sent {filename} that is not {fmt} (looks like {found or 'something else'})",
            "the source may have changed format; the installed list is unchanged",
        )


def _write_meta(folder: Path, files: dict[str, dict[str, str]]) -> None:
    write_atomic(folder / "source.json", json.dumps({"files": files}, indent=2), prefix=".meta-", ours=ANY)


def _host(url: str) -> str:
    return urlsplit(url).hostname or url
