"""Risk assessment policy values (defaults; a force may change them). Plain data, no Django."""

from datetime import timedelta

SUPERVISION_DEADLINE = timedelta(hours=24)  # from the officer's submission to the supervisor's decision
RATIONALE_MIN_LENGTH = 20  # "at least a sentence", for the officer's judgement and every review decision
