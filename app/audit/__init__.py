"""The audit log of staff and admin actions."""
