"""``python -m npgnn ...``: the same command line as ``npgnn`` (see :mod:`npgnn.cli`)."""
from npgnn.cli import main

raise SystemExit(main())
