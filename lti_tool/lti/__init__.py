"""LTI 1.3 plumbing, the protocol adapter: the only package that imports pylti1p3. It returns data; ``web`` renders.

Login (``login``), id_token validation as plain functions (``validation``), the launch step that runs them
(``launch``), recording a validated launch (``recording``), launches already recorded and their one-time
hand-off tokens (``launches``), what views read (``context``), registrations (``config``), shared state and
nonce storage (``storage``), the tool's keys (``keys``), platform keys (``platform_keys``), the platforms'
origins for the headers (``platform_origins``), claim names (``claims``), role mapping (``roles``) and every
refusal (``errors``). Services: access tokens and authorised calls (``service_token``), the grade port's
decisions (``gradebook``), grade columns and scores
(``ags``), the grade outbox worker (``outbox``), the course roster (``nrps``) and deep-linking responses
(``deep_linking``).

One commit rule: functions flush and the caller (a view, a command, a worker loop) commits once, after the audit
entry where there is one. The named exceptions commit on their own, each with a comment saying why: what is
fetched from a platform and cached for every worker (``platform_keys``, ``service_token``, ``nrps``, the grade
columns ``ags`` remembers or forgets), the tool's first key (``keys.signing_key``), a login's state
(``storage.issue_state``), what a refused launch leaves behind (``validation``), the dynamic-registration invite's
claim and its release (``dynamic_registration``), and the outbox worker's claims and outcomes
(``outbox``).
"""
