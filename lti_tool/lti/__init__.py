"""LTI 1.3 plumbing, the only package that imports pylti1p3.

Login and launch validation (``launch``), the database-backed tool configuration (``config``), shared
state and nonce storage (``storage``), the tool's keys (``keys``), platform keys (``platform_keys``),
claim names (``claims``), role mapping (``roles``) and every refusal (``errors``).
"""
