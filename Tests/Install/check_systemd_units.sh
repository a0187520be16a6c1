#!/usr/bin/env bash
# Checks the example systemd units of docs/systemd with `systemd-analyze verify`: syntax, known
# keys, the timer's unit, and that ExecStart's binary exists and is executable. The units name
# /usr/local/bin/qdrant-backup, so a temporary copy of each names the binary given instead (the
# one the static build made). Any warning fails the check, not only errors. Skipped, saying so,
# where systemd-analyze is not installed; it needs no running systemd (checked inside a container
# whose PID 1 is not systemd).
#
# Usage: Tests/Install/check_systemd_units.sh PATH_TO_QDRANT_BACKUP
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=$(realpath "${1:?usage: $0 PATH_TO_QDRANT_BACKUP}")
if ! command -v systemd-analyze >/dev/null; then
  echo "systemd units: skipped, systemd-analyze is not installed"
  exit 0
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for unit in docs/systemd/*.service docs/systemd/*.timer; do
  sed "s#/usr/local/bin/qdrant-backup#$binary#g" "$unit" > "$scratch/$(basename "$unit")"
done
grep -q "$binary" "$scratch"/*.service || { echo "systemd units: no ExecStart names /usr/local/bin/qdrant-backup" >&2; exit 1; }
# --man=no: the units' Documentation= names the man page, which README installs but CI does not.
if ! output=$(cd "$scratch" && systemd-analyze verify --man=no ./*.service ./*.timer 2>&1) || [[ -n "$output" ]]; then
  echo "systemd units: systemd-analyze verify complained:" >&2
  echo "$output" >&2
  exit 1
fi
# A key is never in a unit: every secret comes from the EnvironmentFile.
if grep -Ei '^(Environment=.*(API_KEY|TOKEN|PASSPHRASE)|ExecStart=.*(api-key|token)=)' docs/systemd/*.service; then
  echo "systemd units: a secret is set in a unit; put it in the environment file" >&2
  exit 1
fi
echo "systemd units: $(ls docs/systemd/*.service docs/systemd/*.timer | wc -l) units verified by $(systemd-analyze --version | head -1)"
