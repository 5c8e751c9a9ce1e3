#!/bin/sh
# The main job: build libiommufd and show what it sees.
#   scripts/main.sh          this host, then a simulated VT-d host (a fake sysfs
#                            tree with a coherency-enforcing IOMMU and one that
#                            is not)
#   scripts/main.sh --host   this host only
#   scripts/main.sh --json   the same, as JSON
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
only_host=false
json=
for a in "$@"; do
	case $a in
	--host) only_host=true ;;
	--json) json=--json ;;
	-h|--help) sed -n '2,9p' "$0"; exit 0 ;;
	*) echo "main.sh: unknown option $a" >&2; exit 2 ;;
	esac
done
"$top/scripts/deps.sh"
dir=${IOFD_BUILD_DIR:-$top/build}/main
[ -f "$dir/build.ninja" ] || meson setup "$dir" "$top" >/dev/null
ninja -C "$dir" >/dev/null

echo "### This host"
"$dir/tools/iofdctl" $json
$only_host && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$dir/tests/mkfakesysfs" vtd-mixed "$tmp"
echo
echo "### A simulated host: two VT-d units, one enforcing coherency (snoop control), one not"
"$dir/tools/iofdctl" $json --sysfs-root "$tmp/sys" --dev-root "$tmp/dev"
