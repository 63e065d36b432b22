"""Fixed interface: ``from flows.risk import match_terms`` (checks outside the test suite call it).
The risk engine itself lives in flows.guardian.risk."""

from flows.guardian.risk import Finding, match_terms

__all__ = ["Finding", "match_terms"]
