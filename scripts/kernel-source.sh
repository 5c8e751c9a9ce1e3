#!/bin/sh
# Unpack Debian's linux-source-6.12 once per machine, outside the work tree,
# and print the source directory on the last line. The cache is keyed by the
# package version, so a security update of the package unpacks afresh.
#   IOFD_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/libiommufd)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${IOFD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libiommufd}
pkg=linux-source-6.12

"$top/scripts/deps.sh" $pkg >&2
ver=$(dpkg-query -W -f='${Version}' $pkg)
src=$cache/$pkg-$ver
if [ ! -f "$src/.unpacked" ]; then
	echo "kernel-source: unpacking $pkg $ver into $src" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xf /usr/src/$pkg.tar.xz
	touch "$src.tmp/.unpacked"
	mv "$src.tmp" "$src"
fi
echo "$src"
