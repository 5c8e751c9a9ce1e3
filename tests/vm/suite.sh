#!/usr/bin/env bash
# The lab's integration suite: every registered test, inside the guest, in every
# configuration.  CI calls it; so can you.
#
#   tests/vm/suite.sh [BUILD_DIR]
#
# BUILD_DIR is a meson build directory of this tree (default: build/gcc, as
# scripts/test.sh makes it); tests that need something it lacks skip.  Builds both
# kernels if the cache lacks them, then boots once per variant and runs, inside, every
# test registered below in each mode that variant serves:
#
#   configuration       boot (tests/vm/run --variant)   mode ($IOFD_VM_MODE)
#   sc/cdev             sc                               cdev          iommufd + VFIO cdevs
#   sc/type1            sc                               type1         VFIO's /dev/vfio/vfio
#   sc/compat-iommu     sc                               compat-iommu  groups in a /dev/iommu fd
#   nosc/...            nosc                             (the same three)
#   compat-sc/compat-vfio, compat-nosc/compat-vfio       compat-vfio   iommufd as /dev/vfio/vfio
#   mock/mock           mock                             mock          selftest mock, fault injection
#
# Prints one line per test, the per-configuration totals and a last line
# "vm: N passed, N failed, N skipped"; exits non-zero if anything failed (a test, a
# guest hang, a kernel oops, a build).
#   IOFD_VM_SUITE_VARIANTS   the boots to make (default: sc nosc mock compat-sc compat-nosc)
#   IOFD_VM_SUITE_TIMEOUT    seconds per boot before it counts as hung (default 900)
#   IOFD_VM_TEST_TIMEOUT     seconds per test inside the guest (default 300)
#   IOFD_VM_VERBOSE=1        show every test's output, not only that of failures and skips
set -euo pipefail
{ # the whole script is read before it runs: editing it meanwhile is safe
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# ---------------------------------------------------------------------------------
# The registry.  One entry per test: NAME|MODES|COMMAND
#   MODES    "all", or a comma list of cdev,type1,compat-iommu,compat-vfio,mock
#   COMMAND  run by bash inside the guest, from the top of the source tree, as root,
#            with IOFD_VM_MODE, IOFD_BUILD_DIR and the variables tests/vm/run sets
#            (IOFD_VM_VARIANT, IOFD_VM_KERNEL, IOFD_VM_SNOOP_CONTROL, ...);
#            exit 0 = pass, 77 = skip (say why on stdout), anything else = fail.
# Later issues append their tests here.
VM_TESTS=(
	'smoke|all|tests/vm/guest/smoke.py'
	'iofdctl|all|tests/vm/guest/iofdctl.py "$IOFD_BUILD_DIR"'
	# Our uAPI sizes through the kernel's size rules, iommufd and VFIO (type1, cdev):
	# once per kernel and IOMMU setting.
	'uapi-live|cdev,mock,compat-vfio|"$IOFD_BUILD_DIR"/tests/test-uapi-live'
	# The simulated kernel's uAPI conformance suite, against the real kernel.
	'conformance-ioas|cdev,mock,compat-vfio|env IOFD_KERNEL=real "$IOFD_BUILD_DIR"/tests/conformance/conformance-ioas'
	'conformance-device|cdev,mock,compat-vfio|env IOFD_KERNEL=real "$IOFD_BUILD_DIR"/tests/conformance/conformance-device'
	# The library's IOAS/device API, in the mode of each boot (IOFD_VM_MODE: cdev and
	# mock: iommufd; type1; compat-iommu: groups on /dev/iommu), and type1 on a
	# /dev/vfio/vfio that iommufd serves.
	'conformance-api|cdev,mock,compat-vfio,type1,compat-iommu|env IOFD_KERNEL=real "$IOFD_BUILD_DIR"/tests/conformance/conformance-api'
	'conformance-api-type1|compat-vfio|env IOFD_KERNEL=real IOFD_MODE=type1 "$IOFD_BUILD_DIR"/tests/conformance/conformance-api'
	# compat (groups joined to an iommufd) on the kernel where iommufd serves
	# /dev/vfio/vfio: on /dev/iommu, and on /dev/vfio/vfio itself as the iommufd.
	'conformance-api-compat|compat-vfio|env IOFD_KERNEL=real IOFD_MODE=compat "$IOFD_BUILD_DIR"/tests/conformance/conformance-api'
	'conformance-api-compat-vfio|compat-vfio|env IOFD_KERNEL=real IOFD_MODE=compat IOFD_IOMMU_PATH=/dev/vfio/vfio "$IOFD_BUILD_DIR"/tests/conformance/conformance-api'
	# A userspace NVMe driver on the library: real DMA through VT-d, completion polled, by
	# MSI-X and by INTx (masked on delivery, unmasked by the library), every mode.
	'nvme-identify|cdev,type1,compat-iommu,compat-vfio|tests/vm/guest/nvme_identify.py "$IOFD_BUILD_DIR"'
	# A VMM's guest RAM (memfd, huge pages) at fixed IOVAs for both NVMe controllers.
	'vmm-ram|cdev|"$IOFD_BUILD_DIR"/examples/vmm-ram -b iommufd -m 32 0000:00:01.0 0000:00:02.0'
	'vmm-ram-type1|type1|"$IOFD_BUILD_DIR"/examples/vmm-ram -b type1 -m 32 0000:00:01.0 0000:00:02.0'
	'vmm-ram-compat|compat-iommu|"$IOFD_BUILD_DIR"/examples/vmm-ram -b compat -m 32 0000:00:01.0 0000:00:02.0'
	'conformance-type1|type1,compat-vfio|env IOFD_KERNEL=real "$IOFD_BUILD_DIR"/tests/conformance/conformance-type1'
	# Giving the NVMe controllers and the e1000e back to the guest kernel's nvme and
	# e1000e drivers and binding them to vfio-pci again with the library; a mounted
	# or swapped-on namespace and an interface that is up refused, then forced or
	# freed.  Every device ends on vfio-pci, even when a check fails (the test's
	# teardown puts them back): the type1 and compat-iommu modes of the same boot
	# run after it.  Last of its mode, as it rebinds.
	'conformance-bind|cdev|env IOFD_KERNEL=real "$IOFD_BUILD_DIR"/tests/conformance/conformance-bind'
)
# ---------------------------------------------------------------------------------

modes_of() { # variant -> the modes that boot serves
	case $1 in
	sc|nosc) echo cdev type1 compat-iommu ;;
	mock) echo mock ;;
	compat-sc|compat-nosc) echo compat-vfio ;;
	*) vm_die "unknown variant $1" ;;
	esac
}
tests_for() { # mode -> the registered test names
	local e name modes
	for e in "${VM_TESTS[@]}"; do
		IFS='|' read -r name modes _ <<<"$e"
		case ",$modes," in
		,all,|*,"$1",*) echo "$name" ;;
		esac
	done
}

case ${1:-} in -h|--help) vm_usage; exit 0 ;; esac

# --- inside the guest: suite.sh --guest BUILD_DIR MODE... -------------------------
if [ "${1:-}" = --guest ]; then
	export IOFD_BUILD_DIR=$2
	shift 2
	cd "$IOFD_VM_TOP"
	out=$(mktemp)
	for mode in "$@"; do
		for name in $(tests_for "$mode"); do
			for e in "${VM_TESTS[@]}"; do
				[ "${e%%|*}" = "$name" ] && cmd=${e#*|*|}
			done
			t0=$(vm_now)
			st=0
			IOFD_VM_MODE=$mode timeout -k 5 "${IOFD_VM_TEST_TIMEOUT:-300}" bash -c "$cmd" \
				</dev/null >"$out" 2>&1 || st=$?
			case $st in
			0) res=pass ;;
			77) res=skip ;;
			124) res=fail; echo "timed out after ${IOFD_VM_TEST_TIMEOUT:-300} s" >>"$out" ;;
			*) res=fail; echo "exit status $st" >>"$out" ;;
			esac
			echo "IOFD_VM_RESULT $mode $name $res $(vm_elapsed "$t0")"
			if [ $res != pass ] || [ "${IOFD_VM_VERBOSE:-0}" = 1 ]; then
				sed 's/^/    | /' "$out"
			fi
		done
	done
	rm -f "$out"
	exit 0
fi

# --- on the host -------------------------------------------------------------------
build=${1:-$IOFD_VM_TOP/build/gcc}
if [ -d "$build" ]; then
	build=$(cd "$build" && pwd -P)
else
	vm_msg "warning: no build directory $build: the tests that need one skip"
fi
variants=${IOFD_VM_SUITE_VARIANTS:-sc nosc mock compat-sc compat-nosc}
t_suite=$(vm_now)
fail=0

# Build what the boots need first, so that the timings below are boots only.
kvariants=
for v in $variants; do
	case $v in compat*) kvariants="$kvariants compat" ;; *) kvariants="$kvariants main" ;; esac
done
for k in main compat; do
	case " $kvariants " in *" $k "*) ;; *) continue ;; esac
	t0=$(vm_now)
	"$IOFD_VM_DIR/build-kernel.sh" --variant $k >/dev/null || vm_die "building the $k kernel failed"
	echo "vm: $k kernel ready in $(vm_elapsed "$t0") s"
done
"$IOFD_VM_DIR/build-initramfs.sh" >/dev/null || vm_die "building the initramfs failed"

declare -A pass skip failed
configs=()
for v in $variants; do
	modes=$(modes_of "$v")
	for m in $modes; do
		configs+=("$v/$m")
		pass[$v/$m]=0 skip[$v/$m]=0 failed[$v/$m]=0
	done
	echo "== boot $v: modes $modes"
	t0=$(vm_now)
	st=
	declare -A seen=()
	while IFS= read -r line; do
		case $line in
		"IOFD_VM_RESULT "*)
			read -r _ m name res secs <<<"$line"
			seen[$m/$name]=1
			printf '  %-24s %-12s %s (%s s)\n' "$v/$m" "$name" "$res" "$secs"
			case $res in
			pass) pass[$v/$m]=$((pass[$v/$m] + 1)) ;;
			skip) skip[$v/$m]=$((skip[$v/$m] + 1)) ;;
			*) failed[$v/$m]=$((failed[$v/$m] + 1)) ;;
			esac
			;;
		"IOFD_VM_RUN_STATUS "*) st=${line#* } ;;
		*) printf '%s\n' "$line" ;;
		esac
	done < <(
		# shellcheck disable=SC2086
		"$IOFD_VM_DIR/run" --variant "$v" --timeout "${IOFD_VM_SUITE_TIMEOUT:-900}" \
			-e IOFD_VM_TEST_TIMEOUT="${IOFD_VM_TEST_TIMEOUT:-300}" \
			-e IOFD_VM_VERBOSE="${IOFD_VM_VERBOSE:-0}" \
			-- "$IOFD_VM_DIR/suite.sh" --guest "$build" $modes 2>&1
		echo "IOFD_VM_RUN_STATUS $?"
	)
	# A test that reported nothing (the guest hung, oopsed, or the runner broke) failed.
	for m in $modes; do
		for name in $(tests_for "$m"); do
			[ -n "${seen[$m/$name]:-}" ] && continue
			printf '  %-24s %-12s %s\n' "$v/$m" "$name" "fail (no result: the boot ended with status $st)"
			failed[$v/$m]=$((failed[$v/$m] + 1))
		done
	done
	unset seen
	[ "$st" = 0 ] || fail=1
	echo "   boot $v: $(vm_elapsed "$t0") s, status $st"
done

echo "== totals"
np=0 nf=0 ns=0
for c in "${configs[@]}"; do
	printf 'vm: %-24s %d passed, %d failed, %d skipped\n' "$c" "${pass[$c]}" "${failed[$c]}" "${skip[$c]}"
	np=$((np + pass[$c])) nf=$((nf + failed[$c])) ns=$((ns + skip[$c]))
done
[ $nf = 0 ] || fail=1
echo "vm: suite took $(vm_elapsed "$t_suite") s"
echo "vm: $np passed, $nf failed, $ns skipped"
exit $fail
}
