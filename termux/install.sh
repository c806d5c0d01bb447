#!/usr/bin/env bash
# Install PocketMind on an Android phone under Termux (F-Droid build).
#
#   bash termux/install.sh            # from a clone of this repository, inside Termux
#
# Idempotent: each step checks what is already there and skips it, so running it again
# after a failure (or to update) redoes only what is missing. A failing step stops the
# script with a message naming it.
#
# Settings, all optional:
#   POCKETMIND_ENGINE=http     chat through llama-server (pkg llama-cpp) instead of
#                              building llama-cpp-python (a 20-minute compile on a phone)
#   POCKETMIND_VENV=DIR        where the virtual environment goes
#   POCKETMIND_SKIP_MODELS=1   do not pull the Qwen3-0.6B and MiniLM GGUFs (~0.7 GB)
#   SQLITE_VEC_URL, SQLITE_VEC_SHA256   another sqlite-vec amalgamation (both, or neither)
set -euo pipefail

SQLITE_VEC_VERSION="0.1.9"
SQLITE_VEC_URL_DEFAULT="https://github.com/asg017/sqlite-vec/releases/download/v${SQLITE_VEC_VERSION}/sqlite-vec-${SQLITE_VEC_VERSION}-amalgamation.tar.gz"
SQLITE_VEC_SHA256_DEFAULT="3acd67cb4aff080c7050926fd3cf8227905fe5b7ee3829d8ee5024ab1283cf61"
PACKAGES=(python python-pip python-numpy python-cryptography clang cmake ninja rust binutils libsqlite curl
  termux-api termux-services llama-cpp)

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENGINE="${POCKETMIND_ENGINE:-llama}"
VENV="${POCKETMIND_VENV:-$HOME/.local/share/pocketmind/venv}"
POCKETMIND_HOME="${POCKETMIND_HOME:-$HOME/.pocketmind}"
CURRENT_STEP="start"

step() {
  CURRENT_STEP="$1"
  printf '==> %s\n' "$1"
}

failed() {
  local code=$?
  printf 'install.sh: step "%s" failed (exit %s). Fix what it printed above, then run ' \
    "$CURRENT_STEP" "$code" >&2
  printf 'termux/install.sh again: the steps already done are skipped.\n' >&2
  exit "$code"
}
trap failed ERR

skip() { printf '    %s\n' "$1"; }

step "termux"
if [ -z "${PREFIX:-}" ] || ! command -v pkg >/dev/null 2>&1; then
  printf 'install.sh: this is not Termux (no PREFIX, or no pkg). Install Termux from F-Droid.\n' >&2
  false
fi
case "$ENGINE" in llama | http) ;; *)
  printf 'install.sh: POCKETMIND_ENGINE must be llama or http, not %s\n' "$ENGINE" >&2
  false
  ;;
esac

step "packages"
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  skip "all ${#PACKAGES[@]} packages installed"
else
  pkg install -y "${missing[@]}"
fi

step "sqlite-vec"
VEC_DIR="$PREFIX/lib/sqlite-vec"
VEC_URL="${SQLITE_VEC_URL:-$SQLITE_VEC_URL_DEFAULT}"
VEC_SHA256="${SQLITE_VEC_SHA256:-$SQLITE_VEC_SHA256_DEFAULT}"
if [ -n "${SQLITE_VEC_URL:-}" ] && [ -z "${SQLITE_VEC_SHA256:-}" ]; then
  printf 'install.sh: SQLITE_VEC_URL needs SQLITE_VEC_SHA256\n' >&2
  false
fi
if [ -f "$VEC_DIR/vec0.so" ] && [ "$(cat "$VEC_DIR/source.sha256" 2>/dev/null)" = "$VEC_SHA256" ]; then
  skip "vec0.so already built from $VEC_SHA256"
else
  build="$(mktemp -d)"
  curl -fL --retry 3 -o "$build/amalgamation.tar.gz" "$VEC_URL"
  got="$(sha256sum "$build/amalgamation.tar.gz" | cut -d' ' -f1)"
  if [ "$got" != "$VEC_SHA256" ]; then
    printf 'install.sh: %s has sha256 %s, expected %s\n' "$VEC_URL" "$got" "$VEC_SHA256" >&2
    false
  fi
  tar -xzf "$build/amalgamation.tar.gz" -C "$build"
  flags=(-O3 -fPIC -shared -I"$PREFIX/include")
  if [ "$(uname -m)" = "aarch64" ]; then
    flags+=(-DSQLITE_VEC_ENABLE_NEON -flax-vector-conversions)
  fi
  clang "${flags[@]}" "$build/sqlite-vec.c" -o "$build/vec0.so" -lm
  mkdir -p "$VEC_DIR"
  mv "$build/vec0.so" "$VEC_DIR/vec0.so"
  printf '%s\n' "$VEC_SHA256" >"$VEC_DIR/source.sha256"
  rm -rf "$build"
fi

step "pocketmind"
if [ ! -x "$VENV/bin/python" ]; then
  # --system-site-packages: numpy and cryptography come from pkg (python-numpy,
  # python-cryptography), not a pip compile (cryptography would be a Rust build).
  python -m venv --system-site-packages "$VENV"
fi
# Exact versions with their hashes, from the lock made for Termux's Python on aarch64
# (`make lock`); PocketMind itself goes in without resolving anything more.
if [ "$ENGINE" = "llama" ]; then
  lock="$REPO/requirements-termux.lock"
else
  lock="$REPO/requirements-termux-http.lock"
fi
"$VENV/bin/python" -m pip install --require-hashes --no-deps -r "$lock"
"$VENV/bin/python" -m pip install --no-deps --upgrade "$REPO"
THREADS="$("$VENV/bin/python" -c 'from pocketmind.host import default_threads; print(default_threads())')"
skip "llama.cpp will use $THREADS threads (the big cores)"

step "settings"
mkdir -p "$POCKETMIND_HOME/run"
KEY_FILE="$POCKETMIND_HOME/run/llama-api-key"
if [ ! -s "$KEY_FILE" ]; then
  (umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$KEY_FILE")
fi
CONFIG="$POCKETMIND_HOME/config.toml"
if [ -f "$CONFIG" ]; then
  skip "$CONFIG exists; left as it is"
else
  {
    printf '# Written by termux/install.sh; see README.md for every setting.\n'
    printf '[engine]\nbackend = "%s"\nthreads = %s\n' "$ENGINE" "$THREADS"
    if [ "$ENGINE" = "http" ]; then
      printf 'url = "http://127.0.0.1:8080/v1"\napi_key_file = "%s"\n' "$KEY_FILE"
      printf '\n[embedder]\nbackend = "http"\nurl = "http://127.0.0.1:8081/v1"\n'
      printf 'api_key_file = "%s"\n' "$KEY_FILE"
    else
      printf '\n[embedder]\nbackend = "llama"\nthreads = %s\n' "$THREADS"
    fi
  } >"$CONFIG"
fi

step "services"
SERVICES="$PREFIX/var/service"
install_service() {
  local name="$1"
  mkdir -p "$SERVICES/$name/log"
  cp "$REPO/termux/service/$name/run" "$SERVICES/$name/run"
  cp "$REPO/termux/service/$name/log/run" "$SERVICES/$name/log/run"
  chmod 0755 "$SERVICES/$name/run" "$SERVICES/$name/log/run"
  {
    printf 'POCKETMIND_BIN=%q\n' "$VENV/bin/pocketmind"
    printf 'POCKETMIND_HOME=%q\n' "$POCKETMIND_HOME"
    printf 'LLAMA_THREADS=%q\n' "$THREADS"
    printf 'LLAMA_MODEL=%q\n' "$POCKETMIND_HOME/models/Qwen3-0.6B-Q8_0.gguf"
    printf 'LLAMA_EMBED_MODEL=%q\n' "$POCKETMIND_HOME/models/embed/all-MiniLM-L6-v2.gguf"
    printf 'LLAMA_API_KEY_FILE=%q\n' "$KEY_FILE"
  } >"$SERVICES/$name/conf"
  if command -v sv-enable >/dev/null 2>&1; then
    sv-enable "$name" || skip "$name installed; it starts with the next Termux session"
  fi
}
if [ "$ENGINE" = "http" ]; then
  install_service llama-server
  install_service llama-embed
fi
install_service pocketmind

step "boot"
mkdir -p "$HOME/.termux/boot"
cp "$REPO/termux/boot/start-pocketmind" "$HOME/.termux/boot/start-pocketmind"
chmod 0755 "$HOME/.termux/boot/start-pocketmind"

step "models"
if [ "${POCKETMIND_SKIP_MODELS:-0}" = "1" ]; then
  skip "skipped (POCKETMIND_SKIP_MODELS=1)"
else
  "$VENV/bin/pocketmind" models pull all-minilm-l6-v2
  "$VENV/bin/pocketmind" models pull qwen3-0.6b
fi

step "doctor"
"$VENV/bin/pocketmind" doctor || skip "doctor found things to fix: see the lines above"

trap - ERR
printf '\nPocketMind is installed. Chat with: %s chat\n' "$VENV/bin/pocketmind"
printf 'Open Termux:Boot once so it can start PocketMind when the phone starts.\n'
