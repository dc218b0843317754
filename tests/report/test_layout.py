"""The demo's diagnosis report and decision record, laid out by headless Chromium: no table
or chart may be wider than the card that holds it, at a laptop's and a narrow window's width.

Chromium is Debian's ``chromium`` (``.ci/run`` installs it when missing); without it, or
when it cannot start here, these tests skip and say why. ``check_layout`` takes any HTML
file, so the decision record is checked exactly like the report.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.report.chromium import Layout, check_layout, chromium_problem

WIDTHS = (1280, 800)


@pytest.fixture(scope="module")
def chromium() -> None:
    problem = chromium_problem()
    if problem:
        pytest.skip(f"headless Chromium unavailable: {problem}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo run: a generated sample company, its report and its decision record."""
    root = tmp_path_factory.mktemp("layout")
    exe = Path(sys.executable).with_name("throughline")
    done = subprocess.run([str(exe), "--workspace", str(root / "ws"), "demo", "--out",
                           str(root / "demo"), "--scale", "0.3"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return root / "demo"


def _assert_fits(layout: Layout) -> None:
    assert layout.tables + layout.charts > 0, layout.describe()  # something was measured
    assert layout.ok, "wider than its card:\n" + layout.describe()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_diagnosis_report_fits_its_cards(chromium: None, demo: Path, width: int) -> None:
    layout = check_layout(demo / "diagnosis.html", width=width)
    assert layout.charts >= 10 and layout.tables >= 20, layout.describe()
    _assert_fits(layout)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_decision_record_fits_its_cards(chromium: None, demo: Path, width: int) -> None:
    _assert_fits(check_layout(demo / "record.html", width=width))


def test_the_check_sees_a_table_wider_than_its_card(chromium: None, tmp_path: Path) -> None:
    """The check itself: a 90-digit cell stretching a table past its card is caught, and
    so is the same table hidden in a sideways-scrolling wrapper."""
    digits = "0." + "0" * 100 + "425"
    page = tmp_path / "wide.html"
    page.write_text(
        "<!DOCTYPE html><html><body><main style='max-width:600px'>"
        "<article class='finding' id='wide'><table><tr><td>Bonferroni p</td>"
        f"<td style='white-space:nowrap'>{digits}</td></tr></table></article>"
        "<article class='finding' id='hidden'><div style='overflow-x:auto'><table><tr>"
        f"<td style='white-space:nowrap'>{digits}</td></tr></table></div></article>"
        "<article class='finding' id='fine'><table><tr><td>p &lt; 0.001</td></tr></table>"
        "</article></main></body></html>", encoding="utf-8")
    layout = check_layout(page, width=1280)
    assert not layout.ok
    assert sorted(o["in"] for o in layout.overflowing) == ["hidden", "wide"]
    assert page.read_text(encoding="utf-8").count("<script") == 0  # the file is untouched
