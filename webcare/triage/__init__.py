"""Triage: what every inbound message is (language, personal data, profanity, sentiment, intent, register, priority).

The detectors are pure functions over text (no database), combined in :mod:`webcare.triage.analyse`; the ingestion
step in :mod:`webcare.triage.steps` runs them on each stored batch and writes the results.
"""
