#!/bin/sh
# A project that pulls libiommufd in as a meson subproject, by dependency name.
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/proj/subprojects"
ln -s "$src" "$tmp/proj/subprojects/libiommufd"
cat > "$tmp/proj/meson.build" <<'MESON'
project('consumer', 'c')
dep = dependency('libiommufd', fallback : ['libiommufd'],
  default_options : ['tests=false', 'examples=false'])
executable('consumer', 'consumer.c', dependencies : dep)
MESON
cat > "$tmp/proj/consumer.c" <<'C'
#include <libiommufd.h>
#include <stdio.h>
int main(void) { printf("subproject: libiommufd %s\n", iofd_version()); return 0; }
C
# Force the subproject even where an installed libiommufd exists.
meson setup --force-fallback-for=libiommufd "$tmp/build" "$tmp/proj" >/dev/null
meson compile -C "$tmp/build" >/dev/null
"$tmp/build/consumer"
