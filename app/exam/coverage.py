"""How the bank covers the Rules of the Road: questions per chapter (from `questions/chapters.yaml`),
per group of signs and markings, and the other sources. No database, no Flask."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from app.exam.bank import Bank

MIN_QUESTIONS = 3  # a chapter with fewer cannot appear in a varied exam
MIN_SHARE_OF_EXPECTED = 0.5


@dataclass(frozen=True)
class ChapterCoverage:
    number: int
    title: str
    points: int
    questions: int
    expected: float

    @property
    def ok(self) -> bool:
        return self.questions >= MIN_QUESTIONS and self.questions >= MIN_SHARE_OF_EXPECTED * self.expected


@dataclass
class Coverage:
    chapters: list[ChapterCoverage]
    sign_groups: list[tuple[str, int]]
    marking_groups: list[tuple[str, int]]
    other_sources: dict[str, int]
    unplaced: list[str]  # pdd questions whose point is in no chapter

    @property
    def ok(self) -> bool:
        return all(chapter.ok for chapter in self.chapters) and not self.unplaced

    def lines(self) -> list[str]:
        out = ["chapter  points  questions  expected  status"]
        for c in self.chapters:
            status = "OK" if c.ok else "LOW"
            out.append(f"{c.number:>7}  {c.points:>6}  {c.questions:>9}  {c.expected:>8.1f}  {status}  {c.title}")
        out += [f"signs {title}: {count}" for title, count in self.sign_groups]
        out += [f"markings {title}: {count}" for title, count in self.marking_groups]
        out += [f"{source}: {count}" for source, count in self.other_sources.items()]
        out += [f"{code}: point in no chapter" for code in self.unplaced]
        return out


def base_point(point: str) -> int | None:
    """ "12(5)" and "54-1" belong to points 12 and 54; "annex-2" to no point."""
    match = re.match(r"(\d+)(?:$|[.(-])", point)
    return int(match.group(1)) if match else None


def measure(bank: Bank, root: str | Path, language: str = "en") -> Coverage:
    data = yaml.safe_load((Path(root) / "chapters.yaml").read_text(encoding="utf-8"))
    chapters = data["chapters"]
    counts: Counter[int] = Counter()
    unplaced = []
    pdd = [q for q in bank.questions if q.reference_source == "pdd"]
    for question in pdd:
        number = base_point(question.reference_point)
        chapter = next((c for c in chapters if number is not None and c["first"] <= number <= c["last"]), None)
        if chapter is not None:
            counts[chapter["number"]] += 1
        elif not question.reference_point.startswith("annex-"):
            unplaced.append(question.code)
    all_points = sum(c["last"] - c["first"] + 1 for c in chapters)
    rows = []
    for c in chapters:
        points = c["last"] - c["first"] + 1
        expected = len(pdd) * points / all_points
        rows.append(ChapterCoverage(c["number"], c[language], points, counts[c["number"]], expected))
    return Coverage(
        chapters=rows,
        sign_groups=_groups(bank, "st-rk-1125", data["sign_groups"], language),
        marking_groups=_groups(bank, "st-rk-1124", data["marking_groups"], language),
        other_sources={
            source: sum(1 for q in bank.questions if q.reference_source == source)
            for source in ("pdd-admission", "pdd-faults", "first-aid", "koap", "road-law")
        },
        unplaced=unplaced,
    )


def _groups(bank: Bank, source: str, groups: dict, language: str) -> list[tuple[str, int]]:
    counts = Counter(q.reference_point.split(".")[0] for q in bank.questions if q.reference_source == source)
    return [(f"{number}. {titles[language]}", counts[str(number)]) for number, titles in groups.items()]
