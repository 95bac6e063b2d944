"""MLflow tracking and registry, the re-embed batch job and its evaluation gate."""
