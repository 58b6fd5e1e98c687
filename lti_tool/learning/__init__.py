"""Learning domain: progress and completion, quiz attempts scored on the server, editions, grade decisions.

Plain Python over a SQLAlchemy session: no Flask, no pylti1p3.
"""
