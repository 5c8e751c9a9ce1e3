#!/usr/bin/env bash
# Build the lab's guest kernel from Debian's linux-source-6.12, out of tree, cached.
#
#   tests/vm/build-kernel.sh [--variant main|compat] [--force]
#
#   main    kernel.config: iommufd + VFIO cdev + the native type1 container
#   compat  kernel.config + kernel-compat.config: iommufd serves /dev/vfio/vfio
#
# Prints the bzImage path as the last line of stdout; progress and the build time
# go to stderr.  The image is cached under
#   $IOFD_VM_CACHE/kernel-<source version>-<variant>-<hash>/bzImage
# where the hash covers the fragment(s), the configure/build recipe below and the
# compiler version: a second run with the same inputs returns at once.  Both variants
# build in one object tree, $IOFD_VM_CACHE/obj-<source version> (under a lock), so
# whichever is built second, or after a fragment changed, builds incrementally: the
# variants differ only in the VFIO container options.  (A copy of the tree would not
# do: objtool rebuilds in a tree that moved, and every object then rebuilds with it.)
set -euo pipefail
{ # the whole script is read before it runs: editing it meanwhile is safe
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

variant=main force=0
while [ $# -gt 0 ]; do
	case $1 in
	--variant) variant=${2:?--variant needs main or compat}; shift 2 ;;
	--variant=*) variant=${1#*=}; shift ;;
	--force) force=1; shift ;;
	-h|--help) vm_usage; exit 0 ;;
	*) vm_die "unknown argument: $1" ;;
	esac
done
case $variant in
main) fragments=("$IOFD_VM_DIR/kernel.config") ;;
compat) fragments=("$IOFD_VM_DIR/kernel.config" "$IOFD_VM_DIR/kernel-compat.config") ;;
*) vm_die "unknown variant '$variant' (main or compat)" ;;
esac

# The recipe: everything here is part of the cache key (via `declare -f`).
kernel_configure() { # obj src fragment...
	local obj=$1 src=$2
	shift 2
	make -s -C "$src" O="$obj" ARCH=x86_64 tinyconfig
	cat "$@" >>"$obj/.config"
	make -s -C "$src" O="$obj" ARCH=x86_64 olddefconfig
}
kernel_build() { # obj src
	make -C "$1" ARCH=x86_64 -j"$(nproc)" bzImage
}

# kernel_check_config CONFIG FRAGMENT...: every option the fragments set (the last
# one wins) must have that value in CONFIG; prints the ones that do not.
kernel_check_config() {
	local config=$1
	shift
	awk '
		FNR == NR {
			if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) have[substr($0, 1, RLENGTH - 1)] = substr($0, RLENGTH + 1)
			next
		}
		/^CONFIG_[A-Za-z0-9_]+=/ { i = index($0, "="); want[substr($0, 1, i - 1)] = substr($0, i + 1); next }
		/^# CONFIG_[A-Za-z0-9_]+ is not set/ { want[$2] = "n"; next }
		END {
			for (s in want) {
				got = (s in have) ? have[s] : "n"
				if (got != want[s]) { printf "  %s: wanted %s, got %s\n", s, want[s], got; bad = 1 }
			}
			exit bad
		}' "$config" "$@"
}

# The cache check comes first and stays cheap (no package checks, no unpacking).
srcver=$(dpkg-query -W -f='${Version}' "$IOFD_VM_SRCPKG" 2>/dev/null || true)
key=$({
	# the options, not the comments ("# CONFIG_X is not set" is an option)
	sed -e '/^# CONFIG_[A-Za-z0-9_]* is not set/b' -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' \
		"${fragments[@]}"
	declare -f kernel_configure kernel_build
	gcc --version 2>/dev/null | head -n 1
} | sha256sum | cut -c1-16)
out=$IOFD_VM_CACHE/kernel-$srcver-$variant-$key
if [ $force = 0 ] && [ -n "$srcver" ] && [ -f "$out/bzImage" ]; then
	echo "$out/bzImage"
	exit 0
fi

vm_need_pkgs build-essential bc bison flex libelf-dev libssl-dev xz-utils rsync
src=$("$IOFD_VM_TOP/scripts/kernel-source.sh" | tail -n 1)
[ -f "$src/Makefile" ] || vm_die "no kernel source from scripts/kernel-source.sh"
srcver=$(dpkg-query -W -f='${Version}' "$IOFD_VM_SRCPKG")
[ "$src" = "${src%"$srcver"}" ] && vm_die "kernel source $src is not version $srcver"
out=$IOFD_VM_CACHE/kernel-$srcver-$variant-$key
obj=$IOFD_VM_CACHE/obj-$srcver

mkdir -p "$IOFD_VM_CACHE"
exec 8>"$IOFD_VM_CACHE/.lock-obj-$srcver"
if ! flock -n 8; then
	vm_msg "waiting for another kernel build in $obj"
	flock 8
fi
if [ $force = 0 ] && [ -f "$out/bzImage" ]; then # built meanwhile by someone else
	echo "$out/bzImage"
	exit 0
fi

t0=$(vm_now)
mkdir -p "$obj"
log=$obj/build.log
vm_msg "building the $variant kernel ($srcver) in $obj; log: $log"
if ! kernel_configure "$obj" "$src" "${fragments[@]}" >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	vm_die "kernel configuration failed"
fi
if ! bad=$(kernel_check_config "$obj/.config" "${fragments[@]}"); then
	printf '%s\n' "$bad" >&2
	vm_die "these options of ${fragments[*]##*/} did not stick after olddefconfig (a missing dependency?)"
fi
t1=$(vm_now)
if ! kernel_build "$obj" "$src" >>"$log" 2>&1; then
	grep -E 'error|Error' "$log" | head -n 20 >&2
	tail -n 20 "$log" >&2
	vm_die "kernel build failed; log: $log"
fi
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
cp "$obj/arch/x86/boot/bzImage" "$out.tmp/bzImage"
cp "$obj/.config" "$out.tmp/config"
rm -rf "$out"
mv "$out.tmp" "$out"
vm_msg "built the $variant kernel in $(vm_elapsed "$t0") s (configure $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s), $(stat -c %s "$out/bzImage") bytes"
echo "$out/bzImage"
}
