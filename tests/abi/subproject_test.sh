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
sim = dependency('libiommufd-sim', fallback : ['libiommufd'])
executable('sim-consumer', 'sim_consumer.c', dependencies : sim)
MESON
cat > "$tmp/proj/consumer.c" <<'C'
#include <libiommufd.h>
#include <stdio.h>
int main(void) { printf("subproject: libiommufd %s\n", iofd_version()); return 0; }
C
cat > "$tmp/proj/sim_consumer.c" <<'C'
#include <libiommufd-sim.h>
#include <stdio.h>
int main(void)
{
	struct iofd_sim *sim;
	int r = iofd_sim_new(&sim, NULL);

	printf("subproject: libiommufd-sim %s\n", r ? "failed" : "ok");
	iofd_sim_free(sim);
	return r != 0;
}
C
# Force the subproject even where an installed libiommufd exists.
meson setup --force-fallback-for=libiommufd,libiommufd-sim "$tmp/build" "$tmp/proj" >/dev/null
meson compile -C "$tmp/build" >/dev/null
"$tmp/build/consumer"
"$tmp/build/sim-consumer"
