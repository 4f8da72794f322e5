"""The agent layer: typed tools over the analysis, the model loop, redaction, grounding, MCP."""
