"""Analyses over whole workspaces: each composes ingest, filters and mining into one call that
the CLI, the benchmarks and (later) the agent's tools share."""
