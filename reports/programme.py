"""The year's programme as a calendar page and a JSON table, with each drill's score and report."""

from __future__ import annotations

import json
from pathlib import Path

from drillsim.spec.programme import Programme

from .templating import render


def write_programme(programme: Programme, rows: list[dict], out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    table = out / "programme.json"
    table.write_text(json.dumps({"schema": "drillsim.programme-run/1", "programme": programme.id,
                                 "title": programme.title, "items": rows}, ensure_ascii=False, indent=2) + "\n",
                     encoding="utf-8")
    page = out / "programme.html"
    page.write_text(render("programme.html.j2", programme=programme, rows=rows), encoding="utf-8")
    return {"table": table, "page": page}
