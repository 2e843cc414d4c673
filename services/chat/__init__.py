"""Talking to endpoints: the scoring-contract HTTP client, test prompts, conversation export.

Shared by both backends: a local endpoint and an Azure managed online endpoint are both a
ScoringTarget (URI + key + headers) to this package.
"""
