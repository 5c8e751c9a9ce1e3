#!/bin/sh
# Install what building and testing libiommufd needs, from Debian's packages.
# Quiet and quick when everything is already there. Arguments name more
# packages to make sure of (scripts/kernel-source.sh, tests/vm/ add theirs).
set -eu
pkgs="meson ninja-build pkg-config gcc g++ clang libclang-rt-14-dev llvm libcmocka-dev
libudev-dev python3 binutils rsync xz-utils make valgrind $*"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >&2
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing >&2
