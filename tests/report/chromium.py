"""Headless Chromium for report tests: measure layout, take screenshots.

Both the diagnosis report and the decision record are checked the same way:
:func:`check_layout` takes any HTML file, injects a small script into a *copy* of it
(the file under test is never changed), loads the copy in headless Chromium with
``--dump-dom`` and reads back what the script wrote into ``<pre id="layout-result">``:
every table, chart (``svg``), ``pre`` and image that is wider than the card holding it,
and whether the page scrolls sideways.

A *card* is the nearest enclosing ``article``, ``.card``, ``.finding``, ``.trust``,
``.verdict``, ``.runner``, ``section`` or ``main``: the box the reader sees the element
in. An element overflows when its right edge passes the card's content edge, or when the
card (or any box between the two) scrolls sideways — so hiding a wide table inside a
horizontally scrolling wrapper still counts as too wide.
"""

from __future__ import annotations

import html as html_lib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-extensions", "--disable-sync", "--no-first-run", "--mute-audio",
         "--hide-scrollbars", "--disable-dev-shm-usage")
CARDS = "article, .card, .finding, .trust, .verdict, .runner, section, main"
MEASURED = "table, svg, pre, img"

_SCRIPT = r"""
<script>
(function () {
  var CARDS = %(cards)s, MEASURED = %(measured)s, out = [];
  function describe(el) {
    var s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.getAttribute('class')) s += '.' + String(el.getAttribute('class')).trim().split(/\s+/).join('.');
    return s;
  }
  function where(el) {
    for (var p = el; p; p = p.parentElement) { if (p.id) return p.id; }
    return '';
  }
  var seen = [];
  document.querySelectorAll(MEASURED).forEach(function (el) {
    if (el.tagName.toLowerCase() === 'svg' && el.parentElement.closest('svg')) return;
    var card = el.parentElement && el.parentElement.closest(CARDS);
    if (!card) return;
    var r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;  /* not rendered (closed <details>) */
    var cs = getComputedStyle(card), cr = card.getBoundingClientRect();
    var right = cr.right - parseFloat(cs.borderRightWidth) - parseFloat(cs.paddingRight);
    var left = cr.left + parseFloat(cs.borderLeftWidth) + parseFloat(cs.paddingLeft);
    var over = Math.max(r.right - right, left - r.left);
    var scroller = null;
    for (var p = el.parentElement; p; p = p.parentElement) {
      if (p.scrollWidth > p.clientWidth + 1 && getComputedStyle(p).overflowX !== 'visible') { scroller = p; }
      if (p === card) break;
    }
    if (over > 1 || scroller) {
      out.push({element: describe(el), in: where(el), card: describe(card),
                width: Math.round(r.width), card_width: Math.round(right - left),
                overflow: Math.round(Math.max(over, scroller ? scroller.scrollWidth - scroller.clientWidth : 0)),
                scrolls: scroller ? describe(scroller) : null});
    }
  });
  var doc = document.documentElement;
  var result = {overflowing: out, page_width: doc.scrollWidth, viewport: doc.clientWidth,
                page_height: doc.scrollHeight,
                tables: document.querySelectorAll('table').length,
                charts: document.querySelectorAll('svg').length};
  var pre = document.createElement('pre');
  pre.id = 'layout-result';
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
})();
</script>
"""


class ChromiumUnavailable(RuntimeError):
    """No Chromium on this machine, or it cannot start here."""


@dataclass
class Layout:
    path: Path
    overflowing: list[dict[str, object]] = field(default_factory=list)
    page_width: int = 0
    viewport: int = 0
    page_height: int = 0
    tables: int = 0
    charts: int = 0

    @property
    def ok(self) -> bool:
        return not self.overflowing and self.page_width <= self.viewport

    def describe(self) -> str:
        lines = [f"{self.path}: {self.tables} tables, {self.charts} charts, page "
                 f"{self.page_width}px wide in a {self.viewport}px window, "
                 f"{self.page_height}px tall"]
        for o in self.overflowing:
            lines.append(f"  {o['element']} in #{o['in']}: {o['width']}px in a "
                         f"{o['card_width']}px card ({o['card']}), {o['overflow']}px too wide"
                         + (f", scrolls in {o['scrolls']}" if o.get("scrolls") else ""))
        return "\n".join(lines)


def find_chromium() -> str | None:
    env = os.environ.get("THROUGHLINE_CHROMIUM")
    if env:
        return env if shutil.which(env) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    exe = find_chromium()
    if exe is None:
        raise ChromiumUnavailable("chromium is not installed (apt-get install chromium; "
                                  ".ci/run installs it when missing)")
    with tempfile.TemporaryDirectory(prefix="tl-chromium-") as profile:
        try:
            done = subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args],
                                  capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, "HOME": profile})
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ChromiumUnavailable(f"chromium could not run: {exc}") from exc
    return done


def chromium_problem() -> str | None:
    """None when headless Chromium can load a page here, else why not (a skip reason)."""
    with tempfile.TemporaryDirectory(prefix="tl-probe-") as tmp:
        page = Path(tmp) / "probe.html"
        page.write_text("<!DOCTYPE html><title>t</title><p id=probe>ok</p>", encoding="utf-8")
        try:
            done = _run(["--dump-dom", page.as_uri()], timeout=60)
        except ChromiumUnavailable as exc:
            return str(exc)
    if done.returncode != 0 or 'id="probe"' not in done.stdout:
        tail = " ".join(done.stderr.strip().splitlines()[-2:])[:300]
        return f"chromium cannot start here (exit {done.returncode}): {tail}"
    return None


def check_layout(path: Path, *, width: int = 1280, height: int = 1000,
                 cards: str = CARDS, timeout: float = 180) -> Layout:
    """Load ``path`` in headless Chromium at ``width`` and list what is wider than its card."""
    path = Path(path)
    script = _SCRIPT % {"cards": json.dumps(cards), "measured": json.dumps(MEASURED)}
    text = path.read_text(encoding="utf-8")
    at = text.lower().rfind("</body>")
    probe = text[:at] + script + text[at:] if at >= 0 else text + script
    with tempfile.TemporaryDirectory(prefix="tl-layout-") as tmp:
        copy = Path(tmp) / path.name  # same name, so relative links behave the same
        copy.write_text(probe, encoding="utf-8")
        done = _run(["--dump-dom", f"--window-size={width},{height}", copy.as_uri()],
                    timeout=timeout)
    start = done.stdout.find('<pre id="layout-result">')
    if start < 0:
        raise ChromiumUnavailable(f"chromium gave no layout result for {path} (exit "
                                  f"{done.returncode}): {done.stderr.strip()[-300:]}")
    body = done.stdout[start + len('<pre id="layout-result">'):]
    data = json.loads(html_lib.unescape(body[:body.index("</pre>")]))
    return Layout(path=path, **data)


def screenshot(path: Path, png: Path, *, width: int = 1280, height: int = 1600,
               timeout: float = 180) -> Path:
    """The top ``width`` × ``height`` pixels of the page as a PNG."""
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    done = _run([f"--screenshot={png}", f"--window-size={width},{height}",
                 Path(path).resolve().as_uri()], timeout=timeout)
    if done.returncode != 0 or not png.exists():
        raise ChromiumUnavailable(f"chromium wrote no screenshot of {path}: "
                                  f"{done.stderr.strip()[-300:]}")
    return png
