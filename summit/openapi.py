"""What the OpenAPI document says about answers that come from the layers every endpoint shares.

An endpoint declares the answers of its own rules (`response={201: ..., 409: Detail}`); the
layers below it answer the same way for every endpoint, so they are written into the document
here, once: 422 for input the schema or a rule refuses (NUL characters included), 401/403 where
a signed-in person is required, 403 (CSRF), 413 and 415 on every unsafe request, 404 wherever a
path names something to look up, 400 for a body that is not JSON at all, and Retry-After on
every 429 and 503. Text never holds NUL characters (PostgreSQL cannot store them, so every
request carrying one is refused): every free-text string says so with a pattern.
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
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "required": True,
    }
}
NUL_FREE = "^[^\u0000]*$"
DESCRIPTIONS = {
    400: "The body is not valid JSON.",
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


def _nul_free(node):
    """Adds the NUL-free pattern to every string schema that has no pattern, format or list of values."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & node.keys():
            node["pattern"] = NUL_FREE
        for value in node.values():
            _nul_free(value)
    elif isinstance(node, list):
        for value in node:
            _nul_free(value)


def document_shared_answers(schema):
    _nul_free(schema["components"].get("schemas", {}))
    for operations in schema["paths"].values():
        for operation in operations.values():
            _nul_free(operation.get("parameters", []))
            _nul_free(operation.get("requestBody", {}))
    schema["components"].setdefault("schemas", {})["Error"] = ERROR
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            # Ninja keys the answers an endpoint declares by int and JSON makes every key a string:
            # one spelling, or a status declared by both would appear twice (Swagger UI refuses that).
            responses = operation["responses"] = {
                str(status): answer for status, answer in operation["responses"].items()
            }
            statuses = {422}
            if operation.get("security"):
                statuses |= {401, 403}
            if method in UNSAFE:
                statuses |= {403}
                if "requestBody" in operation:
                    statuses |= {400, 413, 415}
            if "{" in path:
                statuses.add(404)
            for status in statuses:
                if status == 422 or str(status) not in responses:
                    responses[str(status)] = _error(status)
            for status in ("429", "503"):
                if status in responses:
                    responses[status] = {**_error(int(status)), "headers": RETRY_AFTER}
    return schema
