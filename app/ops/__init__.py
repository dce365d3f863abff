"""Operations: readiness, structured logs with request ids, Prometheus metrics."""
