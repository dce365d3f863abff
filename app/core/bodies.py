"""Request bodies are read only when they are of a sane size and shape.

The size is Flask's `MAX_CONTENT_LENGTH` (413 as soon as a view or hook reads a larger body). The
shape: Python's JSON parser recurses once per level of nesting, so `[[[[…]]]]` a few thousand levels
deep raises RecursionError (a 500) in whichever parser reads it first — ours, webargs' or the NUL
check. The depth is therefore counted on the raw body, before any parser sees it.
"""

from __future__ import annotations

import re

from flask import request
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError

# No body of the API nests more than a few levels (an object of objects): 32 is generous.
MAX_JSON_DEPTH = 32
# A JSON string, escapes included: its brackets are text, not nesting.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class JsonTooDeep(DomainError):
    status = 400
    code = "json-too-deep"


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects deeper than `limit` (counted without parsing)."""
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub(b"", body)):
        depth += 1 if bracket in (b"[", b"{") else -1
        if depth > limit:
            return True
    return False


def refuse_deep_json() -> None:
    """Before any parser reads a JSON body: refuse one nested deeper than MAX_JSON_DEPTH (400)."""
    if request.is_json and json_depth_exceeds(request.get_data(cache=True)):
        raise JsonTooDeep(_l("The JSON body is nested too deeply."))
