"""Answer-quality evals: real models, the bundled incidents, keyword-scored answers."""
