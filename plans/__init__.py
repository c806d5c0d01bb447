"""Plans with constraint checks: the model understands and extracts, code solves and
verifies. ``spans`` is the interval arithmetic, ``calendar`` finds meeting slots,
``meetings`` orders a day of meetings with travel; each has a solver, a brute-force
oracle and a verifier that names every broken constraint."""
