#!/bin/sh
# All the tests: unit, uAPI and ABI checks, the tool, with gcc and clang, a
# static build, the unit tests again under AddressSanitizer+UBSan and under
# ThreadSanitizer, and the real-kernel lab.
# IOFD_WERROR=1 (set by CI) turns warnings into errors.
# Prints each build's totals and a closing "N passed, N failed, N skipped".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/deps.sh"
kh=$("$top/scripts/kernel-headers.sh" | tail -n 1)
out=${IOFD_BUILD_DIR:-$top/build}
werror=false
[ "${IOFD_WERROR:-0}" = 1 ] && werror=true
status=0
logs=

run() { # name cc [meson options...] -- [meson test options...]
	name=$1 compiler=$2
	shift 2
	setup=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do setup="$setup $1"; shift; done
	[ $# -gt 0 ] && shift
	dir="$out/$name"
	echo "== $name ($compiler)"
	# shellcheck disable=SC2086
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" -Dkernel_headers="$kh" -Dwerror=$werror $setup >/dev/null
	else
		CC=$compiler CXX=$( [ "$compiler" = clang ] && echo clang++ || echo g++ ) \
			meson setup "$dir" -Dkernel_headers="$kh" -Dwerror=$werror $setup >/dev/null
	fi
	ninja -C "$dir" >/dev/null || { echo "$name: build FAILED"; ninja -C "$dir" | tail -n 40; status=1; return; }
	meson test -C "$dir" --print-errorlogs "$@" || status=1
	logs="$logs $dir/meson-logs/testlog.json"
}

run gcc gcc
run clang clang
run static gcc -Ddefault_library=static -- --suite abi --suite unit
run asan clang -Db_sanitize=address,undefined -Db_lundef=false -- --suite unit --suite conformance --suite uapi --suite tool
# ThreadSanitizer over the unit tests: the concurrent translate readers, the
# simulator's threads.
run tsan clang -Db_sanitize=thread -Db_lundef=false -- --suite unit

# The real-kernel lab: the integration tests in QEMU guests, every mode and
# variant (tests/vm/README.md). IOFD_VM=0 leaves it out.
vmlog=
if [ "${IOFD_VM:-1}" != 0 ]; then
	echo "== vm (Linux 6.12 under QEMU)"
	vmlog="$out/vm.log"
	"$top/tests/vm/suite.sh" "$out/gcc" 2>&1 | tee "$vmlog"
	tail -n 1 "$vmlog" | grep -q '^vm: [0-9]* passed, 0 failed' || status=1
fi

# shellcheck disable=SC2086
python3 "$top/scripts/test-summary.py" $logs ${vmlog:+--vm "$vmlog"} || status=1
exit $status
