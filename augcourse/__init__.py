"""The learner-side package: real photographs, plotting helpers and the visible checks
that the course notebooks import."""
