"""POST /api/check: the check as a plain JSON HTTP route beside the page, for many callers at once.

Gradio's named `/check` endpoint goes through its event queue (join, then an event stream), which
costs far more than a check itself. This route is one request and one answer on the same server
(same port, same loopback binding, same CORS rules), and each check runs in the server's worker
thread pool, so many run side by side. Checks that use the `lm` detector still take the one
model slot (`coach.web.model_slot`), so they never run two at a time.

    POST /api/check    Content-Type: application/json
    {"text": "the draft", "detectors": "rules,embedding"}     detectors optional (app default),
                                                              a comma list or a JSON list
    200 {clean, count, flags: [...], detectors, message}      as the `/check` endpoint
    400 {"error": ...}  bad JSON, no text, empty draft, unknown detector
    413 {"error": ...}  draft over the limit (10,000 characters) or body over MAX_BODY_BYTES
    415 {"error": ...}  body not sent as application/json
    503 {"error": ...}  the language model is busy (only with `lm`); Retry-After is set

A rejected call logs one line (status and reason, never draft text); so does an unexpected
failure (exception type and where, no message, since messages can quote input).
"""
from __future__ import annotations

import json
import logging
import traceback
from typing import Callable, ContextManager

from coach.errors import CoachError, InputError
from coach.pipeline import Coach
from coach.web.check import check_api, error_message
from coach.web.model_slot import ModelBusyError
from coach.web.settings import MAX_DRAFT_CHARS

log = logging.getLogger("coach.web")

CHECK_PATH = "/api/check"
# A 10,000-character draft is at most ~60 KB as JSON (\\uXXXX escapes); room for the rest.
MAX_BODY_BYTES = 128 * 1024

GetCoach = Callable[[object], Coach]
SlotFor = Callable[[Coach], ContextManager]


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def one_line(text: str, limit: int = 120) -> str:
    """A short log line from a message: its first sentence, on one line, bounded."""
    text = " ".join(str(text).split())
    cut = text.find(". ")
    if cut > 0:
        text = text[:cut + 1]
    return text if len(text) <= limit else text[:limit - 1] + "…"


def parse_check_body(raw: bytes, content_type: str | None) -> tuple[object, object]:
    """(text, detectors) from a request body, or an ApiError saying what is wrong with it."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise ApiError(415, "Send the body as JSON (Content-Type: application/json).")
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, f"The request body is over {MAX_BODY_BYTES:,} bytes.")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, 'The body must be a JSON object: {"text": "...", "detectors": ...}.')
    unknown = sorted(set(body) - {"text", "detectors"})
    if unknown:
        raise ApiError(400, f"Unknown field(s) {one_line(', '.join(map(str, unknown)), 80)}; "
                            "send text and, optionally, detectors.")
    if "text" not in body:
        raise ApiError(400, 'Missing field "text" (the draft to check).')
    detectors = body.get("detectors")
    if detectors is not None and not (isinstance(detectors, str) or (
            isinstance(detectors, list) and all(isinstance(d, str) for d in detectors))):
        raise ApiError(400, '"detectors" must be a comma-separated string or a list of names.')
    return body["text"], detectors or None


def run_check(text: object, detectors: object, get_coach: GetCoach, slot_for: SlotFor) -> dict:
    """The check itself (runs in a worker thread); CoachErrors become ApiErrors."""
    try:
        coach = get_coach(detectors)
        with slot_for(coach):
            return check_api(text, coach)
    except ModelBusyError as e:
        raise ApiError(503, error_message(e)) from None
    except InputError as e:
        too_long = isinstance(text, str) and len(text) > MAX_DRAFT_CHARS
        raise ApiError(413 if too_long else 400, error_message(e)) from None
    except CoachError as e:  # unknown detector, a model that cannot load, ...
        raise ApiError(400, error_message(e)) from None


async def _read_body(request, limit: int) -> bytes:
    """The body, reading at most `limit` + 1 bytes (a larger one is refused, not buffered)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"The request body is over {limit:,} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"The request body is over {limit:,} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def make_check_endpoint(get_coach: GetCoach, slot_for: SlotFor):
    """The Starlette endpoint for POST /api/check over the app's Coach cache and model slot."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    async def api_check(request):
        try:
            raw = await _read_body(request, MAX_BODY_BYTES)
            text, detectors = parse_check_body(raw, request.headers.get("content-type"))
            out = await run_in_threadpool(run_check, text, detectors, get_coach, slot_for)
        except ApiError as e:
            log.warning("api check rejected (%d): %s", e.status, one_line(e.message))
            headers = {"Retry-After": "5"} if e.status == 503 else None
            return JSONResponse({"error": e.message}, status_code=e.status, headers=headers)
        except Exception as e:  # noqa: BLE001 (a bug: one line with where, never the message)
            where = "; ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}"
                              for f in traceback.extract_tb(e.__traceback__)[-3:])
            log.error("api check failed: %s at %s", type(e).__name__, where)
            return JSONResponse({"error": "Internal error; the server log says where."},
                                status_code=500)
        return JSONResponse(out)

    return api_check


def routes(get_coach: GetCoach, slot_for: SlotFor) -> list:
    """The plain HTTP routes to add to the FastAPI app Gradio builds (launch app_kwargs)."""
    from starlette.routing import Route

    return [Route(CHECK_PATH, make_check_endpoint(get_coach, slot_for), methods=["POST"],
                  name="reply_coach_api_check")]


class FillApiArgs:
    """ASGI middleware: a call to one of our named Gradio endpoints that sends fewer arguments
    than the endpoint takes gets the missing ones (their defaults) before Gradio reads it.

    Gradio answers such a call (`{"data": ["the draft"]}` to /gradio_api/call/check, leaving
    out the optional `detectors`) with a ValueError whose traceback, printed to the server log,
    lists the values received: the draft itself. Filled in, the call either works (optional
    arguments) or is refused by our own check with one log line (a missing draft).

    `params` maps an api name to its parameters' defaults (None for a required one);
    `fn_index` maps Gradio's function ids to those names, for /gradio_api/queue/join.
    """

    def __init__(self, app, params: dict[str, list], fn_index: dict[int, str],
                 prefix: str = "/gradio_api") -> None:
        self.app, self.params, self.fn_index, self.prefix = app, params, fn_index, prefix

    def _target(self, path: str) -> str | None:
        """'call:<name>' or 'join' for the routes this fills in, else None."""
        if not path.startswith(self.prefix + "/"):
            return None
        rest = path[len(self.prefix) + 1:].rstrip("/").split("/")
        if len(rest) == 2 and rest[0] == "call" and rest[1] in self.params:
            return "call:" + rest[1]
        if rest == ["queue", "join"]:
            return "join"
        return None

    def fill(self, target: str, body: bytes) -> bytes:
        """The body with missing arguments filled in (unchanged when nothing is missing)."""
        try:
            obj = json.loads(body)
        except ValueError:
            return body
        if not isinstance(obj, dict) or not isinstance(obj.get("data"), list):
            return body
        name = target[5:] if target.startswith("call:") else self.fn_index.get(obj.get("fn_index"))
        defaults = self.params.get(name) if name else None
        if defaults is None or len(obj["data"]) >= len(defaults):
            return body
        obj["data"] = obj["data"] + defaults[len(obj["data"]):]
        return json.dumps(obj).encode("utf-8")

    async def __call__(self, scope, receive, send):
        target = (self._target(scope.get("path", ""))
                  if scope["type"] == "http" and scope.get("method") == "POST" else None)
        if target is None:
            return await self.app(scope, receive, send)
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # disconnected before the body came
                return await self.app(scope, _replay([message], receive), send)
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        new = self.fill(target, body)
        if new is not body:
            headers = [(k, v) for k, v in scope.get("headers", []) if k != b"content-length"]
            scope = {**scope, "headers": headers + [(b"content-length", str(len(new)).encode())]}
        msg = {"type": "http.request", "body": new, "more_body": False}
        return await self.app(scope, _replay([msg], receive), send)


def _replay(messages: list, receive):
    """A `receive` that gives `messages` first, then whatever the client sends next."""
    pending = list(messages)

    async def replay():
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def api_params(fns: dict) -> dict[str, list]:
    """{api name: [default of each parameter, None when required]} for plain functions."""
    import inspect

    out = {}
    for name, fn in fns.items():
        out[name] = [None if p.default is inspect.Parameter.empty else p.default
                     for p in inspect.signature(fn).parameters.values()]
    return out
