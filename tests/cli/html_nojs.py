#!/usr/bin/env python3
"""Opens a page in headless Chromium with JavaScript disabled and prints
its DOM (for tests/cli/html_report.sh); with --screenshot PNG also saves a
screenshot of it. Chromium's --blink-settings=scriptEnabled=false makes
headless --dump-dom print nothing, so this drives the browser through the
DevTools protocol on a pipe instead: Emulation.setScriptExecutionDisabled,
then DOM.getOuterHTML, which needs no script.

usage: html_nojs.py CHROMIUM PROFILE_DIR URL [--screenshot PNG]
"""
import base64
import json
import os
import subprocess
import sys


def _to_3_4(a, b):
    """In the child: a becomes fd 3 and b fd 4 (via free high numbers, so
    neither overwrites the other)."""
    a2, b2 = os.dup(a), os.dup(b)
    hi_a, hi_b = os.dup2(a2, 100), os.dup2(b2, 101)
    os.dup2(hi_a, 3)
    os.dup2(hi_b, 4)


class Browser:
    def __init__(self, exe, profile):
        r_in, w_in = os.pipe()    # we write commands -> browser fd 3
        r_out, w_out = os.pipe()  # browser fd 4 -> we read replies
        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--user-data-dir=" + profile,
             "--remote-debugging-pipe", "--window-size=1280,2000"],
            pass_fds=(3, 4), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=lambda: _to_3_4(r_in, w_out))
        os.close(r_in)
        os.close(w_out)
        self.w = os.fdopen(w_in, "wb")
        self.r = os.fdopen(r_out, "rb")
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self):
        while b"\0" not in self.buf:
            chunk = self.r.read1(65536)
            if not chunk:
                raise RuntimeError("browser closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        m = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        self.w.write(json.dumps(m).encode() + b"\0")
        self.w.flush()
        while True:
            msg = self._read()
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(method + ": " + str(msg["error"]))
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, name):
        for i, e in enumerate(self.events):
            if e.get("method") == name:
                del self.events[i]
                return e
        while True:
            msg = self._read()
            if msg.get("method") == name:
                return msg
            self.events.append(msg)

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        self.proc.wait(timeout=30)


def main():
    if len(sys.argv) not in (4, 6):
        sys.exit(__doc__)
    exe, profile, url = sys.argv[1:4]
    shot = sys.argv[5] if len(sys.argv) == 6 else None
    b = Browser(exe, profile)
    try:
        t = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.call("Target.attachToTarget",
                   {"targetId": t, "flatten": True})["sessionId"]
        b.call("Emulation.setScriptExecutionDisabled", {"value": True}, s)
        b.call("Page.enable", {}, s)
        b.call("Page.navigate", {"url": url}, s)
        b.wait_event("Page.loadEventFired")
        root = b.call("DOM.getDocument", {"depth": 0}, s)["root"]["nodeId"]
        html = b.call("DOM.getOuterHTML", {"nodeId": root}, s)["outerHTML"]
        sys.stdout.write(html)
        if shot:
            png = b.call("Page.captureScreenshot", {"format": "png"}, s)
            with open(shot, "wb") as f:
                f.write(base64.b64decode(png["data"]))
    finally:
        b.close()


if __name__ == "__main__":
    main()
