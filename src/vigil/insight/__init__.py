"""Insight: the performance pack, victim surveys, and lessons from domestic homicide and other reviews."""
