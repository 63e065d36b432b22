"""Migrant parents: the weekly message, tips, calls and visits."""
