"""``npgnn sweep``: a hyperparameter grid, every configuration trained with the same seeds (and
folds), ranked by validation accuracy; in this process, or on Dask with ``--workers`` /
``--scheduler``.

Every grid key and value is checked with the very type and range ``npgnn train`` gives the
option, and every configuration as ``npgnn train`` checks one, before any data is loaded.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from npgnn.commands._args import HelpFormatter, check_root, prepare_outputs, write_json
from npgnn.commands._cluster import add_cluster_options, check_cluster_options, cluster_client


def add(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sweep", help="train every configuration of a hyperparameter grid and rank them",
        formatter_class=HelpFormatter,
        description="Train the Cartesian product of --grid (each configuration x seed x fold "
                    "one task), rank the configurations by validation accuracy and print the "
                    "table; the other options are npgnn train's, fixed for every configuration. "
                    "Graph models use --protocol holdout (each fold's epoch picked on held-out "
                    "training graphs): the GIN protocol picks on the test folds.",
    )
    p.add_argument("--grid", nargs="+", required=True, metavar="KEY=V1,V2",
                   help="the values to try per setting, e.g. --grid lr=0.01,0.005 hidden=16,32; "
                        "keys: epochs, lr, hidden, dropout, weight_decay, stopping, patience, "
                        "batch_size (dashes allowed)")
    from npgnn.commands.train import add_training_options

    add_training_options(p)
    p.add_argument("--metrics-out", help="write every configuration's metrics and the ranking as "
                                         "JSON to this file (default: not written)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_cluster_options(p)
    p.set_defaults(handler=run, parser=p)


def parse_grid(items: list[str], parser: argparse.ArgumentParser) -> dict[str, list[Any]]:
    """``["lr=0.01,0.005", "hidden=16,32"]`` -> ``{"lr": [0.01, 0.005], "hidden": [16, 32]}``,
    each value converted and range-checked by the type (and choices) of the matching
    ``npgnn train`` option.

    Raises:
        ConfigError: a malformed item, an unknown or repeated key, or a bad value (named).
    """
    from npgnn.experiment import ConfigError
    from npgnn.sweep import SWEEP_KEYS

    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key or not values.strip():
            raise ConfigError(f"grid: expected KEY=V1,V2,... (e.g. lr=0.01,0.005), got {item!r}")
        if key not in SWEEP_KEYS:
            raise ConfigError(f"grid: unknown key {key!r}; expected one of {list(SWEEP_KEYS)}")
        if key in grid:
            raise ConfigError(f"grid {key}: given twice; list all its values in one KEY=V1,V2")
        action = parser._option_string_actions["--" + key.replace("_", "-")]
        converted = []
        for text in values.split(","):
            text = text.strip()
            try:
                value = action.type(text) if action.type else text
            except argparse.ArgumentTypeError as err:
                raise ConfigError(f"grid {key}: {err}") from None
            if action.choices is not None and value not in action.choices:
                raise ConfigError(f"grid {key}: expected one of {list(action.choices)}, got {text!r}")
            converted.append(value)
        grid[key] = converted
    return grid


def run(args: argparse.Namespace) -> int:
    from npgnn.experiment import GRAPH_MODELS, NODE_MODELS, ConfigError, TrainConfig, check_fit
    from npgnn.sweep import run_sweep, sweep_table

    if args.model not in NODE_MODELS and args.model not in GRAPH_MODELS:
        raise ConfigError(f"model: a sweep trains node or graph classifiers, not {args.model!r} "
                          f"(link prediction: npgnn train --task link)")
    grid = parse_grid(args.grid, args.parser)
    config = TrainConfig(
        dataset=args.dataset, model=args.model, seed=args.seed, runs=args.runs, root=args.root,
        progress=not args.quiet and sys.stderr.isatty(),
        **{k: getattr(args, k) for k in ("epochs", "lr", "hidden", "dropout", "weight_decay",
                                        "stopping", "patience", "batch_size", "num_neighbors", "folds",
                                        "protocol")},
    )
    from npgnn.sweep import grid_configs, sweep_base

    grid_configs(sweep_base(config), grid)  # ConfigError (exit 2) before anything is loaded
    from npgnn.dataset_lookup import resolve_dataset

    check_root(args.root)
    check_cluster_options(args)
    check_fit(resolve_dataset(args.dataset, args.root), args.model)
    outputs = prepare_outputs({"--metrics-out": args.metrics_out})
    import numpy as np

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), cluster_client(args) as client:
        result = run_sweep(config, grid, client=client)
    print(sweep_table(result))
    if args.metrics_out:
        write_json(outputs["--metrics-out"], result, "--metrics-out")
        print(f"wrote the sweep's metrics to {args.metrics_out}")
    return 0
