"""One module per `xxgk` command; each defines register(subparsers)."""
