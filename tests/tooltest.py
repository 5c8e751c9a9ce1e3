"""What the tool's test scripts share (tests/test_iofdctl*.py): results,
running a program, and reading the sections of its text output."""
import os
import subprocess

counts = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, cond, detail=""):
    if cond:
        counts["passed"] += 1
    else:
        counts["failed"] += 1
        print("FAIL: %s%s" % (name, (": " + str(detail)) if detail != "" else ""))
    return cond


def skip(name, why):
    counts["skipped"] += 1
    print("SKIP: %s: %s" % (name, why))


def summary(what):
    """Print the totals; the exit status: 1 if anything failed."""
    print("%s: %d passed, %d failed, %d skipped"
          % (what, counts["passed"], counts["failed"], counts["skipped"]))
    return 1 if counts["failed"] else 0


def run(cmd, env=None, timeout=60):
    """Run cmd (a list) with env added to the environment (None values removed);
    (exit status, stdout, stderr)."""
    e = dict(os.environ)
    for k, v in (env or {}).items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e,
                       timeout=timeout)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def section(text, title):
    """The lines of a text section whose header starts with title, up to a blank line."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(title):
            out = []
            for l in lines[i + 1:]:
                if not l.strip():
                    break
                out.append(l)
            return out
    return None
