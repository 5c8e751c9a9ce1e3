# Shared helpers for the lab's scripts (tests/vm/*).  Sourced, not executed.
# shellcheck shell=bash disable=SC2034

IOFD_VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IOFD_VM_TOP=$(cd "$IOFD_VM_DIR/../.." && pwd)
# Everything the lab builds (kernels, object trees, initramfs) lives here, outside
# the work tree; scripts/kernel-source.sh keeps the unpacked source in $IOFD_CACHE.
IOFD_VM_CACHE=${IOFD_VM_CACHE:-${IOFD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libiommufd}/vm}
IOFD_VM_SRCPKG=${IOFD_VM_SRCPKG:-linux-source-6.12}

vm_msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
vm_die() { vm_msg "error: $*"; exit "${VM_DIE_STATUS:-1}"; }

# vm_need_pkgs PKG...: install the Debian packages that are missing (CI starts from a
# fresh machine).  `apt-get update` runs at most once per process.
vm_need_pkgs() {
	local missing
	# one dpkg-query for all: this runs on every call of every script
	missing=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
		awk -v want="$*" '$NF == "installed" { ok[$1] = 1 }
			END { n = split(want, w, " "); for (i = 1; i <= n; i++) if (!(w[i] in ok)) print w[i] }')
	[ -z "$missing" ] && return 0
	local sudo=
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || vm_die "missing packages ($missing) and not root"
		sudo="sudo -n"
	fi
	vm_msg "installing:" $missing
	if [ -z "${VM_APT_UPDATED:-}" ]; then
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 ||
			vm_die "apt-get update failed"
		VM_APT_UPDATED=1
	fi
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$missing >&2 || vm_die "apt-get install failed:" $missing
}

vm_now() { date +%s.%N; }
vm_elapsed() { awk -v a="$1" -v b="$(vm_now)" 'BEGIN { printf "%.1f", b - a }'; }

# vm_usage: print the script's leading comment block (its documentation).
vm_usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
