"""The README's picture of what a commissioner sees in a notebook: Greater Manchester's plan
card (``plan._repr_html_()``, as Jupyter shows it) and its distance chart
(``plan.plot.distance_bands(compare_with=today, suppress_below=5)``), rendered by headless
Chromium into ``docs/images/notebook-card.png``.

    python scripts/make_readme_images.py [--chromium PATH]
"""

from __future__ import annotations

import argparse
import base64
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import rcc  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "images" / "notebook-card.png"


def page() -> str:
    """The notebook cells as Jupyter draws them: the input, the card, the chart."""
    region = rcc.datasets.england("Greater Manchester RCC")
    plan = rcc.plan(region)
    today = rcc.simulate.today_plan(region)
    ax = plan.plot.distance_bands(compare_with=today, suppress_below=5)
    buf = io.BytesIO()
    ax.figure.set_size_inches(6.4, 3.6)
    ax.figure.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    chart = base64.b64encode(buf.getvalue()).decode()
    pad = "&nbsp;" * 5
    cell = "font:13px monospace;background:#f5f5f5;border:1px solid #ddd;padding:6px 10px;margin:10px 0 4px"
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body style='font-family:sans-serif;margin:16px'>"
        f"<div style='{cell}'>[1]: region = rcc.datasets.england(\"Greater Manchester RCC\")<br>{pad}plan = rcc.plan(region)<br>{pad}plan</div>"
        f"{plan._repr_html_()}"
        f"<div style='{cell}'>[2]: plan.plot.distance_bands(compare_with=rcc.simulate.today_plan(region), suppress_below=5)</div>"
        f"<img src='data:image/png;base64,{chart}' style='max-width:640px'></body></html>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    args = parser.parse_args()
    if not args.chromium:
        raise SystemExit("needs headless Chromium (--chromium PATH)")
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "card.html"
        html.write_text(page(), encoding="utf-8")
        subprocess.run([args.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        f"--user-data-dir={tmp}/profile", f"--screenshot={OUT}", "--window-size=760,780",
                        "--hide-scrollbars", html.as_uri()], check=True, capture_output=True, timeout=120)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
