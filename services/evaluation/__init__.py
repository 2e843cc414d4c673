"""Evaluation: does the fine-tuned model beat its base on the job's held-out rows?

rows.py        which test rows, split into prompt and reference
metrics.py     ROUGE-L, chrF, reply shape (empty, cut off, repetitive); pure Python
scorecard.py   per-model figures, the scorecard and its verdict line
per_example.py the per-example table, sorted by the largest change
evaluations.py start, find, follow, cancel and list evaluations (local backend)
worker.py      the detached process that loads both models and scores them (heavy imports)
comparators.py what the tuned model is compared against (base, MODEL[:V], an endpoint)
remote.py      endpoints an evaluation calls (scoring contract or OpenAI-compatible), keys via env
judge.py       the pairwise judge, both orders, Wilson interval
through_endpoints.py  the Azure path: both models answer from endpoints
"""
