"""LTI 1.3 plumbing, the only package that imports pylti1p3.

Login and launch validation (``launch``), the database-backed tool configuration (``config``), shared
state and nonce storage (``storage``), the tool's keys (``keys``), platform keys (``platform_keys``),
claim names (``claims``), role mapping (``roles``) and every refusal (``errors``). Services: access tokens and
authorised calls (``service_token``), the grade port's decisions (``gradebook``), grade columns and scores
(``ags``), the grade outbox worker (``outbox``), the course roster (``nrps``) and deep-linking responses
(``deep_linking``).
"""
