"""Use cases, one module per job: filing, follow-up, case acts, measures, forwarding,
the identity vault, messages and the case file. Services take the session first and never
commit."""
