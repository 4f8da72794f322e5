"""Template mining: from messages to templates (`masking`, `templates`), and from error records
to error groups with human labels (`groups`, `labels`)."""
