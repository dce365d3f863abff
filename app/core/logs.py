"""No IIN or phone number in any log line, whoever writes it.

The application never logs them on purpose, but errors do: PostgreSQL's own message repeats the
offending row ("Key (iin)=(…) already exists", "Failing row contains (…)") and a traceback quotes
it. Every log record is therefore redacted when it is made, message and traceback alike, so no
handler (ours, gunicorn's, the scheduler's) ever sees the numbers.
"""

from __future__ import annotations

import logging
import re

# An IIN is 12 digits; a Kazakhstan mobile number is +7 / 8 and 10 digits (as stored: +7XXXXXXXXXX).
PERSONAL_NUMBER = re.compile(r"(?<!\d)(?:\d{12}|(?:\+7|8)\d{10})(?!\d)")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return PERSONAL_NUMBER.sub(REDACTED, text)


def _redacting(factory):
    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record  # a malformed call: leave it to the handler's own error reporting
        record.msg, record.args = redact(message), ()
        if record.exc_info and record.exc_info[0] is not None:
            # Formatters use `exc_text` when it is set: format the traceback once, redacted.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    make_record.redacts_personal_numbers = True
    return make_record


def install() -> None:
    """Idempotent: one redacting record factory per process."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacts_personal_numbers", False):
        logging.setLogRecordFactory(_redacting(factory))
