"""What is right and what is wrong, per exercise: the reference (docs/spec.md), the keys of
the multiple-choice questions, the bank of known mistakes, and sample classes built from them."""
