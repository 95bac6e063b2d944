"""MLflow tracking and registry, the re-embed batch job and its evaluation gate, and what the
running service needs from MLflow."""
