#!/usr/bin/env python3
"""Follows docs/getting-started.md as a reader would, from step 2 on, with the rtprov under test.

Every ```sh block of the page runs in order in one shell, in a fresh folder laid out like the
page expects (the examples beside it). Two things a reader does by hand are done here: the
simulator of step 5 ("in a second terminal") runs in the background, and the pty path it prints
stands in for the page's example /dev/pts/5. Lines the page shows as output ("# ...") are not
run. What the page promises at the end must hold: the simulated board boots, HAB closed.

Usage: getting_started_test.py RTPROV   (exit 0 pass, 1 fail)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join(ROOT, "docs", "getting-started.md")
SIM_LINE = re.compile(r"^rtprov sim --device (\S+) --uart --state (\S+)$")


def blocks(text):
    """The ```sh blocks after '## 2.' (step 1 clones and builds: the binary is given)."""
    text = text[text.index("## 2."):]
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def main():
    rtprov = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        # The page's layout: a clone holding examples/, and work/ beside them.
        shutil.copytree(os.path.join(ROOT, "examples"), os.path.join(tmp, "examples"))
        work = os.path.join(tmp, "work")
        os.mkdir(work)
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        os.symlink(rtprov, os.path.join(bindir, "rtprov"))
        # The walkthrough's station records go into the temporary folder, never the user's own.
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"],
                   RTPROV_STATION_DIR=os.path.join(tmp, "station"))
        sim = None
        script = ["set -e"]
        try:
            for block in blocks(open(PAGE).read()):
                for line in block.splitlines():
                    if not line.strip() or line.startswith("#"):
                        continue
                    if line.startswith(("export PATH=", "mkdir -p work && cd work")):
                        continue  # done above: rtprov on PATH, in work/
                    m = SIM_LINE.match(line)
                    if m:
                        # Run what came before, then start the simulator "in a second terminal".
                        run(script, work, env)
                        script = ["set -e"]
                        sim, pty = start_sim(line, work, env)
                        continue
                    if sim is not None:
                        line = line.replace("/dev/pts/5", pty)
                    script.append(line)
                    if line.startswith("rtprov write") and "--dry-run" not in line:
                        # The reader stops the simulator (Ctrl-C) before inspecting the board.
                        run(script, work, env)
                        script = ["set -e"]
                        stop_sim(sim)
            out = run(script, work, env)
        finally:
            stop_sim(sim)
        if "boot check: boots:" not in out or "HAB closed" not in out:
            print(out)
            print("getting-started: the board does not boot with HAB closed at the end")
            return 1
        print("getting-started: followed every step; the simulated board boots, HAB closed")
        return 0


def run(lines, cwd, env):
    r = subprocess.run(["bash", "-c", "\n".join(lines)], cwd=cwd, env=env, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    if r.returncode != 0:
        print("\n".join(lines[1:]))
        print(r.stdout)
        print(f"getting-started: a step failed (exit {r.returncode})")
        sys.exit(1)
    return r.stdout


def start_sim(line, cwd, env):
    out = open(os.path.join(cwd, "sim.out"), "w+")
    proc = subprocess.Popen(line.split(), cwd=cwd, env=env, stdout=out,
                            stderr=subprocess.DEVNULL)
    for _ in range(200):
        out.seek(0)
        first = out.readline().strip()
        if first.startswith("/dev/"):
            return proc, first
        time.sleep(0.05)
    proc.kill()
    sys.exit("getting-started: the simulator printed no pty path")


def stop_sim(sim):
    if sim is not None and sim.poll() is None:
        sim.send_signal(2)  # Ctrl-C: the simulator saves its state and ends
        try:
            sim.wait(timeout=20)
        except subprocess.TimeoutExpired:
            sim.kill()


if __name__ == "__main__":
    sys.exit(main())
