"""Regenerate the README's screenshots of the demo's diagnosis report and decision record.

    .venv/bin/python scripts/screenshots.py [--scale 1] [--out docs/screenshots]

Runs ``throughline demo`` into a temporary folder (its own workspace, so nothing of yours
is touched), then has headless Chromium photograph the top of each page at 1280 × 1600.
The PNGs are reduced to a 256-colour palette so each stays well under 400 KB.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.report.chromium import chromium_problem, screenshot  # noqa: E402

SHOTS = {"diagnosis.html": "diagnosis-report.png", "record.html": "decision-record.png"}
LIMIT = 400_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1", help="sample company size (1 ≈ 2,000 deals)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600)
    args = parser.parse_args()
    problem = chromium_problem()
    if problem:
        print(f"cannot take screenshots: {problem}", file=sys.stderr)
        return 1
    exe = Path(sys.executable).with_name("throughline")
    with tempfile.TemporaryDirectory(prefix="tl-shots-") as tmp:
        demo = Path(tmp) / "demo"
        subprocess.run([str(exe), "--workspace", str(Path(tmp) / "ws"), "demo", "--out",
                        str(demo), "--scale", args.scale], check=True,
                       stdout=subprocess.DEVNULL)
        args.out.mkdir(parents=True, exist_ok=True)
        for page, name in SHOTS.items():
            png = screenshot(demo / page, Path(tmp) / name, width=args.width,
                             height=args.height)
            target = args.out / name
            _shrink(png, target)
            print(f"{target} ({target.stat().st_size / 1000:.0f} KB)")
    return 0


def _shrink(png: Path, target: Path) -> None:
    """A palette PNG (text and flat colours survive 256 colours untouched)."""
    from PIL import Image

    with Image.open(png) as im:
        im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
            target, optimize=True)
    if target.stat().st_size > LIMIT:
        raise SystemExit(f"{target} is {target.stat().st_size:,} bytes (limit {LIMIT:,})")


if __name__ == "__main__":
    raise SystemExit(main())
