#!/usr/bin/env bash
# Pack the lab's initramfs: busybox-static plus tests/vm/init, nothing else (the
# guest runs the host's own binaries over 9p).  Cached as
#   $IOFD_VM_CACHE/initramfs-<hash>.cpio.gz
# keyed by init, this script and the busybox binary.  Prints the path as the last
# line of stdout.  The archive has no /dev/console node (making one needs root): the
# kernel's built-in default initramfs supplies it, and init opens it after mounting
# devtmpfs anyway.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

vm_need_pkgs busybox-static cpio gzip
bb=/bin/busybox
[ -x "$bb" ] || vm_die "$bb missing (package busybox-static)"
file -b "$bb" 2>/dev/null | grep -q 'dynamically linked' && vm_die "$bb is not static"
key=$(cat "$IOFD_VM_DIR/init" "$0" "$bb" | sha256sum | cut -c1-16)
out=$IOFD_VM_CACHE/initramfs-$key.cpio.gz
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$IOFD_VM_CACHE"
tmp=$(mktemp -d "$IOFD_VM_CACHE/.initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,results,host,hosttmp}
cp "$bb" "$root/bin/busybox"
for applet in $("$bb" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
ln -s bin "$root/sbin"
install -m 0755 "$IOFD_VM_DIR/init" "$root/init"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) |
	gzip -n -6 >"$tmp/initramfs.cpio.gz"
mv "$tmp/initramfs.cpio.gz" "$out"
vm_msg "packed $out ($(stat -c %s "$out") bytes)"
echo "$out"
