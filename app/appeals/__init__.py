"""Appeals and complaints with statutory working-day deadlines."""
