"""Renderers: the same data drawn for a terminal, for machines (JSON) and for reports."""
