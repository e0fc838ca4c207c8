"""The base of every API request body: a field it does not know is refused, not silently dropped.

A typo in a field name then gets a 422 naming it, and the OpenAPI document can say
`additionalProperties: false`, so what it allows is exactly what the endpoint accepts.
"""

from ninja import Schema
from pydantic import ConfigDict


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    """An error answer: what was wrong, or the list of field errors for malformed input."""

    detail: str | list[dict]
