"""``drillsim live``: open or resume a drill in the history, print its links and codes, serve it."""

from __future__ import annotations

import copy
import ipaddress
import secrets
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import drillsim
from drillsim.spec import catalog
from drillsim.spec.errors import InputError

from .drill import default_evaluators, roles_named
from .store import LiveStore

LANGS = ("en", "zh")


def parse_evaluators(plan, given: Sequence[str]) -> list[tuple[str, list[str]]]:
    """``NAME=ROLE,ROLE`` options as (name, role ids); none given: one evaluator per kind of role at work."""
    if not given:
        return default_evaluators(plan)
    out: list[tuple[str, list[str]]] = []
    for text in given:
        name, eq, roles = text.partition("=")
        name = name.strip()
        if not eq or not name or not roles.strip():
            raise InputError("--evaluator", f"{text!r}: write NAME=ROLE,ROLE (e.g. guard-watcher=guard,teller)")
        if any(name == n for n, _ in out):
            raise InputError("--evaluator", f"two evaluators are named {name!r}: give each its own name")
        out.append((name, roles_named(plan, roles)))
    return out


def _plan_ref(ref: str, kind: str) -> str:
    """What the drill keeps of a plan or scenario: a built-in id as it is, a file as its absolute path."""
    path = catalog.resolve(ref, kind)
    return str(Path(path).resolve()) if Path(ref).exists() else ref


def _bind(host: str, port: int) -> socket.socket:
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        raise InputError("--host", f"{host!r} is not an address of this machine ({err.strerror})") from None
    family, kind, proto, _, address = info[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        raise InputError("--port" if err.errno == 98 else "--host",
                         f"cannot listen on {host}:{port}: {err.strerror}") from None
    sock.listen(128)
    return sock


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _log_config() -> dict:
    """uvicorn's logging, all of it on stderr (stdout holds only the lines docs/live.md names)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    for handler in config["handlers"].values():
        handler["stream"] = "ext://sys.stderr"
    return config


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, stopped by Ctrl-C or SIGTERM without raising the signal again afterwards, so
        the command ends as it should: the store closed, exit status 0."""

        def handle_exit(self, sig, frame) -> None:
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

    return Server


def serve(plan_ref: str, scenario_ref: str, db: Path | None, host: str, port: int, lang: str,
          evaluators: Sequence[str], new: bool, out: Path | None) -> None:
    import uvicorn

    from drillsim.history import default_path

    from .app import create_app

    if lang not in LANGS:
        raise InputError("--lang", f"unknown language {lang!r}; one of {', '.join(LANGS)}")
    plan = drillsim.load_plan(plan_ref)
    scenario = drillsim.load_scenario(scenario_ref, plan)
    chosen = parse_evaluators(plan, evaluators)
    store = LiveStore(default_path() if db is None else db)
    try:
        found = None if new else store.unfinished(plan.id, scenario.id)
        if found is None:
            key = secrets.token_hex(6)
            folder = (out or Path("out") / "live" / key).resolve()
            store.create(key, _plan_ref(plan_ref, "plan"), _plan_ref(scenario_ref, "scenario"), plan.id, scenario.id,
                         lang, str(folder), chosen)
        else:
            key = found["key"]
            if evaluators:
                print(f"warning: drill {key} is resumed with the evaluators it had; --evaluator is ignored "
                      "(give --new to start another drill)", file=sys.stderr, flush=True)
        sock = _bind(host, port)
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        base = f"http://{shown}:{bound}"
        if not _loopback(host):
            print(f"warning: listening on {host}: the drill is reachable from the network; anyone who has a link "
                  "can use it", file=sys.stderr, flush=True)
        lines = [f"drill: {key}" + (" (resumed)" if found is not None else ""),
                 f"controller: {base}/c/{store.code(key, 'controller')}"]
        for e in store.evaluators(key):
            names = ", ".join(plan.roles[r].name for r in e["roles"])
            lines.append(f"evaluator {e['name']}: {base}/e/{store.code(key, 'evaluator:' + str(e['seq']))}   ({names})")
        config = uvicorn.Config(create_app(store), log_config=_log_config(), lifespan="off",
                                timeout_graceful_shutdown=2)
        server = _server_class()(config)
        for sig in (signal.SIGINT, signal.SIGTERM):  # a stop before uvicorn takes the signals over still stops it
            signal.signal(sig, server.handle_exit)
        print("\n".join([*lines, "ready"]), flush=True)
        server.run(sockets=[sock])
    finally:
        store.close()
