"""Subcommands of the ``npgnn`` CLI beyond ``demo``: train, eval, datasets (heavy imports inside handlers)."""
