"""What the OpenAPI document says about answers that come from the layers every endpoint shares.

An endpoint declares the answers of its own rules (`response={201: ..., 409: Detail}`); the
layers below it answer the same way for every endpoint, so they are written into the document
here, once: 422 for input the schema or a rule refuses (NUL characters included), 401/403 where
a signed-in person is required, 403 (CSRF), 413 and 415 on every unsafe request, 404 wherever a
path names something to look up, and Retry-After on every 429 and 503.
"""

UNSAFE = {"post", "put", "patch", "delete"}

ERROR = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {
            "title": "Detail",
            "description": "What was wrong, in the reader's language; a list of field errors for malformed input.",
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}],
        },
    },
    "required": ["detail"],
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.",
                               "schema": {"type": "string", "pattern": "^[0-9]+$"}, "required": True}}
DESCRIPTIONS = {
    401: "Not signed in.",
    403: "Not allowed, or the CSRF token is missing.",
    404: "No such thing.",
    413: "Request body too large.",
    415: "The body is not JSON.",
    422: "Invalid input.",
    429: "Too many attempts.",
    503: "A service the request needs is down for now.",
}


def _error(status):
    schema = {"$ref": "#/components/schemas/Error"}
    return {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": schema}}}


def document_shared_answers(schema):
    schema["components"].setdefault("schemas", {})["Error"] = ERROR
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            statuses = {422}
            if operation.get("security"):
                statuses |= {401, 403}
            if method in UNSAFE:
                statuses |= {403}
                if "requestBody" in operation:
                    statuses |= {413, 415}
            if "{" in path:
                statuses.add(404)
            for status in statuses:
                if status == 422 or str(status) not in responses:
                    responses[str(status)] = _error(status)
            for status in ("429", "503"):
                if status in responses:
                    responses[status] = {**_error(int(status)), "headers": RETRY_AFTER}
    return schema
