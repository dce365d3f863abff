"""How the OpenAPI document describes errors: every error answer (4xx, 5xx and `default`) of every
operation is `application/problem+json` with the `Problem` schema, as app.core.errors sends them.

flask-smorest documents its errors as `application/json` with its own error schema; the plugin
below rewrites them while each path is added to the document, so no operation has to say it."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import marshmallow as ma
from apispec import BasePlugin

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemSchema(ma.Schema):
    """An error (RFC 9457), with the stable `code` clients branch on; some errors add fields
    (`errors` for field errors, `reason`, `missing`, …), so further properties are allowed."""

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(required=True, metadata={"description": "A URI naming the kind of problem"})
    title = ma.fields.String(required=True, metadata={"description": "A short summary, in the reader's language"})
    status = ma.fields.Integer(required=True, metadata={"description": "The HTTP status"})
    detail = ma.fields.String(required=True, metadata={"description": "What happened, in the reader's language"})
    code = ma.fields.String(required=True, metadata={"description": "Stable and machine-readable, e.g. `slot-full`"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Field errors (422): each field's messages (nested fields: by sub-field)"},
    )


def _is_error(status: Any) -> bool:
    return str(status) == "default" or (str(status).isdigit() and int(status) >= 400)


def _description(status: Any, response: Any) -> str:
    if isinstance(response, dict) and response.get("description"):
        return response["description"]
    if str(status).isdigit():
        return HTTPStatus(int(status)).phrase
    return "An error"


class ProblemResponses(BasePlugin):
    """Registered after flask-smorest's own plugins, so it sees their finished responses."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for operation in (operations or {}).values():
            responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
            for status, response in list(responses.items()):
                if _is_error(status):
                    responses[status] = {
                        "description": _description(status, response),
                        "content": {PROBLEM_MEDIA_TYPE: {"schema": "Problem"}},
                    }
