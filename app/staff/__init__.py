"""Exam-centre staff: weekly templates, closures, capacity, roster, check-in, results, dashboards."""
