#!/usr/bin/env bash
# Install everything the test suite needs into .venv and run lint, types and the whole suite.
# The README's test command; .ci/run runs exactly this on a clean clone.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
# [local] builds llama-cpp-python from source the first time (about 6 minutes on 2 cores;
# pip caches the wheel afterwards). [dev] brings pytest, ruff, mypy and playwright.
# (grep only hides this machine's noisy pip-index warnings; pipefail keeps pip's exit status)
# rigour (sanctions screening) needs PyICU, which compiles against ICU: bring libicu-dev and
# pkg-config from Debian when they are missing (root + apt), before pip tries to build it.
if ! pkg-config --exists icu-i18n 2>/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config >/dev/null) \
    || echo "warning: could not install libicu-dev; PyICU may fail to build" >&2
fi
# llama.cpp is built for AVX2 and without AMX: a native build on these machines' CPUs (which
# advertise AMX) dies with a general protection fault at `ldtilecfg` on the first decode, in a
# VM that does not grant the AMX state. The README's first command sets the same flags.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}"
pip install -q -e '.[dev,local]' 2>&1 | { grep -v "^WARNING: Location" || true; }
python -c "import summarizer, llama_cpp, playwright" # fail here, clearly, if the install did not work
# The HTML review page is tested in Debian's Chromium; install it when we can (root + apt).
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null) \
    || echo "warning: could not install chromium; the browser test will be skipped" >&2
fi
# In CI the browser test must run, not skip.
if [ "${CI:-}" = "true" ]; then export SUMMARIZER_REQUIRE_BROWSER=1; fi
ruff check summarizer tests benchmarks
mypy summarizer
python -m pytest -q "$@"
