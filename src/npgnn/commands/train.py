"""``npgnn train``: a paper's model on a dataset, with a progress bar, a summary table, and
optionally a saved model, a plot and a JSON metrics file.

Everything that could make a finished run fail is checked before the data is loaded: every
option's range (while parsing), whether the options fit the model, the dataset's name, and
whether ``--save``, ``--metrics-out`` and ``--plot`` can be written (and matplotlib imported).
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from npgnn.commands._args import check_root, float_in, int_at_least, prepare_outputs


class _Paper:
    """The default of options the paper's settings fill in; ``--help`` shows it as "paper"."""

    def __repr__(self) -> str:
        return "paper"


PAPER = _Paper()


def add(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train", help="train a model on a dataset (paper hyperparameters by default)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Train GCN/GAT/SAGE/MLP on Cora, CiteSeer, PubMed or the karate club, or GIN "
                    "on a TU dataset (10-fold cross-validation). Dataset names are case-blind. "
                    "Options shown with 'default: paper' take the paper's value for the model "
                    "and dataset (npgnn.experiment.PAPER_DEFAULTS).",
    )
    p.add_argument("--dataset", default="karate",
                   help="cora | citeseer | pubmed | karate | a TU name such as MUTAG")
    p.add_argument("--model", default="gcn", type=str.lower,
                   choices=["gcn", "gat", "sage", "mlp", "gin"],
                   help="gcn, gat, sage, mlp for node classification; gin for graphs")
    p.add_argument("--epochs", type=int_at_least(1), default=PAPER, help="maximum epochs")
    p.add_argument("--lr", type=float_in(0, low_open=True), default=PAPER, help="Adam learning rate")
    p.add_argument("--hidden", type=int_at_least(1), default=PAPER, help="hidden width (per head for GAT)")
    p.add_argument("--dropout", type=float_in(0, 1, high_open=True), default=PAPER,
                   help="dropout probability")
    p.add_argument("--weight-decay", type=float_in(0), default=PAPER, help="L2 weight decay")
    p.add_argument("--stopping", choices=["window", "patience", "none"], default=PAPER,
                   help="node models' early stopping: GCN's window rule, GAT's patience rule, or none")
    p.add_argument("--patience", type=int_at_least(1), default=PAPER,
                   help="node models: window (GCN rule) or patience (GAT rule), in epochs")
    p.add_argument("--batch-size", type=int_at_least(1), default=PAPER,
                   help="graphs per mini-batch (graph classification)")
    p.add_argument("--folds", type=int_at_least(2), default=PAPER,
                   help="cross-validation folds (graph classification)")
    p.add_argument("--protocol", choices=["gin", "holdout"], default=PAPER,
                   help="graph classification: pick the epoch on the test folds' mean (the GIN "
                        "paper's protocol, 'gin') or on a held-out 10%% of each training fold")
    p.add_argument("--seed", type=int_at_least(0), default=0,
                   help="seed of the first run (run k uses seed + k)")
    p.add_argument("--runs", type=int_at_least(1), default=1, help="independent runs (seeds) to average")
    p.add_argument("--root", help="datasets folder: one holding planetoid/ and tu/ (as "
                                   "../shared/datasets), the raw files themselves, PyG's "
                                   "<root>/<Name>/raw, or a TU dataset's own folder; "
                                   "unset: the cache, downloading on first use")
    p.add_argument("--save", help="write the last run's model to this file (load with npgnn eval)")
    p.add_argument("--plot", help="write training curves and the hidden embedding to this PNG "
                                  "(needs matplotlib: pip install 'npgnn[plot]')")
    p.add_argument("--metrics-out", help="write the metrics as JSON to this file")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def _table(metrics: dict[str, Any]) -> str:
    rows = [f"{'seed':>6} {'test acc':>9} {'val acc':>8} {'epochs':>8} {'seconds':>8}"]
    for r in metrics["runs"]:
        val = "-" if r["val_accuracy"] is None else f"{100 * r['val_accuracy']:.2f}"
        rows.append(f"{r['seed']:>6} {100 * r['test_accuracy']:>9.2f} {val:>8} {r['epochs']:>8} "
                    f"{r['seconds']:>8.2f}")
    runs = len(metrics["runs"])
    if metrics["task"] == "graph":
        folds = metrics["settings"]["folds"]
        over = f"{folds} folds" + (f" x {runs} runs" if runs > 1 else "")
        rows.append(f"(each run: {folds}-fold cross-validation, protocol "
                    f"'{metrics['settings']['protocol']}'; a run's test accuracy is its mean over "
                    f"the folds)")
    else:
        over = f"{runs} run" + ("s" if runs > 1 else "")
    rows.append(f"{metrics['model']} on {metrics['dataset']}: test accuracy "
                f"{100 * metrics['test_accuracy_mean']:.2f} ± {100 * metrics['test_accuracy_std']:.2f} "
                f"% (mean ± std over {over})")
    return "\n".join(rows)


def _given(args: argparse.Namespace, key: str) -> Any:
    value = getattr(args, key)
    return None if value is PAPER else value


def run(args: argparse.Namespace) -> int:
    import json

    from npgnn.experiment import TrainConfig, check_fit
    from npgnn.experiment import run as run_experiment

    config = TrainConfig(
        dataset=args.dataset, model=args.model, seed=args.seed, runs=args.runs, root=args.root,
        save=args.save, progress=not args.quiet and sys.stderr.isatty(),
        **{k: _given(args, k) for k in ("epochs", "lr", "hidden", "dropout", "weight_decay",
                                        "stopping", "patience", "batch_size", "folds", "protocol")},
    )
    config.resolved()  # ConfigError (exit 2) for an option the model does not use
    from npgnn.dataset_lookup import resolve_dataset

    check_root(args.root)
    check_fit(resolve_dataset(args.dataset, args.root), args.model)
    outputs = prepare_outputs({"--save": args.save, "--metrics-out": args.metrics_out,
                               "--plot": args.plot})
    if args.plot:
        from npgnn.plot import require_matplotlib

        require_matplotlib("--plot")
    metrics, details = run_experiment(config)
    print(_table(metrics))
    if args.save:
        print(f"saved the last run's model to {args.save}")
    if args.metrics_out:
        outputs["--metrics-out"].write_text(json.dumps(metrics, indent=2), encoding="utf-8")
        print(f"wrote metrics to {args.metrics_out}")
    if args.plot:
        from npgnn.commands.figures import training_figure

        path = training_figure(config, details, args.plot)
        print(f"wrote the plot to {path}")
    return 0
