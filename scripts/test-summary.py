#!/usr/bin/env python3
"""Sum the cmocka results (and the other test programs' own totals) of meson test logs."""
import json
import re
import sys

total = {"passed": 0, "failed": 0, "skipped": 0}
programs = {"ok": 0, "fail": 0, "skip": 0}
for path in sys.argv[1:]:
    build = path.split("/")[-3]
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            res = t.get("result", "")
            programs["ok" if res == "OK" else "skip" if res == "SKIP" else "fail"] += 1
            out = t.get("stdout", "") or ""
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
print(f"test programs: {programs['ok']} ok, {programs['fail']} failed, {programs['skip']} skipped")
print(f"{total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
sys.exit(1 if total["failed"] or programs["fail"] else 0)
