"""The live drill console's web application: the controller's and the evaluators' pages and their JSON API.

Every drill in the database is reached by a code only: a wrong code, or a code of the other kind,
is 404. Every POST needs the page's CSRF token and, if the browser sends an Origin, this server's.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import shutil
import tempfile
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from jinja2 import Environment, FunctionLoader, StrictUndefined
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from .session import Refused, Session
from .store import LiveStore, now_ms
from .words import words as page_words

STATIC = {"live.css": "text/css", "controller.js": "text/javascript", "evaluator.js": "text/javascript",
          "common.js": "text/javascript"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "frame-ancestors 'none'")


def _source(name: str) -> str:
    return files("drillsim.live").joinpath("templates", name).read_text("utf-8")


@cache
def environment() -> Environment:
    """As reports/templating.py's: escaping on, a missing name an error."""
    return Environment(loader=FunctionLoader(_source), autoescape=True, undefined=StrictUndefined)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InjectBody(Body):
    inject: str = Field(max_length=200)


class SyncBody(Body):
    t0: int


class StampBody(Body):
    client_id: str = Field(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")
    key: str = Field(max_length=300)
    device_time: int
    offset_ms: float = 0.0
    uncertainty_ms: float = Field(0.0, ge=0)
    note: str | None = Field(None, max_length=500)
    undoes: str | None = Field(None, max_length=100)
    corrects: str | None = Field(None, max_length=100)


class Console:
    """The sessions of the drills in one database, opened as their codes are used."""

    def __init__(self, store: LiveStore):
        self.store = store
        self.sessions: dict[str, Session] = {}

    def session(self, code: str, kind: str) -> tuple[Session, int | None]:
        found = self.store.by_code(code)
        if found is None or found[1] != kind:
            raise HTTPException(404, "not found")
        key, _, seq = found
        with self.store.lock:  # one session per drill, whichever thread asks first
            if key not in self.sessions:
                self.sessions[key] = Session(self.store, key)
        return self.sessions[key], seq


def create_app(store: LiveStore) -> FastAPI:
    app = FastAPI(title="drillsim live", docs_url=None, redoc_url=None, openapi_url=None)
    console = Console(store)
    app.state.console = console

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(Refused)
    async def refused(request: Request, err: Refused):
        return JSONResponse({"detail": str(err)}, status_code=err.status)

    def guard(request: Request, code: str) -> None:
        """A POST's CSRF token and Origin, or 403."""
        token = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(token.encode(), store.csrf(code).encode()):
            raise HTTPException(403, "missing or wrong X-CSRF-Token: reload the page")
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{request.headers.get('host', '')}":
            raise HTTPException(403, f"cross-site request from {origin} refused")

    def page(name: str, session: Session, code: str, **context: Any) -> HTMLResponse:
        words = page_words(session.lang)
        html = environment().get_template(name).render(
            session=session, plan=session.plan, scenario=session.scenario, code=code, token=store.csrf(code),
            lang=session.lang, words=words, **context)
        return HTMLResponse(html)

    def controller_view(session: Session, code: str) -> dict:
        """The state, with the links of the result (the AAR, the exported sheet) once the drill has ended."""
        state = session.state()
        if "result" in state:
            state = {**state, "result": {**state["result"], "aar": f"/api/c/{code}/aar.html",
                                         "sheet": f"/api/c/{code}/sheet.xlsx"}}
        return state

    @app.get("/healthz")
    def healthz() -> dict:
        return {"ok": True}

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC:
            raise HTTPException(404, "not found")
        return Response(files("drillsim.live").joinpath("static", name).read_bytes(), media_type=STATIC[name])

    # The controller ---------------------------------------------------------------------------------

    @app.get("/c/{code}", response_class=HTMLResponse)
    def controller_page(code: str) -> HTMLResponse:
        session, _ = console.session(code, "controller")
        state = controller_view(session, code)
        requirements = {r.id: r for r in session.plan.requirements}
        return page("controller.html.j2", session, code, state=state, lines=session.lines,
                    requirements=requirements, evaluators=session.evaluators)

    @app.get("/api/c/{code}/state")
    def controller_state(code: str) -> dict:
        return controller_view(console.session(code, "controller")[0], code)

    def act(request: Request, code: str, what: str, inject: str | None = None) -> dict:
        session, _ = console.session(code, "controller")
        guard(request, code)
        if inject is not None:
            session.mark(inject, what)
        else:
            getattr(session, what)()
        return controller_view(session, code)

    @app.post("/api/c/{code}/start")
    def start(request: Request, code: str) -> dict:
        return act(request, code, "start")

    @app.post("/api/c/{code}/pause")
    def pause(request: Request, code: str) -> dict:
        return act(request, code, "pause")

    @app.post("/api/c/{code}/resume")
    def resume(request: Request, code: str) -> dict:
        return act(request, code, "resume")

    @app.post("/api/c/{code}/end")
    def end(request: Request, code: str) -> dict:
        return act(request, code, "end")

    @app.post("/api/c/{code}/deliver")
    def deliver(request: Request, code: str, body: InjectBody) -> dict:
        return act(request, code, "delivered", body.inject)

    @app.post("/api/c/{code}/skip")
    def skip(request: Request, code: str, body: InjectBody) -> dict:
        return act(request, code, "skipped", body.inject)

    @app.get("/api/c/{code}/events")
    async def events(request: Request, code: str) -> StreamingResponse:
        session, _ = console.session(code, "controller")

        async def stream():
            sent, last = None, 0.0
            while True:
                state = controller_view(session, code)
                text = json.dumps({**state, "clock_s": 0}, ensure_ascii=False, sort_keys=True)
                loop = asyncio.get_running_loop().time()
                if text != sent or loop - last > 5:
                    sent, last = text, loop
                    yield f"event: state\ndata: {json.dumps(state, ensure_ascii=False)}\n\n"
                if state["state"] == "ended" or await request.is_disconnected():
                    return
                await asyncio.sleep(0.5)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})

    @app.get("/api/c/{code}/sheet.xlsx")
    def sheet(code: str) -> FileResponse:
        session, _ = console.session(code, "controller")
        if session.state_name() == "ended":
            return FileResponse(session.out / "live-log.xlsx", filename=f"live-{session.key}.xlsx")
        folder = Path(tempfile.mkdtemp(prefix="drillsim-live-"))  # one per download: two at once do not mix
        path = session.export(folder / "live-log.xlsx")
        return FileResponse(path, filename=f"live-{session.key}.xlsx",
                            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))

    @app.get("/api/c/{code}/aar.html")
    def aar(code: str) -> FileResponse:
        session, _ = console.session(code, "controller")
        path = session.out / "aar.html"
        if session.state_name() != "ended" or not path.exists():
            raise HTTPException(404, "the After-Action Report is written when the drill ends")
        return FileResponse(path, media_type="text/html")

    # The evaluators ---------------------------------------------------------------------------------

    @app.get("/e/{code}", response_class=HTMLResponse)
    def evaluator_page(code: str) -> HTMLResponse:
        session, seq = console.session(code, "evaluator")
        return page("evaluator.html.j2", session, code, me=session.evaluator_state(seq))

    @app.get("/api/e/{code}/state")
    def evaluator_state(code: str) -> dict:
        session, seq = console.session(code, "evaluator")
        return session.evaluator_state(seq)

    @app.post("/api/e/{code}/sync")
    def sync(request: Request, code: str, body: SyncBody) -> dict:
        t1 = now_ms()
        session, seq = console.session(code, "evaluator")
        guard(request, code)
        t2 = now_ms()
        store.sync(session.key, seq, body.t0, t1, t2)
        return {"t1": t1, "t2": t2}

    @app.post("/api/e/{code}/stamps")
    def stamps(request: Request, code: str, body: StampBody) -> dict:
        session, seq = console.session(code, "evaluator")
        guard(request, code)
        return session.add_stamp(seq, body.model_dump())

    return app


def app_for(db: str | Path) -> FastAPI:
    """The application over the live drills of the history at ``db``."""
    return create_app(LiveStore(db))
