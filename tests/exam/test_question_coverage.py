"""`flask questions coverage`: questions per chapter of the Rules, per group of signs and markings."""

import itertools

import pytest
import yaml

from app.exam import bank_validation as bank_files
from app.exam.coverage import base_point, measure
from tests.support.question_bank_support import REAL_BANK, copy_fixture_bank, edit_questions

CHAPTERS = {
    "chapters": [
        {"number": 1, "first": 1, "last": 10, "kk": "Бірінші", "ru": "Первая", "en": "First"},
        {"number": 2, "first": 11, "last": 12, "kk": "Екінші", "ru": "Вторая", "en": "Second"},
    ],
    "sign_groups": {3: {"kk": "Тыйым салатын белгілер", "ru": "Запрещающие знаки", "en": "Prohibitory signs"}},
    "marking_groups": {1: {"kk": "Көлденең таңбалау", "ru": "Горизонтальная разметка", "en": "Horizontal markings"}},
}


def bank_with_points(tmp_path, points, extra_sources=()):
    """The fixture bank with one pdd question per point (and one per extra source)."""
    root = copy_fixture_bank(tmp_path)
    (root / "chapters.yaml").write_text(yaml.safe_dump(CHAPTERS, allow_unicode=True), encoding="utf-8")

    def change(data):
        template = data[0]
        data[:] = []
        references = [("pdd", point) for point in points] + [(source, "1") for source in extra_sources]
        for n, (source, point) in enumerate(references, start=1):
            question = yaml.safe_load(yaml.safe_dump(template))
            question["id"] = f"speed-{n:03d}"
            question["reference"] = {"source": source, "point": point, "checked": "2026-11-27"}
            data.append(question)

    edit_questions(root, "speed", change)
    return root


@pytest.mark.parametrize(("point", "base"), [("9", 9), ("12(5)", 12), ("54-1", 54), ("10.3", 10), ("annex-2", None)])
def test_a_sub_point_belongs_to_its_point(point, base):
    assert base_point(point) == base


def test_chapters_count_their_questions_and_expected_share(tmp_path):
    root = bank_with_points(tmp_path, ["1", "5(2)", "7-1", "10", "2", "3", "11", "12", "12(1)"])
    coverage = measure(bank_files.validate(root).bank, root)
    first, second = coverage.chapters
    assert (first.points, first.questions, first.expected) == (10, 6, 7.5)
    assert (second.points, second.questions, second.expected) == (2, 3, 1.5)
    assert coverage.ok


def test_a_chapter_with_fewer_than_three_questions_is_low(tmp_path):
    root = bank_with_points(tmp_path, ["1", "2", "3", "4", "11", "12"])
    coverage = measure(bank_files.validate(root).bank, root)
    assert [chapter.ok for chapter in coverage.chapters] == [True, False]
    assert not coverage.ok


def test_a_chapter_below_half_its_share_is_low(tmp_path):
    root = bank_with_points(tmp_path, ["1", "2", "3"] + ["11"] * 5 + ["12"] * 4)
    first = measure(bank_files.validate(root).bank, root).chapters[0]
    assert (first.questions, first.expected) == (3, 10.0)
    assert not first.ok


def test_command_prints_chapters_groups_and_sources_and_fails_on_a_low_chapter(runner, tmp_path):
    root = bank_with_points(tmp_path, ["1", "2", "3", "4", "11", "12"], ["pdd-admission", "pdd-faults", "koap"])
    result = runner.invoke(args=["questions", "coverage", str(root)])
    lines = result.output.splitlines()
    assert result.exit_code == 1, result.output
    assert "      1      10          4       5.0  OK  First" in lines
    assert "      2       2          2       1.0  LOW  Second" in lines
    assert "signs 3. Prohibitory signs: 1" in lines  # the fixture's signs-001 is sign 3.1
    assert "markings 1. Horizontal markings: 0" in lines
    assert {"pdd-admission: 1", "pdd-faults: 1", "koap: 1", "first-aid: 0"} <= set(lines)


def test_command_passes_when_every_chapter_is_covered(runner, tmp_path):
    root = bank_with_points(tmp_path, ["1", "2", "3", "4", "11", "12", "12"])
    result = runner.invoke(args=["questions", "coverage", str(root)])
    assert result.exit_code == 0, result.output


def test_real_chapters_map_has_every_point_once():
    chapters = yaml.safe_load((REAL_BANK / "chapters.yaml").read_text(encoding="utf-8"))["chapters"]
    assert [chapter["number"] for chapter in chapters] == list(range(1, 27))
    assert chapters[0]["first"] == 1
    assert all(after["first"] == before["last"] + 1 for before, after in itertools.pairwise(chapters))
    assert chapters[-1]["last"] == 192
