from xxgk_checks_helpers import balanced_2021  # noqa: F401  (fixture)
