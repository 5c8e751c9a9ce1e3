#!/usr/bin/env python3
"""Exported symbols == version script == IOFD_API declarations; all prefixed and versioned.

check_symbols.py LIB MAPFILE HEADER [NODE_PREFIX [API_MACRO]]: the defaults are
libiommufd's (LIBIOMMUFD_, IOFD_API); libiommufd-sim passes LIBIOMMUFD_SIM_ and
IOFD_SIM_API."""
import re
import subprocess
import sys

lib, mapfile, header = sys.argv[1:4]
node_prefix = sys.argv[4] if len(sys.argv) > 4 else "LIBIOMMUFD_"
api_macro = sys.argv[5] if len(sys.argv) > 5 else "IOFD_API"
failures = []

out = subprocess.run(["objdump", "-T", lib], check=True, capture_output=True,
                     text=True).stdout
exported = {}
for line in out.splitlines():
    # 0000000000001234 g    DF .text  0000000000000010  LIBIOMMUFD_0.1 iofd_ctx_new
    m = re.match(r"^[0-9a-f]+\s+g\s+\S*\s+(\.\S+)\s+[0-9a-f]+\s+(\S+)\s+(\S+)$", line)
    if m and m.group(1) != "*UND*":
        exported[m.group(3)] = m.group(2)

text = re.sub(r"/\*.*?\*/", "", open(mapfile).read(), flags=re.S)
in_map = {}
for node, body in re.findall(r"(%s[0-9.]+)\s*\{(.*?)\}" % re.escape(node_prefix), text,
                             flags=re.S):
    glob = body.split("local:")[0].replace("global:", "")
    for sym in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*;", glob):
        in_map[sym] = node

hdr = open(header).read()
declared = set(re.findall(r"%s\b[^;]*?\b(iofd_[a-z0-9_]+)\s*\(" % re.escape(api_macro), hdr,
                          flags=re.S))

for sym in sorted(set(exported) - {n for n in exported.values()}):
    if not sym.startswith("iofd_"):
        failures.append(f"exported without the iofd_ prefix: {sym}")
for sym in sorted(set(in_map) - set(exported)):
    failures.append(f"in the version script but not exported: {sym}")
for sym in sorted(set(exported) - set(in_map)):
    if not sym.startswith(node_prefix):
        failures.append(f"exported but not in the version script: {sym}")
for sym, ver in sorted(exported.items()):
    if sym in in_map and ver != in_map[sym]:
        failures.append(f"{sym} has version {ver}, the script says {in_map[sym]}")
for sym in sorted(declared - set(in_map)):
    failures.append(f"declared IOFD_API but not in the version script: {sym}")
for sym in sorted(set(in_map) - declared):
    failures.append(f"in the version script but not declared IOFD_API: {sym}")

for f in failures:
    print("FAIL:", f)
print(f"exported-symbols: {len(in_map)} symbols checked, {len(failures)} problems")
sys.exit(1 if failures else 0)
