"""Template mining: from messages to templates (`masking`, `values`, `templates`), final
template ids for every record (`template_ids`), and from error records to error groups with
human labels (`groups`, `labels`)."""

# What the mining of this version makes of a message (masked forms, templates, error group
# keys). Analyses kept in the on-disk index name it, so a change is never mixed with entries
# mined the old way: bump it when masking or mining changes.
MINING_VERSION = 3  # 3: lone surrogates of JSON text replaced
