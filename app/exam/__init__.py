"""The question bank, trial exams, practice and statistics."""
