#!/bin/sh
# Install the build into a scratch root, then build and run a consumer that
# knows the library only through pkg-config.
set -eu
build=$1 src=$2 kind=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >/dev/null
pcdir=$(dirname "$(find "$tmp/root" -name libiommufd.pc | head -n 1)")
[ -f "$pcdir/libiommufd.pc" ] || { echo "libiommufd.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$tmp/root"
static=
[ "$kind" = static ] && static=--static
pkg-config --exists libiommufd
grep -q '^Requires.private:.*libudev' "$pcdir/libiommufd.pc"
# shellcheck disable=SC2046
${CC:-cc} -o "$tmp/consumer" "$src" $(pkg-config --cflags libiommufd) \
	$(pkg-config $static --libs libiommufd)
libdir=$(dirname "$(find "$tmp/root" -name 'libiommufd.*' \( -name '*.so' -o -name '*.a' \) | head -n 1)")
LD_LIBRARY_PATH="$libdir" "$tmp/consumer"
