"""Take the README screenshot of a running Agora (``make run`` first).

Usage: .venv/bin/python scripts/screenshot.py [BASE_URL] [OUTPUT.png]
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    output = sys.argv[2] if len(sys.argv) > 2 else "docs/img/home.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/")
        page.screenshot(path=output, full_page=True)
        browser.close()
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
