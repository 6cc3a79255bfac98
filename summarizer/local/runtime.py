"""Loading llama.cpp and GGUF models once per process, with llama.cpp's C log kept quiet.

llama.cpp logs through a C callback; we route it to the `summarizer.llama` logger (silent
unless the application configures logging), and load with `verbose=False`, so nothing reaches
stdout (the CLI's JSON result) or stderr.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import progress
from ..errors import ConfigError
from . import store
from .store import INSTALL_HINT

N_CTX = 8192  # an article of 2-4k tokens plus prompt and re-asks (SmolLM2's trained context)
N_THREADS = 2
SEED = 1234
LOOKUP_TOKENS = 0
"""Prompt-lookup decoding: draft this many tokens copied from the prompt (0: off). Off because
on the 1.5B model it changed the answer (batched and single-token logits differ slightly, so
near-ties flip) and its speed-up is not yet confirmed on a quiet machine; README has figures."""

_log = logging.getLogger("summarizer.llama")
_log.addHandler(logging.NullHandler())  # no handler configured: stay silent, never lastResort


def import_llama() -> Any:
    """`llama_cpp`, with its C log routed to our logger; ConfigError when not installed."""
    try:
        import llama_cpp
    except ImportError:
        raise ConfigError(
            "the local backend needs llama-cpp-python, which is not installed", INSTALL_HINT
        ) from None
    except (OSError, RuntimeError) as exc:  # installed, but its shared library does not load
        raise ConfigError(
            f"llama-cpp-python is installed but does not load: {str(exc).splitlines()[0][:200]}",
            f"reinstall it with {INSTALL_HINT}",
        ) from None
    _silence(llama_cpp)
    return llama_cpp


_LOG_LEVELS = {2: logging.WARNING, 3: logging.ERROR}  # ggml: 1 info, 2 warn, 3 error, 4 debug, 5 cont
_callback: Any = None  # the ctypes callback must outlive every C call that may use it
_SILENCE_LOCK = threading.Lock()


def _silence(llama_cpp: Any) -> None:
    """Replace llama-cpp-python's log callback (which prints to stderr) with one that logs."""
    global _callback

    def on_log(level: int, text: bytes, _user: Any) -> None:
        message = text.decode("utf-8", "replace").rstrip()
        if message:
            _log.log(_LOG_LEVELS.get(level, logging.DEBUG), "%s", message)

    with _SILENCE_LOCK:
        if _callback is None:
            _callback = llama_cpp.llama_log_callback(on_log)
            llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))


# --------------------------------------------------------------------------- model files


def default_model_path() -> Path:
    """The default local model's file (Qwen2.5-Coder-1.5B), joined from its parts on first use."""
    return store.model_file(store.find(store.DEFAULT_LOCAL_MODEL)).resolve()


def resolve_model_path(model_path: str | os.PathLike[str] | None, model: str | None = None) -> Path:
    """The model file to load: `model_path` if given (must exist), else the known model
    called `model` (default: the 1.5B model), prepared and verified by `store`."""
    if model_path is not None and str(model_path) != "":
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise ConfigError(f"model file {path} does not exist", "check --model-path")
        return path.resolve()
    known = store.find(model or store.DEFAULT_LOCAL_MODEL)
    return store.model_file(known).resolve()


@dataclass
class LocalModel:
    """One loaded model, shared by every client of the process."""

    path: Path
    llama: Any  # llama_cpp.Llama
    lock: threading.Lock  # a Llama object is not thread-safe: one generation at a time
    load_seconds: float

    @property
    def name(self) -> str:
        """What responses report as `model`: the GGUF file stem."""
        return self.path.stem


_MODELS: dict[Path, LocalModel] = {}
_LOAD_LOCK = threading.Lock()


def load_model(model_path: str | os.PathLike[str] | None = None, model: str | None = None) -> LocalModel:
    """Load a GGUF file once per process and return the cached model afterwards.

    Loading takes about a second and 200 MB (mostly the KV cache for N_CTX tokens); a batch of
    articles, or the sync and async clients of one run, all share the one instance.
    """
    path = resolve_model_path(model_path, model)
    with _LOAD_LOCK:
        cached = _MODELS.get(path)
        if cached is not None:
            return cached
        llama_cpp = import_llama()
        progress.emit("model", f"loading {path.stem} ({path.stat().st_size / 1e6:,.0f} MB)")
        t0 = time.monotonic()
        try:
            llama = _new_llama(
                llama_cpp,
                model_path=str(path),
                n_ctx=N_CTX,
                n_threads=max(1, min(N_THREADS, os.cpu_count() or N_THREADS)),
                seed=SEED,
                verbose=False,  # also wraps the load in a stdout/stderr redirect
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ConfigError(
                f"could not load the local model {path.name}: {str(exc).splitlines()[0][:200]}",
                "check --model-path points at a GGUF file llama.cpp supports",
            ) from None
        loaded = LocalModel(path, llama, threading.Lock(), time.monotonic() - t0)
        _MODELS[path] = loaded
        return loaded


def _new_llama(llama_cpp: Any, **kwargs: Any) -> Any:
    """Our `Llama` subclass (progress events, faster greedy grammar sampling; see `engine`)."""
    from .engine import engine_class

    if LOOKUP_TOKENS > 0:
        from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

        kwargs["draft_model"] = LlamaPromptLookupDecoding(num_pred_tokens=LOOKUP_TOKENS)
    return engine_class(llama_cpp)(**kwargs)


def _close_models() -> None:
    """Free the models before interpreter shutdown: llama-cpp-python's __del__ run during
    shutdown finds its C bindings already torn down and prints an ignored TypeError."""
    with _LOAD_LOCK:
        for model in _MODELS.values():
            try:
                model.llama.close()
            except Exception:  # noqa: BLE001 - best effort at exit
                pass
        _MODELS.clear()


atexit.register(_close_models)


def loaded_models() -> dict[Path, LocalModel]:
    """The models loaded in this process so far, by resolved path (a copy)."""
    with _LOAD_LOCK:
        return dict(_MODELS)


