"""The event log, simulated or recorded at a real drill, and the reader of drill logs."""
