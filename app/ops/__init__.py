"""Operations: health and readiness, structured logs with request ids, Prometheus metrics."""
