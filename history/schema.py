"""The tables of the history database, as a list of migrations: the database's version is how many ran."""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES (0);
    CREATE TABLE drills (
        key TEXT PRIMARY KEY,
        plan TEXT NOT NULL,
        plan_title TEXT NOT NULL,
        incident_type TEXT NOT NULL,
        exercise TEXT NOT NULL,
        drill_date TEXT NOT NULL,
        branch TEXT NOT NULL,
        scope TEXT,
        scenario TEXT,
        participants TEXT NOT NULL,  -- JSON list
        evaluators TEXT NOT NULL,    -- JSON list
        first_recorded_at TEXT NOT NULL,
        scored_at TEXT NOT NULL,
        times_scored INTEGER NOT NULL,
        score REAL,
        rating TEXT,
        capped INTEGER NOT NULL,
        evaluated INTEGER NOT NULL,
        requirements INTEGER NOT NULL,
        not_evaluated TEXT NOT NULL,  -- JSON list of requirement ids
        scorecard_json TEXT NOT NULL,
        log_csv TEXT NOT NULL
    );
    CREATE INDEX drills_by_plan ON drills (plan, drill_date, first_recorded_at);
    CREATE TABLE ratings (
        drill TEXT NOT NULL REFERENCES drills (key) ON DELETE CASCADE,
        capability TEXT NOT NULL,
        name TEXT NOT NULL,
        performance REAL,
        proposed TEXT,
        override TEXT,
        justification TEXT,
        override_by TEXT,
        rating TEXT,
        PRIMARY KEY (drill, capability)
    );
    CREATE TABLE results (
        drill TEXT NOT NULL REFERENCES drills (key) ON DELETE CASCADE,
        requirement TEXT NOT NULL,
        title TEXT NOT NULL,
        capability TEXT NOT NULL,
        critical INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        credit REAL NOT NULL,
        latency REAL,
        deadline REAL,
        late_by REAL,
        PRIMARY KEY (drill, requirement)
    );
    CREATE INDEX results_by_requirement ON results (requirement, outcome);
    CREATE TABLE notes (
        drill TEXT NOT NULL REFERENCES drills (key) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        text TEXT NOT NULL,
        by TEXT,
        PRIMARY KEY (drill, seq)
    );
    CREATE TABLE actions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        drill TEXT NOT NULL REFERENCES drills (key) ON DELETE CASCADE,
        requirement TEXT NOT NULL,
        capability TEXT NOT NULL,
        issue TEXT NOT NULL,
        corrective_action TEXT NOT NULL DEFAULT '',
        capability_element TEXT NOT NULL DEFAULT '',
        organisation TEXT NOT NULL DEFAULT '',
        owner TEXT NOT NULL DEFAULT '',
        start TEXT,
        due TEXT,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        closed_at TEXT,
        closing_note TEXT,
        retest_drill TEXT REFERENCES drills (key),
        current INTEGER NOT NULL DEFAULT 1,  -- 0: the drill's latest scoring no longer finds the requirement failed
        UNIQUE (drill, requirement)
    );
    """,
    """
    CREATE TABLE live_secret (id INTEGER PRIMARY KEY CHECK (id = 1), secret TEXT NOT NULL);
    CREATE TABLE live_drills (
        key TEXT PRIMARY KEY,
        plan TEXT NOT NULL,           -- the plan as given: a built-in id or a file's absolute path
        scenario TEXT NOT NULL,
        plan_id TEXT NOT NULL,
        scenario_id TEXT NOT NULL,
        lang TEXT NOT NULL,
        out TEXT NOT NULL,            -- the folder the end of the drill writes into
        controller TEXT NOT NULL UNIQUE,  -- SHA-256 of the controller's code
        created_ms INTEGER NOT NULL,
        started_ms INTEGER,
        ended_ms INTEGER,
        result_json TEXT              -- the final scorecard's statuses and the files written, once ended
    );
    CREATE INDEX live_drills_open ON live_drills (plan_id, scenario_id, ended_ms);
    CREATE TABLE live_evaluators (
        drill TEXT NOT NULL REFERENCES live_drills (key) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        roles TEXT NOT NULL,          -- JSON list of role ids
        code TEXT NOT NULL UNIQUE,    -- SHA-256 of the evaluator's code
        PRIMARY KEY (drill, seq)
    );
    CREATE TABLE live_injects (
        drill TEXT NOT NULL REFERENCES live_drills (key) ON DELETE CASCADE,
        inject TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('delivered', 'skipped')),
        at_ms INTEGER NOT NULL,       -- server time of the controller's tap
        PRIMARY KEY (drill, inject)
    );
    CREATE TABLE live_pauses (
        drill TEXT NOT NULL REFERENCES live_drills (key) ON DELETE CASCADE,
        paused_ms INTEGER NOT NULL,
        resumed_ms INTEGER,
        PRIMARY KEY (drill, paused_ms)
    );
    CREATE TABLE live_stamps (
        drill TEXT NOT NULL REFERENCES live_drills (key) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        evaluator INTEGER NOT NULL,
        seq INTEGER NOT NULL,         -- order of receipt in the drill
        key TEXT NOT NULL,
        device_time INTEGER NOT NULL,
        offset_ms REAL NOT NULL,
        uncertainty_ms REAL NOT NULL,
        received_ms INTEGER NOT NULL,
        note TEXT,
        undoes TEXT,
        corrects TEXT,
        PRIMARY KEY (drill, client_id)
    );
    CREATE TABLE live_syncs (
        drill TEXT NOT NULL REFERENCES live_drills (key) ON DELETE CASCADE,
        evaluator INTEGER NOT NULL,
        t0 INTEGER NOT NULL,
        t1 INTEGER NOT NULL,
        t2 INTEGER NOT NULL
    );
    """,
)
"""Each entry brings the database from version ``i`` to ``i + 1``; add one to change the tables."""
SCHEMA_VERSION = len(MIGRATIONS)
EVALUATOR_FIELDS = ("corrective_action", "capability_element", "organisation", "owner", "start", "due")
"""The columns of an action the evaluator completes; re-scoring a drill keeps what they hold."""
