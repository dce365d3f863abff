"""Every /admin page: accounts, exam centres, staff, the audit log, the dashboard and the background jobs."""
