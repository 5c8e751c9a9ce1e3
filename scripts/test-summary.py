#!/usr/bin/env python3
"""Sum the cmocka results (and the other test programs' own totals) of meson test logs,
and the real-kernel lab's totals (--vm LOG: the output of tests/vm/suite.sh)."""
import json
import re
import sys

total = {"passed": 0, "failed": 0, "skipped": 0}
programs = {"ok": 0, "fail": 0, "skip": 0}
args = sys.argv[1:]
vmlog = None
if "--vm" in args:
    i = args.index("--vm")
    vmlog = args[i + 1]
    del args[i:i + 2]
for path in args:
    build = path.split("/")[-3]
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            res = t.get("result", "")
            programs["ok" if res == "OK" else "skip" if res == "SKIP" else "fail"] += 1
            out = (t.get("stdout", "") or "") + "\n" + (t.get("stderr", "") or "")
            # cmocka: "[  PASSED  ] 7 test(s)." / "[  FAILED  ] 1 test(s), listed below:"
            # / "[  SKIPPED ] 2 test(s), listed below:"
            found = False
            for word, key in (("PASSED", "passed"), ("FAILED", "failed"), ("SKIPPED", "skipped")):
                for n in re.findall(r"\[\s+%s\s+\] (\d+) test" % word, out):
                    counts[key] += int(n)
                    found = True
            # Our script tests end with "NAME: N passed, M failed[, K skipped]".
            m = re.search(r"(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$", out)
            if not found and m:
                counts["passed"] += int(m.group(1))
                counts["failed"] += int(m.group(2))
                counts["skipped"] += int(m.group(3) or 0)
                found = True
            if not found:  # a program with no count of its own: one check
                key = "passed" if res == "OK" else "skipped" if res == "SKIP" else "failed"
                counts[key] += 1
    print(f"{build}: {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['skipped']} skipped")
    for k in total:
        total[k] += counts[k]
if vmlog:
    m = None
    with open(vmlog) as f:
        for line in f:
            m = re.match(r"vm: (\d+) passed, (\d+) failed, (\d+) skipped", line) or m
    if m:
        print(f"vm: {m.group(1)} passed, {m.group(2)} failed, {m.group(3)} skipped")
        total["passed"] += int(m.group(1))
        total["failed"] += int(m.group(2))
        total["skipped"] += int(m.group(3))
    else:
        print("vm: no totals (the lab did not finish)")
        total["failed"] += 1
print(f"test programs: {programs['ok']} ok, {programs['fail']} failed, {programs['skip']} skipped")
print(f"{total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
sys.exit(1 if total["failed"] or programs["fail"] else 0)
