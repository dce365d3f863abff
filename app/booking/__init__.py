"""Exam centres, slots, holds and bookings."""
