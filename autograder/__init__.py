"""The instructor's side of the course: reference implementation, hidden checks,
the bank of known mistakes and the grading tools. Never shipped to learners."""
