"""Reliability checks on PostgreSQL: a crash soak (the serving process killed and restarted
under load) and a database outage (the shop's connections cut under load)."""
