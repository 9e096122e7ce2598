"""veil(1), as the build wrote it (tools/gen-man.py): it renders without a
groff warning, has a section for every command `veil --help` lists, and
names every flag each command's --help names, `veil run`'s with the key
and default of its setting.

usage: test_man.py VEIL MANPAGE [test_name ...]
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import check, eq, run  # noqa: E402

PAGE = sys.argv[2] if len(sys.argv) > 2 else None
RUN_OPTION = re.compile(r"^\s+(-c|--[a-z0-9-]+)(?: ([^\s.]+))?\s+"
                        r"((?:listeners|upstreams|server|access_log|admin)\.[a-z_]+)"
                        r"(?: \((.*)\))?$", re.M)


def helptext(veil, args):
    r = subprocess.run([veil] + args + ["--help"], capture_output=True, timeout=30)
    return (r.stdout + r.stderr).decode()


def rendered():
    """The page as man shows it, one long line per paragraph."""
    env = dict(os.environ, MANWIDTH="1000")
    env.pop("MAN_KEEP_FORMATTING", None)
    r = subprocess.run(["man", "-l", PAGE], capture_output=True, env=env, timeout=30)
    eq(r.returncode, 0, "man -l: %r" % r.stderr)
    return r.stdout.decode()


def sections(text):
    """{command: its text} from the '   veil CMD' subsections."""
    out = {}
    parts = re.split(r"^   veil ([a-z ]+)$", text, flags=re.M)
    for i in range(1, len(parts) - 1, 2):
        out[parts[i].strip()] = parts[i + 1]
    return out


def flags_of(help_text):
    return set(re.findall(r"^ {2}(-c|--[a-z0-9-]+)", help_text, re.M))


def commands(veil):
    text = helptext(veil, [])
    block = text.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines() if line.strip()]


def test_renders_cleanly(veil):
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", PAGE],
                       capture_output=True, timeout=30)
    eq((r.returncode, r.stderr), (0, b""), "groff -ww warnings")
    text = rendered()
    check(text.startswith("VEIL(1)"), "the page's header: %r" % text[:40])
    version = subprocess.run([veil, "--version"], capture_output=True).stdout.split()[-1]
    check(("veil " + version.decode()) in text, "the version is in the footer")
    for heading in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "SIGNALS",
                    "ENVIRONMENT", "FILES", "EXIT STATUS", "SEE ALSO"):
        check(re.search(r"^%s$" % heading, text, re.M), "section %s" % heading)


def test_every_command_and_flag(veil):
    text = rendered()
    secs = sections(text)
    cmds = commands(veil)
    check(len(cmds) >= 9, "veil --help lists the commands: %r" % cmds)
    for cmd in cmds:
        name = "tokens rewrap" if cmd == "tokens" else cmd
        check(name in secs, "a section for veil %s" % name)
        h = helptext(veil, name.split())
        helped = flags_of(h)
        usage = h.split("\n\n", 1)[0]
        for flag in re.findall(r"(?<![a-z])--?[a-z][a-z0-9-]*", usage):
            check(flag in secs[name], "veil %s: %s of its usage" % (name, flag))
        in_page = set(re.findall(r"^ {7}(-c|--[a-z0-9-]+)", secs[name], re.M))
        eq(in_page, helped, "the flags of veil %s" % name)
        check(re.search(r"^ {7}%s\s" % re.escape(cmd), text.split("OPTIONS")[0], re.M),
              "veil %s in COMMANDS" % cmd)


def test_run_settings(veil):
    """Each setting flag of veil run, with its key and default."""
    sec = sections(rendered())["run"]
    settings = RUN_OPTION.findall(helptext(veil, ["run"]))
    check(len(settings) >= 25, "veil run --help lists the settings (%d)" % len(settings))
    for flag, arg, key, default in settings:
        tail = "(%s, default %s)" % (key, default) if default else "(%s)" % key
        check(re.search(r"^ {7}%s%s\n {14}.*%s$" % (re.escape(flag),
                                                    (" " + re.escape(arg)) if arg else "",
                                                    re.escape(tail)), sec, re.M),
              "%s with %s" % (flag, tail))
    for key in ("server.probe_listen", "server.metrics_listen", "access_log.max_record_size"):
        check(key in sec, "%s in the page" % key)


TESTS = [test_renders_cleanly, test_every_command_and_flag, test_run_settings]

if __name__ == "__main__":
    sys.exit(run(TESTS, [sys.argv[0], sys.argv[1]] + sys.argv[3:]))
