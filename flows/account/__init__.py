"""Joining, settings, /forget, the welcome and the menu: everyone's account."""
