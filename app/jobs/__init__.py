"""The scheduler: one process (`flask scheduler run`), a leader lock, thin job functions."""
