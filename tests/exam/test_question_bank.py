"""The question bank: validation (one defect per kind), the real bank, import, revisions."""

import shutil
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from app.core.clock import utcnow
from app.exam import bank_validation
from app.exam.importing import import_bank
from app.exam.models import ExamProfile, Question, QuestionRevision
from app.extensions import db
from tests.support.bank import FIXTURE, real_bank_report


@pytest.fixture
def bank_dir(tmp_path):
    target = tmp_path / "bank"
    shutil.copytree(FIXTURE, target)
    return target


def edit_yaml(path: Path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def first_question(change):
    return lambda root: edit_yaml(root / "bank" / "speed.yaml", lambda data: change(data[0]))


def set_svg(content):
    return lambda root: (root / "images" / "sign-test.svg").write_text(content, encoding="utf-8")


GOOD_SVG = (FIXTURE / "images" / "sign-test.svg").read_text(encoding="utf-8")

DEFECTS = {
    "not yaml": (
        lambda root: (root / "bank" / "speed.yaml").write_text("- id: [unclosed", encoding="utf-8"),
        "not valid YAML",
    ),
    "unknown key": (first_question(lambda q: q.update(hint="x")), "unknown key 'hint'"),
    "missing explanation": (first_question(lambda q: q.pop("explanation")), "missing 'explanation'"),
    "bad id": (first_question(lambda q: q.update(id="Speed_1")), "<topic>-NNN"),
    "duplicate id": (
        lambda root: edit_yaml(root / "bank" / "speed.yaml", lambda d: d[1].update(id="speed-001")),
        "duplicate id",
    ),
    "no correct option": (first_question(lambda q: q["options"][0].update(correct=False)), "exactly one correct"),
    "two correct options": (first_question(lambda q: q["options"][1].update(correct=True)), "exactly one correct"),
    "one option": (first_question(lambda q: q.update(options=q["options"][:1])), "2 to 5 options"),
    "six options": (
        first_question(
            lambda q: q.update(
                options=q["options"]
                + [{"text": {"kk": f"{n}0 км/сағ", "ru": f"{n}0 км/ч", "en": f"{n}0 km/h"}} for n in range(1, 5)]
            )
        ),
        "2 to 5 options",
    ),
    "missing language": (first_question(lambda q: q["text"].pop("kk")), "kk text is missing"),
    "empty language": (first_question(lambda q: q["explanation"].update(en="  ")), "en text is missing or empty"),
    "untranslated": (first_question(lambda q: q["text"].update(kk=q["text"]["ru"])), "identical: translate"),
    "same option twice": (first_question(lambda q: q["options"][1]["text"].update(ru="60 км/ч")), "same ru text"),
    "duplicate stem": (
        lambda root: edit_yaml(root / "bank" / "speed.yaml", lambda d: d[1]["text"].update(en=d[0]["text"]["en"])),
        "duplicates speed-001",
    ),
    "unknown topic": (first_question(lambda q: q.update(topic="weather")), "unknown topic 'weather'"),
    "topic not the file's": (first_question(lambda q: q.update(topic="signs")), "does not match the file"),
    "unknown category": (first_question(lambda q: q.update(categories=["B", "Z"])), "unknown licence category"),
    "no categories": (first_question(lambda q: q.update(categories=[])), "non-empty list"),
    "bad reference": (
        first_question(lambda q: q.update(reference={"source": "wiki", "point": "1"})),
        "unknown reference source",
    ),
    "bad point": (
        first_question(lambda q: q.update(reference={"source": "koap", "point": "see art. 5"})),
        "does not fit the source",
    ),
    "missing image": (first_question(lambda q: q.update(image="nope.svg")), "file is missing"),
    "image not svg": (first_question(lambda q: q.update(image="photo.png")), "ending in .svg"),
    "svg not well-formed": (set_svg("<svg xmlns='http://www.w3.org/2000/svg'><title>x</title>"), "not well-formed"),
    "svg without title": (set_svg(GOOD_SVG.replace('<title id="t">Road sign</title>', "")), "<title>"),
    "svg without viewBox": (set_svg(GOOD_SVG.replace('viewBox="0 0 100 100" ', "")), "viewBox"),
    "svg with script": (set_svg(GOOD_SVG.replace("</svg>", "<script>alert(1)</script></svg>")), "scripts"),
    "svg with external link": (
        set_svg(GOOD_SVG.replace("</svg>", '<image href="https://x.example/a.png"/></svg>')),
        "external",
    ),
    "quota not fillable": (
        lambda root: edit_yaml(
            root / "profiles.yaml", lambda d: d[0].update(questions=4, quotas={"speed": 3, "signs": 1})
        ),
        "cannot be filled",
    ),
    "quotas do not add up": (
        lambda root: edit_yaml(root / "profiles.yaml", lambda d: d[0].update(quotas={"speed": 1, "signs": 0})),
        "add up to 1, not 2",
    ),
    "pass mark too high": (
        lambda root: edit_yaml(root / "profiles.yaml", lambda d: d[0].update(pass_mark=3)),
        "pass mark is higher",
    ),
    "quota for unknown topic": (
        lambda root: edit_yaml(root / "profiles.yaml", lambda d: d[0]["quotas"].update(weather=0)),
        "unknown topic 'weather'",
    ),
}


def test_fixture_bank_is_valid(bank_dir):
    report = bank_validation.validate(bank_dir)
    assert report.problems == []
    assert report.summary() == "3 questions, 2 topics, languages: en kk ru"


@pytest.mark.parametrize("defect", DEFECTS)
def test_validator_catches_each_defect(bank_dir, defect):
    make_defect, fragment = DEFECTS[defect]
    make_defect(bank_dir)
    problems = [str(problem) for problem in bank_validation.validate(bank_dir).problems]
    assert any(fragment in problem for problem in problems), problems


def test_validate_command_prints_problems_then_summary(app, runner, bank_dir):
    DEFECTS["no correct option"][0](bank_dir)
    DEFECTS["untranslated"][0](bank_dir)
    result = runner.invoke(args=["questions", "validate", str(bank_dir)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 3
    assert lines[-1] == "3 questions, 2 topics, languages: en kk ru"


def test_validate_command_ok(app, runner, bank_dir):
    result = runner.invoke(args=["questions", "validate", str(bank_dir)])
    assert result.exit_code == 0
    assert result.output.strip() == "3 questions, 2 topics, languages: en kk ru"


def test_real_bank_is_valid_and_large_enough():
    report = real_bank_report()
    assert [str(problem) for problem in report.problems] == []
    bank = report.bank
    assert len(bank.questions) >= 400
    assert len(bank.topics) >= 16
    assert sum(1 for question in bank.questions if question.image) >= 80
    assert bank.languages() == ["en", "kk", "ru"]


def test_real_profiles_follow_the_official_format_and_fill_several_times():
    bank = real_bank_report().bank
    assert {profile.code for profile in bank.profiles} >= {"A", "B", "C", "D", "BE"}
    for profile in bank.profiles:
        assert (profile.questions, profile.seconds, profile.pass_mark) == (40, 2400, 32)
        available = Counter(q.topic for q in bank.questions if profile.category in q.categories)
        for topic, quota in profile.quotas.items():
            assert available[topic] >= 3 * quota, (profile.code, topic)


def current_revision(code: str) -> QuestionRevision:
    return db.session.scalar(
        sa.select(QuestionRevision).join(Question).where(Question.code == code, QuestionRevision.is_current)
    )


def test_import_is_idempotent(app, bank_dir):
    with app.app_context():
        first = import_bank(db.session, bank_validation.validate(bank_dir).bank, utcnow())
        db.session.commit()
        second = import_bank(db.session, bank_validation.validate(bank_dir).bank, utcnow())
        db.session.commit()
        assert (first.created, first.profiles_created, first.topics) == (3, 1, 2)
        assert (second.created, second.revised, second.unchanged, second.profiles_created) == (0, 0, 3, 0)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionRevision)) == 3
        revision = current_revision("signs-001")
        assert revision.image_alt == "A red disc with a white horizontal bar"
        assert [option.is_correct for option in revision.options] == [True, False]


def test_changed_question_gets_a_revision_and_removed_one_is_retired(app, bank_dir):
    with app.app_context():
        import_bank(db.session, bank_validation.validate(bank_dir).bank, utcnow())
        db.session.commit()
        old_revision_id = current_revision("speed-001").id

        edit_yaml(
            bank_dir / "bank" / "speed.yaml",
            lambda d: (d[0]["text"].update(en="Speed limit in a town?"), d.pop(1), d[0].update(categories=["B"])),
        )
        summary = import_bank(db.session, bank_validation.validate(bank_dir).bank, utcnow())
        db.session.commit()
        assert (summary.revised, summary.retired, summary.unchanged) == (1, 1, 1)

        old = db.session.get(QuestionRevision, old_revision_id)
        assert old.is_current is False
        assert old.text_en == "What is the speed limit for a car in a built-up area?"
        new = current_revision("speed-001")
        assert (new.number, new.text_en) == (2, "Speed limit in a town?")
        assert new.question.category_codes == ["B"]
        retired = db.session.scalar(sa.select(Question).where(Question.code == "speed-002"))
        assert retired.retired_at is not None
        assert len(retired.revisions) == 1  # retired, never deleted


def test_retired_question_comes_back(app, bank_dir):
    with app.app_context():
        import_bank(db.session, bank_validation.validate(bank_dir).bank, utcnow())
        original = (bank_dir / "bank" / "speed.yaml").read_text(encoding="utf-8")
        edit_yaml(bank_dir / "bank" / "speed.yaml", lambda d: d.pop(1))
        import_bank(db.session, bank_validation.validate(bank_dir).bank, utcnow())
        (bank_dir / "bank" / "speed.yaml").write_text(original, encoding="utf-8")
        summary = import_bank(db.session, bank_validation.validate(bank_dir).bank, utcnow())
        db.session.commit()
        assert summary.restored == 1
        assert db.session.scalar(sa.select(Question).where(Question.code == "speed-002")).retired_at is None


def test_import_keeps_profiles_admins_changed(app, bank_dir):
    with app.app_context():
        import_bank(db.session, bank_validation.validate(bank_dir).bank, utcnow())
        profile = db.session.scalar(sa.select(ExamProfile))
        profile.seconds = 999
        db.session.commit()
        import_bank(db.session, bank_validation.validate(bank_dir).bank, utcnow())
        db.session.commit()
        assert db.session.scalar(sa.select(ExamProfile.seconds)) == 999


def test_import_command_refuses_an_invalid_bank(app, runner, bank_dir):
    DEFECTS["no correct option"][0](bank_dir)
    result = runner.invoke(args=["questions", "import", str(bank_dir)])
    assert result.exit_code == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_import_command_loads_the_real_bank(app, runner):
    result = runner.invoke(args=["questions", "import"])
    assert result.exit_code == 0, result.output
    assert "created" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) >= 400
