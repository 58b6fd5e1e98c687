"""QTI identifiers: our stable ids, made valid for QTI only where they must be."""

from __future__ import annotations

from lti_tool.content.interchange.qti import qti_id


def test_qti_identifiers_are_our_ids_with_a_prefix_only_when_they_start_with_a_digit():
    assert qti_id("q-first") == "q-first"
    assert qti_id("1-first") == "id-1-first"
