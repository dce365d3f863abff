"""A copy of the fixture bank to break in one place, for the validator's tests."""

import shutil
from pathlib import Path

import yaml

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bank"
REAL_BANK = Path(__file__).resolve().parents[2] / "questions"


def copy_fixture_bank(tmp_path: Path) -> Path:
    target = tmp_path / "bank"
    shutil.copytree(FIXTURE, target)
    return target


def edit_questions(root: Path, topic: str, change) -> None:
    path = root / "bank" / f"{topic}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(root: Path, **kwargs) -> list[str]:
    from app.exam import bank_validation as bank_files

    return [str(problem) for problem in bank_files.validate(root, **kwargs).problems]
