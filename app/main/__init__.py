"""The home page, language choice, health check and the role home pages."""
