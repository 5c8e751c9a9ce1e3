// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <string.h>

#include "iommu_regs.h"

int iofd_vtd_enforces_coherency(uint64_t ecap)
{
	return !!(ecap & IOFD_VTD_ECAP_SC);
}

int iofd_vtd_dirty_tracking(uint64_t ecap)
{
	const uint64_t need = IOFD_VTD_ECAP_SMTS | IOFD_VTD_ECAP_SLADS |
			      IOFD_VTD_ECAP_SMPWC;

	return (ecap & need) == need;
}

int iofd_vtd_addr_width(uint64_t cap)
{
	uint64_t sagaw = IOFD_VTD_CAP_SAGAW(cap);
	int mgaw = IOFD_VTD_CAP_MGAW(cap);

	/* The kernel looks for the widest level count up to 57 bits (agaw 3). */
	for (int agaw = 3; agaw >= 0; agaw--) {
		if (sagaw & (1u << agaw)) {
			int width = 30 + 9 * agaw;

			return width > mgaw ? mgaw : width;
		}
	}
	return -ENODATA;
}

uint64_t iofd_vtd_pgsizes(uint64_t cap)
{
	uint64_t sllps = IOFD_VTD_CAP_SLLPS(cap);

	/* As 6.12 builds a second-stage domain: iommu_superpage_capability()
	 * takes fls(SLLPS) as the number of superpage levels, and
	 * domain_super_pgsize_bitmap() knows only 1 (2M) and 2 (2M and 1G).
	 * So 1G without 2M still gives both, and a reserved bit 2 or 3 gives
	 * no superpages at all. */
	if (sllps == 1)
		return (1ull << 12) | (1ull << 21);
	if (sllps == 2 || sllps == 3)
		return (1ull << 12) | (1ull << 21) | (1ull << 30);
	return 1ull << 12;
}

/* @n characters of @s as iofd_parse_u64(..., 16, UINT64_MAX, ...) reads a
 * whole string: an optional 0x, hex digits; -EINVAL, or -ERANGE past 64
 * bits however long the field is. */
static int parse_hex_field(const char *s, size_t n, uint64_t *ret)
{
	uint64_t v = 0;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
		if (v >> 60)
			return -ERANGE;
		v = (v << 4) | d;
	}
	*ret = v;
	return 0;
}

int iofd_amd_parse_features(const char *s, uint64_t *efr, uint64_t *efr2)
{
	const char *colon;
	uint64_t a, b = 0;
	int r;

	if (!s || !efr)
		return -EINVAL;
	colon = strchr(s, ':');
	r = parse_hex_field(s, colon ? (size_t)(colon - s) : strlen(s), &a);
	if (r < 0)
		return r;
	if (colon) {
		r = parse_hex_field(colon + 1, strlen(colon + 1), &b);
		if (r < 0)
			return r;
	}
	*efr = a;
	if (efr2)
		*efr2 = b;
	return 0;
}

int iofd_amd_dirty_tracking(uint64_t efr)
{
	return !!(efr & IOFD_AMD_EFR_HDSUP);
}
