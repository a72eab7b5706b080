"""The live drill console: controllers play the MSEL, evaluators stamp what they see (docs/live.md)."""
