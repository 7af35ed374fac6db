"""scripts/interop, blhost script phase: one file of blhost command lines through NXP's blhost
and through `rtprov mboot`, each with blhost's own command line (`-p PTY,115200 batch FILE`),
against two identically prepared simulators; their text output must agree line by line.

Normalised, and only this (each differs by design, not by accident):
  - empty lines are dropped: blhost's progress bar leaves one before read data on a non-tty;
  - list-memory's external memories: blhost asks a bootloader of version 2.0.0 or older only
    for QuadSPI (memory id 1), which no RT10xx has, so it never lists one; rtprov asks for the
    RT10xx memory ids (FlexSPI NOR, SEMC, SD, ...). rtprov's entries under "External
    Memories:" are dropped when blhost's list has none there;
  - the failing last line: blhost prints its status on stdout ("Response status = 10006
    (0x2716) Unsupported Command." and the words after it), rtprov names it in its error on
    stderr ("rtprov: error: mboot batch: FILE:N: ...: kStatus_UnsupportedCommand (10006)");
    both become "FAILED <status>", and rtprov's error must name the script line.
"""

import re

SCRIPT = "tests/data/blhost_script.txt"


def last_command_line(script):
    """Number of the last line holding a command (comments and blank lines skipped)."""
    number = 0
    for i, line in enumerate(script.read_text().splitlines(), 1):
        if line.split("#", 1)[0].strip():
            number = i
    return number


def blhost_lines(stdout):
    lines = [l.rstrip() for l in stdout.splitlines() if l.strip()]
    for i, line in enumerate(lines):
        m = re.match(r"Response status = (\d+) ", line)
        if m and m.group(1) != "0":
            return lines[:i] + [f"FAILED {m.group(1)}"]
    return lines


def rtprov_lines(stdout, stderr, script, reference):
    lines = [l.rstrip() for l in stdout.splitlines() if l.strip()]
    out, i = [], 0
    while i < len(lines):
        out.append(lines[i])
        if lines[i] == "External Memories:" and not blhost_lists_external(reference, len(out)):
            i += 1
            while i < len(lines) and (re.fullmatch(r"[A-Z0-9-]+:", lines[i]) or
                                      lines[i].startswith("  ")):
                i += 1
            continue
        i += 1
    m = re.search(r"rtprov: error: mboot batch: (.*):(\d+): .*\((\d+)\)$", stderr.strip())
    if m:
        where = f"{m.group(1)}:{m.group(2)}"
        want = f"{script}:{last_command_line(script)}"
        out.append(f"FAILED {m.group(3)}" + ("" if where == want else f" at {where}, not {want}"))
    elif stderr.strip():
        out.append("ERROR " + stderr.strip().splitlines()[-1])
    return out


def blhost_lists_external(reference, count):
    """Whether blhost's output, at the same line as rtprov's "External Memories:", has entries."""
    return count < len(reference) and re.fullmatch(r"[A-Z0-9-]+:", reference[count] or "") is not None


def load_flashloader(runner, sim, tool, fl_bin):
    """write-file + jump-address of the flashloader stand-in, with sdphost or rtprov sdp."""
    for args in (["write-file", "0x20208C00", str(fl_bin)], ["jump-address", "0x20208C00"]):
        cmd = (runner.nxp_cmd("sdp", sim, args, use_json=False) if tool == "nxp" else
               [runner.rtprov, "sdp", "-p", f"{sim.pty},115200", "--"] + args)
        runner.run(cmd)


def run_phase(runner, repo, start_sim, fl_bin, inspect_state, work):
    """Runs the script on fresh simulators and reports each comparison through runner.check."""
    script = repo / SCRIPT
    sims = [start_sim(work / "script-nxp"), start_sim(work / "script-rtprov")]
    try:
        for sim, tool in zip(sims, ("nxp", "rtprov")):
            load_flashloader(runner, sim, tool, fl_bin)
        nxp = runner.run([str(runner.tools / "blhost"), "-p", f"{sims[0].pty},115200",
                          "batch", str(script)])
        rt = runner.run([runner.rtprov, "mboot", "-p", f"{sims[1].pty},115200", "batch",
                         str(script)])
    finally:
        for s in sims:
            s.stop()
    want = blhost_lines(nxp.stdout)
    got = rtprov_lines(rt.stdout, rt.stderr, script, want)
    diff = [f"line {i + 1}:\n      blhost: {a}\n      rtprov: {b}"
            for i, (a, b) in enumerate(zip(want, got)) if a != b]
    if len(want) != len(got):
        diff.append(f"{len(want)} lines from blhost, {len(got)} from rtprov")
    runner.check(f"blhost batch {SCRIPT} vs rtprov mboot batch (line by line)", not diff,
                 f"{len(want)} lines equal" if not diff else "\n      " + "\n      ".join(diff[:8]))
    states = [inspect_state(s.state) for s in sims]
    runner.check("script: rtprov sim inspect (flash and fuses)", states[0] == states[1],
                 "equal" if states[0] == states[1] else "the two simulators differ")
