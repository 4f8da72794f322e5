"""The `log-analyzer` command line: a thin layer over the library."""
