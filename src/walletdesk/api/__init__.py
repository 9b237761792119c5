"""FastAPI routers under /api/v1: parse, call one service, shape the reply."""
