"""What the playground accepts before a request reaches the API: its body's size and depth.

The largest request the page sends (six optimizers with every hyperparameter, a 500-character
expression) is a few kilobytes; a body over ``MAX_BODY`` bytes is refused with 413 before it is
read in full, and JSON nested deeper than ``MAX_DEPTH`` (which no valid request is) with 400,
before a parser recurses into it. Both answers have the API's ``{"error", "field"}`` body.
"""

from __future__ import annotations

import json

MAX_BODY = 64 * 1024
MAX_DEPTH = 16


class RequestLimits:
    """ASGI middleware: refuse bodies that are too big or too deeply nested."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
            await _answer(send, 413, _too_big())
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:
                await _answer(send, 413, _too_big())
                return
        if nesting(body) > MAX_DEPTH:
            await _answer(send, 400, {"error": f"the JSON body is nested more than {MAX_DEPTH} "
                                      "levels deep", "field": "body"})  # fmt: skip
            return
        await self.app(scope, _replay(body), send)


def nesting(body: bytes) -> int:
    """The deepest nesting of ``[`` and ``{`` in a JSON text, strings skipped."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _too_big() -> dict[str, str]:
    return {"error": f"the request body is larger than the {MAX_BODY:,} bytes allowed",
            "field": "body"}  # fmt: skip


def _replay(body: bytes):
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _answer(send, status: int, content: dict) -> None:
    data = json.dumps(content).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": data})
