"""Django's PostgreSQL backend with a health check that costs no round trip and
plans kept only for marked statements (see base)."""
