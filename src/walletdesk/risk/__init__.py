"""Risk: every money movement is assessed before it posts.

    models.py       Movement, Action, RuleHit, Decision (what goes in, what comes out)
    features.py     the named features rules may use, computed from the movement and its history
    history.py      what the feature code asks of the past (`History`, `Party`, `ListProbe`)
    memory.py       an in-memory history store (replay, scenarios, fast tests)
    expressions.py  the condition language (``amount > 3 * sender_avg_out_90d``), compiled
    rulefile.py     reading a YAML rule file with line numbers, refusing anything unexpected
    ruleset.py      a compiled rule set: score, action, hits
    engine.py       `assess` (fail closed) and `record_movement`, inside the caller's unit of work
    rules_admin.py  stored rule-set versions: save, roll back, diff (supervisors)
    lists.py        block lists and per-customer snoozes, audited
    decisions.py    reading decisions back, for agents and reviewers
    replay.py, scenarios.py   backtests over PaySim and generated traffic

Nothing here imports SQLAlchemy: storage is reached through the unit of work.
"""
