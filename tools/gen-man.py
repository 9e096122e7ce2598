#!/usr/bin/env python3
"""Writes the man page veil(1) from docs/veil.1.in and the built binary's
own --help texts, so that every command and flag in it is what that
binary accepts: `veil run`'s options come from the settings table (their
keys, defaults and one-line documentation), the other commands' from
their usage texts. Run at build time by CMake; checked by
tests/deploy/test_man.py.

usage: gen-man.py VEIL TEMPLATE OUT
"""
import re
import subprocess
import sys

# `veil run --help` lists each setting as
#   --flag [ARG]   section.key (default)
#                  one line of documentation
RUN_OPTION = re.compile(r"^\s+(-c|--[a-z0-9-]+)(?: ([^\s.]+))?\s+"
                        r"((?:listeners|upstreams|server|access_log|admin)\.[a-z_]+)"
                        r"(?: \((.*)\))?$")
# Other commands: "  --flag ARG    text", continued by deeper lines.
OPTION = re.compile(r"^  (-c|--?[a-z][a-z0-9-]*)((?: [^ ]+)?)\s{2,}(.*)$")
OPTION_ALONE = re.compile(r"^  (-c|--?[a-z][a-z0-9-]*)((?: [^ ]+)?)$")


def esc(text):
    """Roff-escapes running text: backslashes, leading dots and quotes,
    and hyphens (which roff would otherwise typeset as hyphens, not the
    minus signs a shell needs)."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text.startswith(".") or text.startswith("'"):
        text = "\\&" + text
    return text


def helptext(veil, args):
    r = subprocess.run([veil] + args + ["--help"], capture_output=True, timeout=30)
    return (r.stdout + r.stderr).decode()


def commands(veil):
    """The commands `veil --help` lists, in its order, with their summary."""
    out = []
    in_list = False
    for line in helptext(veil, []).splitlines():
        if line.strip() == "commands:":
            in_list = True
        elif in_list and line.startswith("  ") and line.strip():
            name, _, summary = line.strip().partition(" ")
            out.append((name, summary.strip()))
        elif in_list and not line.strip() and out:
            break
    return out


def blocks(text):
    """Splits a --help text into (usage lines, [paragraph | option list])."""
    lines = text.rstrip("\n").split("\n")
    usage = []
    i = 0
    while i < len(lines) and lines[i].strip():
        usage.append(lines[i].strip())
        i += 1
    usage[0] = usage[0][len("usage: "):] if usage[0].startswith("usage: ") else usage[0]
    parts = []
    para = []
    for line in lines[i:] + [""]:
        if not line.strip():
            if para:
                parts.append(para)
            para = []
        else:
            para.append(line)
    return usage, parts


def option_entries(para):
    """[(flag spec, text)] of an option paragraph, or None for prose."""
    entries = []
    for line in para:
        m = OPTION.match(line) or OPTION_ALONE.match(line)
        if m:
            spec = (m.group(1) + m.group(2)).strip()
            text = m.group(3) if m.lastindex and m.lastindex >= 3 else ""
            entries.append([spec, text or ""])
        elif entries and line.startswith("    "):
            entries[-1][1] = (entries[-1][1] + " " + line.strip()).strip()
        else:
            return None
    return entries


def spec_roff(spec):
    flag, _, arg = spec.partition(" ")
    return "\\fB%s\\fR%s" % (esc(flag), " \\fI%s\\fR" % esc(arg) if arg else "")


def render_command(name, text, out):
    usage, parts = blocks(text)
    out.append(".SS veil %s" % esc(name))
    out.append(".nf")
    for u in usage:
        out.append("\\fB%s\\fR" % esc(u))
    out.append(".fi")
    for para in parts:
        entries = option_entries(para)
        if entries is None:
            out.append(".PP")
            out.append(esc(" ".join(l.strip() for l in para)))
            continue
        for spec, desc in entries:
            out.append(".TP")
            out.append(spec_roff(spec))
            out.append(esc(desc))


def render_run(text, out):
    """veil run: the settings in their sections, each with its key and
    default."""
    usage, parts = blocks(text)
    out.append(".SS veil run")
    out.append(".nf")
    out.append("\\fB%s\\fR" % esc(usage[0]))
    out.append(".fi")
    pending = None
    for para in parts:
        prose = []
        for line in para + [None]:
            if line is not None and not line.startswith(" ") and not line.endswith("):"):
                prose.append(line.strip())
                continue
            if prose:
                out.append(".PP")
                out.append(esc(" ".join(prose)))
                prose = []
            if line is None:
                break
            if not line.startswith(" "):
                # A section heading: "server (server:):".
                out.append(".PP")
                out.append("\\fI%s\\fR" % esc(line.rstrip(":")))
                continue
            m = RUN_OPTION.match(line)
            if m:
                pending = list(m.groups())
                continue
            if pending is not None and line.startswith("        "):
                flag, arg, key, default = pending
                out.append(".TP")
                out.append(spec_roff(flag + (" " + arg if arg else "")))
                meta = "(\\fB%s\\fR" % esc(key)
                meta += ", default \\fB%s\\fR)" % esc(default) if default else ")"
                out.append(esc(line.strip()) + " " + meta)
                pending = None
                continue
            m = OPTION.match(line)
            if m:
                out.append(".TP")
                out.append(spec_roff((m.group(1) + m.group(2)).strip()))
                out.append(esc(m.group(3)))
            elif line.startswith("    ") and not out[-1].startswith("."):
                out[-1] += " " + esc(line.strip())
            else:
                raise SystemExit("gen-man.py: veil run --help: cannot read %r" % line)
    if pending is not None:
        raise SystemExit("gen-man.py: veil run --help: %s has no text" % pending[0])


def main():
    veil, template, dest = sys.argv[1:4]
    out = []
    cmds = commands(veil)
    if not cmds:
        raise SystemExit("gen-man.py: no commands in veil --help")
    summary = []
    for name, what in cmds:
        summary.append(".TP")
        summary.append("\\fB%s\\fR" % esc(name))
        summary.append(esc(what))
    for name, _ in cmds:
        if name == "run":
            render_run(helptext(veil, ["run"]), out)
        elif name == "tokens":
            render_command("tokens rewrap", helptext(veil, ["tokens", "rewrap"]), out)
        else:
            render_command(name, helptext(veil, [name]), out)
    version = subprocess.run([veil, "--version"], capture_output=True,
                             timeout=10).stdout.decode().split()[-1]
    with open(template) as f:
        page = f.read()
    page = (page.replace("@VERSION@", version)
            .replace("@COMMAND_LIST@\n", "\n".join(summary) + "\n")
            .replace("@COMMANDS@\n", "\n".join(out) + "\n"))
    with open(dest, "w") as f:
        f.write(page)


if __name__ == "__main__":
    main()
