"""Evaluation: does the fine-tuned model beat its base on the job's held-out rows?

rows.py        which test rows, split into prompt and reference
metrics.py     ROUGE-L, chrF, reply shape (empty, cut off, repetitive); pure Python
scorecard.py   per-model figures, the scorecard and its verdict line
per_example.py the per-example table, sorted by the largest change
evaluations.py start, find, follow, cancel and list evaluations (local backend)
worker.py      the detached process that loads both models and scores them (heavy imports)
"""
