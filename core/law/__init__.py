"""The law as data: DL 1327 and its Reglamento (state machines, business-day rules,
calendar, vocabulary). Imports nothing from the rest of core."""
