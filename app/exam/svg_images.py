"""Reading the SVG images of the question bank: safe to show, and their text alternative."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

SVG_NS = "{http://www.w3.org/2000/svg}"
# An SVG shown to people must not run code or fetch anything.
UNSAFE_SVG = re.compile(r"<script|<foreignObject|\son\w+\s*=|(?:xlink:)?href\s*=\s*[\"'](?!#)|@import|url\((?!#)", re.I)


@dataclass(frozen=True)
class SvgFile:
    problem: str | None
    description: str | None = None


_svg_cache: dict[Path, SvgFile] = {}


def read_svg(path: Path) -> SvgFile:
    """Check an SVG for our pages; its description (<desc>, else <title>) for the alt text."""
    if path not in _svg_cache:
        _svg_cache[path] = _read_svg(path)
    return _svg_cache[path]


def _read_svg(path: Path) -> SvgFile:
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return SvgFile("file is missing")
    try:
        root = ET.fromstring(content)  # noqa: S314 (repository files; the stdlib expands no external entities)
    except ET.ParseError as error:
        return SvgFile(f"not well-formed XML ({error})")
    title = root.find(f"{SVG_NS}title")
    if root.tag != f"{SVG_NS}svg":
        return SvgFile("the root element is not an SVG <svg> element")
    if "viewBox" not in root.attrib:
        return SvgFile("the <svg> element needs a viewBox")
    if title is None or not (title.text or "").strip():
        return SvgFile("needs a non-empty <title>")
    if UNSAFE_SVG.search(content):
        return SvgFile("must not contain scripts, event handlers or external references")
    desc = root.find(f"{SVG_NS}desc")
    description = (desc.text or "").strip() if desc is not None else ""
    return SvgFile(None, " ".join((description or title.text or "").split()))
