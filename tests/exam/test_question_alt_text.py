"""The import stores a picture's alt text in each language and keeps it current without a new revision."""

import sqlalchemy as sa

from app.core.clock import utcnow
from app.exam import bank_validation as bank_files
from app.exam.importing import import_bank
from app.exam.models import QuestionRevision
from app.extensions import db
from tests.support.question_bank_support import copy_fixture_bank


def import_from(root):
    import_bank(db.session, bank_files.validate(root).bank, utcnow())
    db.session.commit()


def test_import_stores_alt_text_per_language_and_updates_it_in_place(app, tmp_path):
    root = copy_fixture_bank(tmp_path)
    with app.app_context():
        import_from(root)
        revision = db.session.scalar(sa.select(QuestionRevision).where(QuestionRevision.image.is_not(None)))
        assert revision.image_alt_kk == "Ақ көлденең жолағы бар қызыл дөңгелек"
        assert revision.image_alt_en == "A red disc with a white horizontal bar"
        revisions = db.session.scalar(sa.select(sa.func.count()).select_from(QuestionRevision))

        alt = (root / "images" / "alt.yaml").read_text(encoding="utf-8")
        (root / "images" / "alt.yaml").write_text(alt.replace("Ақ көлденең", "Ақ жатық"), encoding="utf-8")
        import_from(root)
        db.session.expire_all()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionRevision)) == revisions
        assert db.session.get(QuestionRevision, revision.id).image_alt_kk == "Ақ жатық жолағы бар қызыл дөңгелек"
