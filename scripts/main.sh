#!/bin/sh
# The main job: build libiommufd and show what it does.
#   scripts/main.sh             the end-to-end demo on a simulated machine (two
#                               VT-d units, one enforcing coherency and one not,
#                               an NVMe behind each: placement decided and
#                               explained, one buffer mapped once and read back
#                               by DMA through both domains), then this host
#   scripts/main.sh --host      this host only (its own IOMMU, when it has one)
#   scripts/main.sh --vm [V]    inside the real-kernel lab: Linux 6.12 under QEMU
#                               with emulated VT-d and NVMe (V: sc, nosc, compat,
#                               mock; default sc): the host picture, then
#                               nvme-identify on the two NVMe controllers. The
#                               first run builds the guest kernel (about 10
#                               minutes, then cached).
#   scripts/main.sh --json      any of the above, as JSON
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
mode=default
variant=sc
json=
while [ $# -gt 0 ]; do
	case $1 in
	--host) mode=host ;;
	--vm)
		mode=vm
		case ${2:-} in sc|nosc|compat|compat-sc|compat-nosc|mock) variant=$2; shift ;; esac ;;
	--json) json=--json ;;
	-h|--help) sed -n '2,11p' "$0"; exit 0 ;;
	*) echo "main.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done
"$top/scripts/deps.sh"
dir=${IOFD_BUILD_DIR:-$top/build}/main
[ -f "$dir/build.ninja" ] || meson setup "$dir" "$top" >/dev/null
ninja -C "$dir" >/dev/null

case $mode in
vm)
	echo "### The lab's guest: Linux 6.12, QEMU VT-d ($variant), NVMe and e1000e on vfio-pci"
	# What the host looks like, then the demo on real hardware: the two NVMe
	# controllers answer Identify by DMA through the library (in the mock
	# boot, without VT-d, there are no vfio-pci devices: the picture only).
	nvme=
	[ "$variant" = mock ] || [ -n "$json" ] ||
		nvme="&& echo && echo '### examples/nvme-identify: Identify by DMA through the IOAS' && $dir/examples/nvme-identify 0000:00:01.0 0000:00:02.0"
	exec "$top/tests/vm/run" --variant "$variant" -- sh -c "$dir/tools/iofdctl $json $nvme"
	;;
host)
	exec "$dir/tools/iofdctl" $json
	;;
esac

status=0
if [ -z "$json" ]; then
	echo "### The end-to-end demo on a simulated machine"
	"$dir/examples/demo" || status=1
else
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	"$dir/tests/mkfakesysfs" vtd-mixed "$tmp"
	"$dir/tools/iofdctl" --json --sysfs-root "$tmp/sys" --dev-root "$tmp/dev"
fi
echo
echo "### This host"
"$dir/tools/iofdctl" $json
exit $status
