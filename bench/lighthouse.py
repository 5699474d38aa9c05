"""Lighthouse scores of the public pages, median of N runs, mobile and desktop.

Serve the production shape first (gunicorn, DEBUG off, collectstatic, Postgres, demo data), then,
with the server's environment (DATABASE_URL, SECRET_KEY):

    LIGHTHOUSE=/path/to/node_modules/.bin/lighthouse .venv/bin/python bench/lighthouse.py \
        http://127.0.0.1:8400 [runs] [page,page…]

Lighthouse is not a project dependency: `npm install -E lighthouse@12.2.3` outside the repository.
Prints a Markdown table: performance, accessibility, best practices, SEO, CLS and TBT.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import django

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def public_paths() -> list[tuple[str, str]]:
    """The pages a first visit reaches; the work, topic and institution come from the database
    the server uses (run with the server's environment)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    django.setup()
    from works.models import Institution, Topic, Work

    seed = "/researchers/jascha-sohl-dickstein/"
    work = Work.objects.filter(authorships__researcher__slug="jascha-sohl-dickstein").first()
    institution = Institution.objects.filter(authorships__isnull=False).first()
    return [
        ("home", "/"),
        ("search", "/researchers/?q=sohl"),
        ("profile", seed),
        ("slice page", seed + "graph/"),
        ("explorer", "/explore/?focus=jascha-sohl-dickstein"),
        ("work", work.get_absolute_url()),
        ("topic", Topic.objects.order_by("pk").first().get_absolute_url()),
        ("institution", institution.get_absolute_url()),
        ("login", "/accounts/login/"),
        ("sign-up", "/accounts/signup/"),
    ]


def run_once(lighthouse: str, url: str, preset: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            lighthouse,
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out.name}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            f"--only-categories={','.join(CATEGORIES)}",
        ]
        if preset == "desktop":
            command.append("--preset=desktop")
        # Lighthouse's trace processing fails now and then with Debian's Chromium: try again.
        for _attempt in range(3):
            finished = subprocess.run(command, capture_output=True, text=True, timeout=240)  # noqa: S603
            if finished.returncode == 0:
                break
        else:
            raise RuntimeError(f"lighthouse failed three times on {url}: {finished.stderr[-500:]}")
        report = json.loads(Path(out.name).read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    audits = report["audits"]
    scores["cls"] = audits["cumulative-layout-shift"].get("numericValue", 0.0)
    scores["tbt"] = audits["total-blocking-time"].get("numericValue", 0.0)
    return scores


def main() -> None:
    base = sys.argv[1].rstrip("/")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    only = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
    lighthouse = os.environ.get("LIGHTHOUSE", "lighthouse")
    os.environ.setdefault("CHROME_PATH", "/usr/bin/chromium")
    print("| page | form | perf | a11y | best pr. | SEO | CLS | TBT ms |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, path in public_paths():
        if only and name not in only:
            continue
        for preset in ("mobile", "desktop"):
            results = [run_once(lighthouse, base + path, preset) for _ in range(runs)]
            median = {key: statistics.median(r[key] for r in results) for key in results[0]}
            print(
                f"| {name} | {preset} | "
                + " | ".join(f"{median[c]:.0f}" for c in CATEGORIES)
                + f" | {median['cls']:.3f} | {median['tbt']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
