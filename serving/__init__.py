"""The FastAPI app: routes, schemas, auth dependency, error handlers."""
