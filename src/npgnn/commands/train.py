"""``npgnn train``: a paper's model on a dataset, with a progress bar, a summary table, and
optionally a saved model, a plot and a JSON metrics file."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train", help="train a model on a dataset (paper hyperparameters by default)",
        description="Train GCN/GAT/SAGE/MLP on Cora, CiteSeer, PubMed or the karate club, or GIN "
                    "on a TU dataset (10-fold cross-validation). Unset options take the paper's "
                    "values for the model and dataset.",
    )
    p.add_argument("--dataset", default="karate",
                   help="cora | citeseer | pubmed | karate | a TU name such as MUTAG (default karate)")
    p.add_argument("--model", default="gcn", help="gcn | gat | sage | mlp (nodes), gin (graphs)")
    p.add_argument("--epochs", type=int, help="maximum epochs")
    p.add_argument("--lr", type=float, help="Adam learning rate")
    p.add_argument("--hidden", type=int, help="hidden width (per head for GAT)")
    p.add_argument("--dropout", type=float, help="dropout probability")
    p.add_argument("--weight-decay", type=float, help="L2 weight decay")
    p.add_argument("--stopping", choices=["window", "patience", "none"],
                   help="early stopping: GCN's window rule, GAT's patience rule, or none")
    p.add_argument("--patience", type=int, help="window (GCN rule) or patience (GAT rule), in epochs")
    p.add_argument("--batch-size", type=int, help="graphs per mini-batch (graph classification)")
    p.add_argument("--folds", type=int, help="cross-validation folds (graph classification)")
    p.add_argument("--protocol", choices=["gin", "holdout"], default="gin",
                   help="graph classification: pick the epoch on the test folds' mean (the GIN "
                        "paper's protocol) or on a held-out 10%% of each training fold")
    p.add_argument("--seed", type=int, default=0, help="seed of the first run (run k uses seed + k)")
    p.add_argument("--runs", type=int, default=1, help="independent runs (seeds) to average")
    p.add_argument("--root", help="directory with the raw files (or with planetoid/ and tu/ folders)")
    p.add_argument("--save", help="write the last run's model to this file (load with npgnn eval)")
    p.add_argument("--plot", help="write training curves and the hidden embedding to this PNG")
    p.add_argument("--metrics-out", help="write the metrics as JSON to this file")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def _table(metrics: dict[str, Any]) -> str:
    rows = [f"{'seed':>6} {'test acc':>9} {'val acc':>8} {'epochs':>8} {'seconds':>8}"]
    for r in metrics["runs"]:
        val = "-" if r["val_accuracy"] is None else f"{100 * r['val_accuracy']:.2f}"
        rows.append(f"{r['seed']:>6} {100 * r['test_accuracy']:>9.2f} {val:>8} {r['epochs']:>8} "
                    f"{r['seconds']:>8.2f}")
    rows.append(f"{metrics['model']} on {metrics['dataset']}: test accuracy "
                f"{100 * metrics['test_accuracy_mean']:.2f} ± {100 * metrics['test_accuracy_std']:.2f} "
                f"% over {len(metrics['runs'])} run(s)")
    if metrics["task"] == "graph":
        folds = "; ".join(f"seed {r['seed']}: {100 * r['test_accuracy']:.2f} ± "
                          f"{100 * r['test_accuracy_std']:.2f} over folds" for r in metrics["runs"])
        rows.append(f"(each run: {metrics['settings']['folds']}-fold cross-validation, protocol "
                    f"'{metrics['settings']['protocol']}'; the test accuracy is the mean over folds: "
                    f"{folds})")
    return "\n".join(rows)


def run(args: argparse.Namespace) -> int:
    from npgnn.experiment import TrainConfig
    from npgnn.experiment import run as run_experiment

    config = TrainConfig(
        dataset=args.dataset, model=args.model, epochs=args.epochs, lr=args.lr, hidden=args.hidden,
        dropout=args.dropout, weight_decay=args.weight_decay, stopping=args.stopping,
        patience=args.patience, batch_size=args.batch_size, folds=args.folds,
        protocol=args.protocol, seed=args.seed, runs=args.runs, root=args.root, save=args.save,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    metrics, details = run_experiment(config)
    print(_table(metrics))
    if args.save:
        print(f"saved the last run's model to {args.save}")
    if args.metrics_out:
        with open(args.metrics_out, "w", encoding="utf-8") as f:
            json.dump(metrics, f, indent=2)
        print(f"wrote metrics to {args.metrics_out}")
    if args.plot:
        from npgnn.commands.figures import training_figure

        path = training_figure(config, details, args.plot)
        print(f"wrote the plot to {path}")
    return 0
