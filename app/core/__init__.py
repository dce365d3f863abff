"""Cross-cutting pieces every feature uses: clock, database types, errors, i18n, URLs."""
