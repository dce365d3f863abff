"""Long CLI work shows its progress on standard error and ends with a summary line on standard
output (scripts read the summary; people watch the bar)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from app.auth.models import Role
from app.centres.services import find_centre
from app.extensions import db
from app.staff import exports, oversight
from tests.conftest import make_centre
from tests.support.booking_support import NOW, freeze, local, make_slot
from tests.support.staff_support import book_before, make_template

QUESTION_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bank"


def test_slot_generation_shows_progress_per_centre_and_a_summary(app, runner, make_user):
    freeze(NOW)
    admin = make_user(role=Role.ADMIN)
    for code in ("ALM", "AST", "SHY"):
        make_centre(app, code)
    for code in ("ALM", "AST"):  # SHY has no template: nothing to do there
        make_template(app, admin.id, centre_code=code)

    result = runner.invoke(args=["slots", "generate", "--days", "14"])

    assert result.exit_code == 0, result.output
    assert "Generating slots" in result.stderr
    # Wednesdays 2 and 9 December × 2 times × 2 categories × 2 centres.
    assert result.stdout.strip().splitlines() == ["16 slots added over the next 14 days"]


def test_question_import_shows_progress_and_a_summary(runner):
    result = runner.invoke(args=["questions", "import", str(QUESTION_FIXTURE)])

    assert result.exit_code == 0, result.output
    assert "Importing questions" in result.stderr
    assert result.stdout.strip().splitlines() == [
        "3 questions, 2 topics, languages: en kk ru; 3 created, 0 revised, 0 unchanged, 0 retired, 0 restored; "
        "2 topics; 1 profiles created"
    ]


@pytest.fixture
def exported_bookings(app, make_user, centre):
    """Two bookings of ALM in the first ten days of December (one by a name that reads like a
    formula) and one later; returns the first applicant's IIN."""
    freeze(NOW)
    formula = make_user(full_name="=HYPERLINK(1)")
    book_before(app, formula.id, make_slot(app))
    book_before(app, make_user(full_name="Aruzhan").id, make_slot(app, starts=local(2026, 12, 4)))
    book_before(app, make_user(full_name="Later").id, make_slot(app, starts=local(2026, 12, 20)))
    return formula.iin


EXPORT = ["bookings", "export", "--centre", "alm", "--from", "2026-12-01", "--to", "2026-12-10"]


def test_bookings_export_writes_the_staff_csv_and_a_summary(
    app, runner, client, auth, make_user, exported_bookings, tmp_path
):
    target = tmp_path / "december.csv"
    result = runner.invoke(args=[*EXPORT, "--output", str(target)])

    assert result.exit_code == 0, result.output
    assert "Exporting bookings" in result.stderr
    assert result.stdout.strip().splitlines() == [f"2 bookings exported to {target}"]
    auth.login(make_user(role=Role.STAFF, centre_code="ALM").email)
    web = client.get("/staff/centres/ALM/bookings.csv?first_day=2026-12-01&last_day=2026-12-10")
    # The same bookings in the same order as the download (which names columns and statuses in the
    # reader's language; the command keeps machine names for scripts), with the byte-order mark.
    assert target.read_bytes().startswith("\ufeff".encode())
    web_rows = list(csv.reader(io.StringIO(web.get_data(as_text=True).lstrip("\ufeff"))))
    file_rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [row[:2] + row[6:] for row in file_rows[1:]] == [row[:2] + row[6:] for row in web_rows[1:]]
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [row["full_name"] for row in rows] == ["'=HYPERLINK(1)", "Aruzhan"]
    assert rows[0]["iin"] == f"{exported_bookings[:4]}******{exported_bookings[-2:]}"
    assert exported_bookings not in target.read_text(encoding="utf-8-sig")


def test_bookings_export_streams_to_stdout_in_batches(app, runner, exported_bookings, tmp_path):
    result = runner.invoke(args=[*EXPORT, "--output", "-"])

    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:2] == ["booking_id", "ticket"]
    assert len(rows) == 3
    assert result.stderr.strip().splitlines()[-1] == "2 bookings exported to standard output"
    with app.app_context():
        centre = find_centre(db.session, "ALM")
        whole = oversight.period_bookings(db.session, centre, date(2026, 12, 1), date(2026, 12, 31))
        streamed = oversight.stream_period_bookings(
            db.session, centre, date(2026, 12, 1), date(2026, 12, 31), batch_size=1
        )
        assert [booking.id for booking in streamed] == [booking.id for booking in whole]
        assert len(whole) == 3


def test_a_failed_bookings_export_leaves_the_earlier_file_as_it_was(runner, exported_bookings, tmp_path, monkeypatch):
    target = tmp_path / "exports" / "december.csv"
    target.parent.mkdir()
    target.write_text("yesterday's export\n")

    def fails_midway(out, bookings, zone):
        out.write("booking_id,ticket\n")
        next(iter(bookings))
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_bookings_csv", fails_midway)
    result = runner.invoke(args=[*EXPORT, "--output", str(target)])

    assert result.exit_code == 1
    assert isinstance(result.exception, OSError)
    assert target.read_text() == "yesterday's export\n"
    assert [path.name for path in target.parent.iterdir()] == ["december.csv"]  # no temporary file left behind


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["--centre", "XYZ"], "Error: no centre with code 'XYZ'"),
        (["--centre", "ALM", "--from", "2026-13-01"], "Error: --from '2026-13-01' is not a date (YYYY-MM-DD)"),
        (
            ["--centre", "ALM", "--from", "2026-12-10", "--to", "2026-12-01"],
            "Error: --to 2026-12-01 is before --from 2026-12-10",
        ),
    ],
)
def test_bookings_export_refuses_in_one_line(runner, centre, tmp_path, arguments, error):
    result = runner.invoke(args=["bookings", "export", *arguments, "--output", str(tmp_path / "out.csv")])

    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [error]
    assert not (tmp_path / "out.csv").exists()
