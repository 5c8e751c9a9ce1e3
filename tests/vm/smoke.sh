#!/usr/bin/env bash
# Boot each lab variant once and run the smoke probe (tests/vm/guest/smoke.py) inside:
# /dev/iommu and /dev/vfio, VT-d ECAP.SC matching the variant, the NVMe controllers and
# the e1000e bound to vfio-pci with their cdevs and groups, /dev/vfio/vfio served by
# VFIO (main kernel) or by iommufd (compat kernel), the selftest mock under mock.
#
#   tests/vm/smoke.sh [VARIANT...]      default: sc nosc mock compat-sc compat-nosc
#
# Prints the probe's lines and a pass/fail line per variant, then the total; exits
# non-zero if any variant failed.  IOFD_VM_TIMING=1 is set, so each boot's time shows.
set -euo pipefail
{ # the whole script is read before it runs: editing it meanwhile is safe
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

case ${1:-} in -h|--help) vm_usage; exit 0 ;; esac
[ $# -gt 0 ] || set -- sc nosc mock compat-sc compat-nosc
export IOFD_VM_TIMING=1
passed=0 failed=0 summary=
for v in "$@"; do
	echo "== $v"
	t0=$(vm_now)
	st=0
	"$IOFD_VM_DIR/run" --variant "$v" --timeout "${IOFD_VM_TIMEOUT:-300}" -- \
		"$IOFD_VM_DIR/guest/smoke.py" || st=$?
	if [ $st = 0 ]; then
		passed=$((passed + 1)) res=pass
	else
		failed=$((failed + 1)) res="FAIL (status $st)"
	fi
	summary+=$(printf 'smoke: %-12s %s (%s s)' "$v" "$res" "$(vm_elapsed "$t0")")$'\n'
done
printf '%s' "$summary"
echo "smoke: $passed passed, $failed failed"
[ $failed = 0 ]
}
