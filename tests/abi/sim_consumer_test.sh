#!/bin/sh
# Install the build into a scratch root, then build examples/sim-consumer
# with its own Makefile, finding libiommufd-sim (and through it libiommufd)
# only through pkg-config, and run it.
set -eu
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >/dev/null
pcdir=$(dirname "$(find "$tmp/root" -name libiommufd-sim.pc | head -n 1)")
[ -f "$pcdir/libiommufd-sim.pc" ] || { echo "libiommufd-sim.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$tmp/root"
pkg-config --exists libiommufd-sim
grep -q '^Requires:.*libiommufd' "$pcdir/libiommufd-sim.pc"
cp "$src"/sim_consumer_test.c "$src"/Makefile "$tmp/"
make -s -C "$tmp" CC="${CC:-cc}" sim_consumer_test
libdir=$(dirname "$(find "$tmp/root" -name 'libiommufd-sim.so' | head -n 1)")
LD_LIBRARY_PATH="$libdir" "$tmp/sim_consumer_test"
