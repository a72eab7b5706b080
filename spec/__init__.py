"""The file formats drillsim reads, checked and loaded: plans, scenarios, programmes, experiments."""
