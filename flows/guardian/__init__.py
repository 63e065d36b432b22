"""Guardians (grandparents): check-ins, 🆘, the risk engine, and the words passed on to the
caseworker."""
