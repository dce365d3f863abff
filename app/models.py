"""Every model of every feature, imported so that the metadata (and Alembic) sees them all."""

from app.auth.models import ApiToken, User
from app.booking.models import Centre

__all__ = ["ApiToken", "Centre", "User"]
