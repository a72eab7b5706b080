# The README's two commands: `make demo` and `make test`. Both set up first (scripts/setup.sh).
.PHONY: setup demo test lint bench

setup:
	@scripts/setup.sh

demo: setup
	.venv/bin/drillsim demo --out out/demo --force

test: setup
	.venv/bin/python -m pytest -n auto  # one worker per core (pytest-xdist)

lint: setup
	.venv/bin/ruff check .

bench: setup
	.venv/bin/python benchmarks/run.py
