"""Exam centres: the model, the look-ups and their administration."""
