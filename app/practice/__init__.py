"""Practice anywhere: packs of questions for offline practice, answers synced from devices, the
FSRS review queue and progress, and the installable web app (manifest, service worker, offline
pages). Builds on exam (the bank, FSRS cards, readiness); see docs/practice.md."""
