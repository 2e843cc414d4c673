"""The Setup wizard's steps: one module per step, each `render(...) -> bool` (step valid)."""
