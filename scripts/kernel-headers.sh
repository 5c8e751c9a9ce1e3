#!/bin/sh
# Install the uAPI headers of Debian's linux-source-6.12 once per machine,
# outside the work tree, and print the headers directory (the one holding
# include/) on the last line of stdout; everything else goes to stderr.
# tests/test_uapi_abi.c checks lib/uapi/*.h against them (-Dkernel_headers).
#
# Besides `make headers_install`, it copies the iommufd selftest's private
# header (drivers/iommu/iommufd/iommufd_test.h, not a uAPI header, so not
# installed) to include/iommufd-selftest/, so that the test can check our
# lib/uapi/iommufd_test.h too.
#   IOFD_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/libiommufd)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${IOFD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libiommufd}
pkg=linux-source-6.12

out=$("$top/scripts/kernel-source.sh")
src=$(printf '%s\n' "$out" | tail -n 1)
[ -f "$src/Makefile" ] || { echo "kernel-headers: no kernel source in '$src'" >&2; exit 1; }
ver=$(dpkg-query -W -f='${Version}' $pkg)
dest=$cache/headers-$ver
if [ ! -f "$dest/.installed" ]; then
	"$top/scripts/deps.sh" make rsync gcc >&2
	echo "kernel-headers: installing the uAPI headers of $pkg $ver into $dest" >&2
	# Private to this run, so that two runs at once cannot mix their files;
	# a separate object tree (O=) keeps the shared source tree clean.
	tmp=$dest.tmp.$$
	obj=$dest.obj.$$
	trap 'rm -rf "$tmp" "$obj"' EXIT
	trap 'exit 1' HUP INT TERM
	mkdir -p "$tmp" "$obj"
	make -s -C "$src" O="$obj" headers_install INSTALL_HDR_PATH="$tmp" >&2
	test -f "$tmp/include/linux/iommufd.h"
	test -f "$tmp/include/linux/vfio.h"
	mkdir "$tmp/include/iommufd-selftest"
	cp "$src/drivers/iommu/iommufd/iommufd_test.h" "$tmp/include/iommufd-selftest/"
	touch "$tmp/.installed"
	# Written last: a directory without the marker is a leftover.
	[ -d "$dest" ] && [ ! -f "$dest/.installed" ] && rm -rf "$dest"
	# -T: fail, rather than move inside, when another run got there first.
	mv -T "$tmp" "$dest" 2>/dev/null || [ -f "$dest/.installed" ]
fi
echo "$dest"
