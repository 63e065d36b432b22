"""Caseworkers and supervisors: alerts and their ladder, the desk, case files, family files,
the digest, staff."""
