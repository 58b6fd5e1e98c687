"""Personal data kept to purpose: the retention purge and data-subject export and erasure.

Plain Python over a SQLAlchemy session (no Flask, no pylti1p3), so the commands, a scheduler or a test can run it.
What each personal field is for and how long it is kept: ``docs/privacy.md``.
"""
