"""The messages about an account: the password-reset link, and the answers to a registration
(app.auth.signup). None of them repeats what was typed into the form (a name, an IIN): the form
must not become a way to send someone words of one's choosing, or to learn another's details."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from app.auth import phone, signup
from app.notify import kinds
from app.notify.kinds import Content
from app.notify.models import OutboxMessage


def render_password_reset(message: OutboxMessage) -> Content:
    return Content(
        _("Reset your Kezek password"),
        [
            _("Someone asked to reset the password of your Kezek account. If it was not you, ignore this message."),
            _("The link works for one hour."),
        ],
        action=(_("Choose a new password"), (message.payload or {})["url"]),
    )


def render_registration_confirm(message: OutboxMessage) -> Content:
    """To the address given, which has no account: the link that opens one."""
    hours = max(1, current_app.config["REGISTRATION_TTL_SECONDS"] // 3600)
    return Content(
        _("Confirm your e-mail address for Kezek"),
        [
            _(
                "Someone, we hope you, started creating a Kezek account with this e-mail address. To finish,"
                " open the link below and confirm."
            ),
            ngettext(
                "The link works once, within %(num)s hour. If it was not you, ignore this message: no account"
                " is opened without the link.",
                "The link works once, within %(num)s hours. If it was not you, ignore this message: no account"
                " is opened without the link.",
                hours,
            ),
        ],
        action=(_("Finish registration"), (message.payload or {})["url"]),
    )


def render_registration_email_taken(message: OutboxMessage) -> Content:
    """To the account whose address someone registered with: only its owner reads this."""
    return Content(
        _("Someone tried to register with your e-mail address"),
        [
            _(
                "Someone tried to create a new Kezek account with this e-mail address, which already belongs to"
                " your account. No new account was created, and your account has not changed."
            ),
            _(
                "If it was you, you already have an account: sign in, or choose “Forgot your password?” on the"
                " sign-in page to set a new password. If it was not you, you can ignore this message."
            ),
        ],
        action=(_("Sign in"), kinds.link("auth.login")),
    )


def render_registration_not_completed(message: OutboxMessage) -> Content:
    """To the address given, when the IIN has an account: nothing about that account (not even
    that the IIN is the reason), only what its owner, if it is the reader, can do."""
    return Content(
        _("Your Kezek registration could not be completed"),
        [
            _(
                "Someone, we hope you, tried to create a Kezek account with this e-mail address. The registration"
                " could not be completed, and no account was created."
            ),
            _(
                "If you already have a Kezek account, sign in with the e-mail address of that account; if you"
                " forgot its password, choose “Forgot your password?” on the sign-in page. Otherwise write to"
                " Kezek support, with your identity document at hand."
            ),
        ],
        action=(_("Sign in"), kinds.link("auth.login")),
        facts=[(_("Support"), current_app.config["SUPPORT_EMAIL"])],
    )


def register_kinds() -> None:
    # Not in the in-app list: the link works from the e-mail only, and an item without it is noise.
    kinds.register("password-reset", render_password_reset, listed=False)
    kinds.register(signup.CONFIRM, render_registration_confirm)
    kinds.register(signup.EMAIL_TAKEN, render_registration_email_taken)
    kinds.register(signup.NOT_COMPLETED, render_registration_not_completed)
    phone.register_kinds()
