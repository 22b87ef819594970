#!/usr/bin/env bash
# JEST Studio: system packages for tests and benchmarks (Debian 12 "bookworm", Debian packages only).
#
#   bash scripts/setup-system.sh [--all] [--torch] [--vulkan] [--with-browser] [--no-onnx] [--check]
#
#   --torch         PyTorch peer for the correctness harness and benchmarks:
#                   python3-torch (1.13), libopenblas0-openmp (without it torch uses reference BLAS
#                   and is ~25x slower), python3-numpy, python3-onnx (onnx.checker; skip: --no-onnx).
#   --vulkan        Software Vulkan (Mesa lavapipe) for onnxruntime-node's WebGPU execution provider:
#                   mesa-vulkan-drivers + libvulkan1 from bookworm-backports (Mesa 25; bookworm's own
#                   Mesa 22.3 is rejected by Dawn), vulkan-tools (vulkaninfo).
#   --all           --torch and --vulkan (the default when no section is named).
#   --with-browser  [LATER, off by default] Debian chromium + libkrb5-dev for future UI tests.
#   --check         Install nothing; only verify and report (exit 1 if something is missing).
#
# Idempotent and non-interactive. Fast when everything is present: it asks dpkg first and only runs
# `apt-get update` when a package is missing. Installing needs root (CI runs as root); otherwise it
# re-runs itself through sudo when sudo is available, and explains when it is not. Only Debian's mirror needs to be reachable: the backports entry
# reuses the mirror host of the machine's existing Debian apt source.
#
# Note: Debian's torch lives in Debian's interpreter, /usr/bin/python3. A `python3` earlier on PATH
# (e.g. a pyenv shim) does not see it, so everything here (and the peer scripts) uses /usr/bin/python3.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
START_S=$(date +%s)
log() { printf '[setup-system] %s\n' "$*"; }
die() { printf '[setup-system] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- arguments
WANT_TORCH=0 WANT_VULKAN=0 WANT_BROWSER=0 WANT_ONNX=1 CHECK_ONLY=0 NAMED=0
for arg in "$@"; do
  case "$arg" in
    --all) WANT_TORCH=1; WANT_VULKAN=1; NAMED=1 ;;
    --torch) WANT_TORCH=1; NAMED=1 ;;
    --vulkan) WANT_VULKAN=1; NAMED=1 ;;
    --with-browser) WANT_BROWSER=1 ;;
    --no-onnx) WANT_ONNX=0 ;;
    --check) CHECK_ONLY=1 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done
if [ "$NAMED" = 0 ]; then WANT_TORCH=1; WANT_VULKAN=1; fi

# ---------------------------------------------------------------- platform and privileges
if [ -r /etc/os-release ]; then . /etc/os-release; fi
if [ "${ID:-}" != "debian" ] || [ "${VERSION_CODENAME:-}" != "bookworm" ]; then
  log "WARNING: written for Debian 12 bookworm; this is ${PRETTY_NAME:-unknown}. Continuing."
fi
CODENAME=${VERSION_CODENAME:-bookworm}
BACKPORTS="${CODENAME}-backports"
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)

ORIG_ARGS=("$@")
# Root is needed only to install. Called right before the first change, so a run on a machine that
# already has everything works unprivileged.
need_root() {
  [ "$(id -u)" = 0 ] && return 0
  if command -v sudo >/dev/null 2>&1; then
    log "not root: re-running through sudo to install"
    exec sudo DEBIAN_FRONTEND=noninteractive bash "$0" "${ORIG_ARGS[@]}"
  fi
  die "packages are missing and installing them needs root, but this is uid $(id -u) and sudo is not \
available. Run it as root (CI does), e.g. su -c 'bash scripts/setup-system.sh', or use --check to only verify."
}

# ---------------------------------------------------------------- helpers
# installed_version PKG -> version if installed (status "install ok installed"), else empty
installed_version() {
  local out
  out=$(dpkg-query -W -f='${Status}\t${Version}' "$1" 2>/dev/null || true)
  case "$out" in "install ok installed"*) printf '%s' "${out#*$'\t'}" ;; *) printf '' ;; esac
}
# need PKG [MIN_VERSION]: true if the package is missing or older than MIN_VERSION
need() {
  local v; v=$(installed_version "$1")
  [ -z "$v" ] && return 0
  [ -n "${2:-}" ] && dpkg --compare-versions "$v" lt "$2" && return 0
  return 1
}

APT_UPDATED=0
apt_update() {
  need_root
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    apt-get update -qq -o Dpkg::Use-Pty=0 || die "apt-get update failed (is the Debian mirror reachable?)"
    APT_UPDATED=1
  fi
}
APT_INSTALL=(apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0
             -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

# The mirror host of the existing Debian source (deb822 *.sources or one-line *.list), so backports
# comes from the same (possibly internal / snapshot) mirror. Falls back to deb.debian.org.
debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    # deb822: "URIs: http://host/debian" in a stanza whose Suites include the codename
    uri=$(awk -v c="$CODENAME" '
      /^[[:space:]]*$/ { if (u != "" && s ~ ("(^| )" c "( |$)")) { print u; exit } u=""; s=""; next }
      /^URIs:/   { u=$2 }
      /^Suites:/ { $1=""; s=$0 }
      END { if (u != "" && s ~ ("(^| )" c "( |$)")) print u }' "$f" | grep -v -- '-security' | head -n1)
    [ -n "$uri" ] && { printf '%s' "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    uri=$(awk -v c="$CODENAME" '$1=="deb" {
        i=2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i+1)==c) { print $i; exit } }' "$f" | grep -v -- '-security' | head -n1)
    [ -n "$uri" ] && { printf '%s' "$uri"; return; }
  done
  printf 'http://deb.debian.org/debian'
}

backports_configured() {
  grep -rqsE "(^|[[:space:]])${BACKPORTS}([[:space:]]|$)" /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources 2>/dev/null
}

ensure_backports() {
  if backports_configured; then
    log "apt source for ${BACKPORTS}: already configured"
    return
  fi
  need_root
  local mirror file=/etc/apt/sources.list.d/${BACKPORTS}.sources
  mirror=$(debian_mirror)
  log "adding apt source ${file} (mirror ${mirror}, same host as the existing Debian source)"
  cat >"$file" <<EOF
# Added by JEST Studio scripts/setup-system.sh: Mesa 25 (lavapipe) for the WebGPU execution provider.
Types: deb
URIs: ${mirror}
Suites: ${BACKPORTS}
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  APT_UPDATED=0  # the new source needs an update
}

DID=()
MISSING=()

# ---------------------------------------------------------------- section: torch
TORCH_PKGS=(python3-torch libopenblas0-openmp python3-numpy)
[ "$WANT_ONNX" = 1 ] && TORCH_PKGS+=(python3-onnx)

section_torch() {
  local todo=() p
  for p in "${TORCH_PKGS[@]}"; do need "$p" && todo+=("$p"); done
  if [ ${#todo[@]} = 0 ]; then
    log "torch: already installed (${TORCH_PKGS[*]})"
  elif [ "$CHECK_ONLY" = 1 ]; then
    MISSING+=("${todo[@]}")
  else
    apt_update
    log "torch: installing ${todo[*]}"
    "${APT_INSTALL[@]}" "${todo[@]}"
    DID+=("installed ${todo[*]}")
  fi
  # Debian picks libblas.so.3 through alternatives; OpenBLAS (openmp) outranks reference BLAS.
  local blas
  blas=$(update-alternatives --query "libblas.so.3-$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)" 2>/dev/null \
         | awk '/^Value:/ {print $2}') || true
  [ -z "$blas" ] && blas=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu 2>/dev/null | head -n1 || true)
  log "torch: libblas.so.3 -> ${blas:-unknown}"
  if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    /usr/bin/python3 - <<'EOF' | sed 's/^/[setup-system] torch: /'
import os, time, torch, numpy
default_threads = torch.get_num_threads()
print(f"/usr/bin/python3 imports torch {torch.__version__}, numpy {numpy.__version__}; "
      f"default threads {default_threads} of {os.cpu_count()} CPUs (peers should call torch.set_num_threads)")
torch.set_num_threads(os.cpu_count() or 1)
a = torch.randn(512, 512); a @ a
t = time.perf_counter(); n = 10
for _ in range(n): a @ a
dt = (time.perf_counter() - t) / n
gf = 2 * 512**3 / dt / 1e9
print(f"512^3 float32 matmul, {torch.get_num_threads()} threads: {dt*1e3:.2f} ms = {gf:.0f} GFLOP/s"
      + ("" if gf > 15 else "  WARNING: slow; is libblas.so.3 the reference BLAS? install libopenblas0-openmp"))
try:
    import onnx; print(f"onnx {onnx.__version__} (onnx.checker available)")
except ImportError:
    print("onnx: not installed (python3-onnx)")
EOF
  else
    MISSING+=("/usr/bin/python3 cannot import torch")
    log "torch: /usr/bin/python3 cannot import torch"
  fi
}

# ---------------------------------------------------------------- section: vulkan
MESA_MIN=25    # Dawn needs shader*ArrayDynamicIndexing, which Mesa 22.3's lavapipe lacks

lvp_icd() {
  local f
  # Mesa 25 (backports) ships lvp_icd.json; Mesa 22.3 shipped lvp_icd.<arch>.json
  for f in /usr/share/vulkan/icd.d/lvp_icd.json /usr/share/vulkan/icd.d/lvp_icd.*.json \
           /etc/vulkan/icd.d/lvp_icd.json /etc/vulkan/icd.d/lvp_icd.*.json; do
    [ -r "$f" ] && { printf '%s' "$f"; return; }
  done
}

section_vulkan() {
  local bp=() plain=() p
  need mesa-vulkan-drivers "$MESA_MIN" && bp+=(mesa-vulkan-drivers)
  # libvulkan1 is taken from backports along with Mesa (the Vulkan loader matching Mesa 25);
  # bookworm's 1.3.239 loader is the floor.
  if [ ${#bp[@]} -gt 0 ] || need libvulkan1; then bp+=(libvulkan1); fi
  need vulkan-tools && plain+=(vulkan-tools)
  if [ ${#bp[@]} = 0 ] && [ ${#plain[@]} = 0 ]; then
    log "vulkan: already installed (mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers), libvulkan1 $(installed_version libvulkan1), vulkan-tools)"
  elif [ "$CHECK_ONLY" = 1 ]; then
    MISSING+=("${bp[@]}" "${plain[@]}")
  else
    if [ ${#bp[@]} -gt 0 ]; then
      ensure_backports
      apt_update
      log "vulkan: installing from ${BACKPORTS}: ${bp[*]}"
      "${APT_INSTALL[@]}" -t "$BACKPORTS" "${bp[@]}"
      DID+=("installed from ${BACKPORTS}: ${bp[*]}")
    fi
    if [ ${#plain[@]} -gt 0 ]; then
      apt_update
      log "vulkan: installing ${plain[*]}"
      "${APT_INSTALL[@]}" "${plain[@]}"
      DID+=("installed ${plain[*]}")
    fi
    need mesa-vulkan-drivers "$MESA_MIN" && die "mesa-vulkan-drivers is $(installed_version mesa-vulkan-drivers), need >= ${MESA_MIN} (from ${BACKPORTS})"
  fi
  local icd; icd=$(lvp_icd || true)
  if [ -z "$icd" ]; then
    MISSING+=("lavapipe ICD json"); log "vulkan: no lavapipe ICD JSON found"; return
  fi
  log "vulkan: mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers), lavapipe ICD ${icd}"
  if command -v vulkaninfo >/dev/null 2>&1; then
    local feats f ok=1
    feats=$(VK_ICD_FILENAMES="$icd" vulkaninfo 2>/dev/null | grep ArrayDynamicIndexing | sort -u || true)
    printf '%s\n' "$feats" | sed 's/^[[:space:]]*/[setup-system] vulkan:   /'
    # the four core Vulkan 1.0 features Dawn requires
    for f in shaderUniformBufferArrayDynamicIndexing shaderSampledImageArrayDynamicIndexing \
             shaderStorageBufferArrayDynamicIndexing shaderStorageImageArrayDynamicIndexing; do
      printf '%s\n' "$feats" | grep -Eq "[[:space:]]${f}[[:space:]]*= true" || ok=0
    done
    if [ "$ok" = 1 ]; then
      log "vulkan: OK, the four shader*ArrayDynamicIndexing features are true (Dawn / WebGPU EP accepts lavapipe)"
      log "vulkan: check the EP itself with: node scripts/check-webgpu.js"
    else
      MISSING+=("lavapipe ArrayDynamicIndexing features")
      log "vulkan: lavapipe lacks shader*ArrayDynamicIndexing features: Dawn will reject it (Mesa < ${MESA_MIN}?)"
    fi
  fi
}

# ---------------------------------------------------------------- section: browser (LATER, off by default)
# For future UI tests (VS Code webview / browser-driven tests). Not needed yet.
BROWSER_PKGS=(chromium libkrb5-dev)
section_browser() {
  local todo=() p
  for p in "${BROWSER_PKGS[@]}"; do need "$p" && todo+=("$p"); done
  if [ ${#todo[@]} = 0 ]; then
    log "browser: already installed (${BROWSER_PKGS[*]})"
  elif [ "$CHECK_ONLY" = 1 ]; then
    MISSING+=("${todo[@]}")
  else
    apt_update
    log "browser: installing ${todo[*]}"
    "${APT_INSTALL[@]}" "${todo[@]}"
    DID+=("installed ${todo[*]}")
  fi
}

# ---------------------------------------------------------------- run
[ "$WANT_TORCH" = 1 ] && section_torch
[ "$WANT_VULKAN" = 1 ] && section_vulkan
[ "$WANT_BROWSER" = 1 ] && section_browser

ELAPSED=$(( $(date +%s) - START_S ))
if [ ${#DID[@]} = 0 ]; then
  log "nothing to install"
else
  for d in "${DID[@]}"; do log "did: $d"; done
fi
if [ ${#MISSING[@]} -gt 0 ]; then
  log "MISSING: ${MISSING[*]}"
  log "done in ${ELAPSED}s (with problems)"
  exit 1
fi
log "done in ${ELAPSED}s"
