#!/usr/bin/env bash
# Builds the self-contained binary README "Install on a server" describes (the Swift runtime and
# Foundation linked in with --static-swift-stdlib) and checks what it still needs at run time:
# besides the C library's own parts, only libcurl and libzstd, which every server installs from
# its distribution (Debian: libcurl4, libzstd1). Then runs it, and verifies the example systemd
# units against it.
#
# It builds in the debug configuration into .build-static: the linkage, which is what is checked
# here, is the same as a release build's (the same link step with the same libraries; only the
# optimisation of the code differs), and a debug build costs CI minutes less. README's command for
# a server is the release build.
#
# Usage: Tests/Install/check_static_binary.sh [--configuration release]
set -euo pipefail
cd "$(dirname "$0")/../.."

configuration=debug
if [[ "${1:-}" == "--configuration" ]]; then configuration=${2:?}; fi
scratch=.build-static
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift build --product qdrant-backup --static-swift-stdlib -c "$configuration" --scratch-path "$scratch" >"$log" 2>&1; then
  grep -E 'error' "$log" >&2 || tail -20 "$log" >&2
  echo "static binary: the build failed" >&2
  exit 1
fi
tail -1 "$log"
binary="$(swift build -c "$configuration" --scratch-path "$scratch" --show-bin-path)/qdrant-backup"
[[ -x "$binary" ]] || { echo "static binary: $binary was not built" >&2; exit 1; }

# What the binary needs, with ldd: the C library and its parts, the dynamic loader, the kernel's
# vDSO, libgcc_s and libstdc++ (the C++ runtime the Swift runtime's static libraries still load
# shared, on every Linux system: apt itself needs it); libcurl and libzstd; and what libcurl and
# libzstd need in turn (OpenSSL, nghttp2, Kerberos, … on Debian), which their packages bring. Anything
# else (libswiftCore, Foundation's libxml2 or ICU) would have to be installed on the server too.
system='^(linux-vdso\.so|ld-linux-x86-64\.so|ld-linux-aarch64\.so|libc\.so|libm\.so|libpthread\.so|libdl\.so|librt\.so|libgcc_s\.so|libstdc\+\+\.so)'
libraries() { ldd "$1" | awk '$2 == "=>" { print $1 } $2 != "=>" { print $1 }' | sed 's#.*/##' | sort -u; }
needed=$(libraries "$binary")
path_of() { ldd "$binary" | awk -v name="$1" '$1 ~ "^" name { print $3 }'; }
curl=$(path_of libcurl.so); zstd=$(path_of libzstd.so)
[[ -n "$curl" && -n "$zstd" ]] || { echo "static binary: does not link libcurl and libzstd (checked the wrong binary?)" >&2; ldd "$binary" >&2; exit 1; }
brought=$( (libraries "$curl"; libraries "$zstd"; basename "$curl"; basename "$zstd") | sort -u)
unexpected=$(comm -23 <(grep -Ev "$system" <<<"$needed" || true) <(echo "$brought"))
echo "static binary: $(du -h "$binary" | cut -f1) $binary"
echo "static binary: shared libraries:" $(grep -E "$system" <<<"$needed"), "$(basename "$curl") and $(basename "$zstd") (with $(comm -12 <(grep -Ev "$system" <<<"$needed") <(echo "$brought") | grep -cv -e '^libcurl' -e '^libzstd') of their own)"
if [[ -n "$unexpected" ]]; then
  echo "static binary: needs shared libraries beyond the C library, libcurl and libzstd:" $unexpected >&2
  exit 1
fi
if ldd "$binary" | grep -q 'not found'; then
  echo "static binary: a shared library is not found:" >&2; ldd "$binary" >&2; exit 1
fi

# It starts: its version, and `health` with no server configured (a usage error, exit 64, with a
# message naming the variable), which runs argument parsing, Foundation and the process set-up.
"$binary" --version
set +e
health=$(env -i PATH=/usr/bin:/bin "$binary" health 2>&1)
status=$?
set -e
if [[ $status -ne 64 ]] || ! grep -q QDRANT_PRODUCTION_URL <<<"$health"; then
  echo "static binary: health without a server answered $status: $health" >&2
  exit 1
fi
echo "static binary: health without a server: exit 64 as documented"

bash Tests/Install/check_systemd_units.sh "$binary"
