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

from npgnn.commands._args import (HelpFormatter, check_root, float_in, int_at_least,
                                  neighbour_counts, prepare_outputs, write_json)
from npgnn.commands._cluster import add_cluster_options, check_cluster_options, cluster_client
from npgnn.paper_defaults import describe


def _paper(text: str, key: str) -> str:
    """Help text ending with the paper's value of ``key`` for each model that uses it."""
    return f"{text} (default: the paper's: {describe(key)})"


def add(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train", help="train a model on a dataset (paper hyperparameters by default)",
        formatter_class=HelpFormatter,
        description="Train GCN/GAT/SAGE/MLP on Cora, CiteSeer, PubMed or the karate club, or GIN "
                    "on a TU dataset (10-fold cross-validation). Dataset names are case-blind. "
                    "Unset hyperparameters take the paper's value for the model (and dataset: "
                    "npgnn.paper_defaults), listed per model below.",
    )
    add_training_options(p, link=True)
    p.add_argument("--save", help="write the last run's model to this file (load with npgnn eval) "
                                  "(default: not saved)")
    p.add_argument("--plot", help="write training curves and the hidden embedding to this PNG "
                                  "(needs matplotlib: pip install 'npgnn[plot]') (default: no plot)")
    p.add_argument("--metrics-out", help="write the metrics as JSON to this file (default: not written)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_cluster_options(p)
    p.set_defaults(handler=run)


def add_training_options(p: argparse.ArgumentParser, *, link: bool = False) -> None:
    """The dataset, model and hyperparameter options of ``npgnn train`` (``link``: with the
    link-prediction ones), shared with ``npgnn sweep``, whose grid values they check."""
    p.add_argument("--dataset", default="karate",
                   help="cora | citeseer | pubmed | karate | a TU name such as MUTAG")
    p.add_argument("--model", default="gcn", type=str.lower,
                   choices=["gcn", "gat", "sage", "mlp", "gin", "gine", "gps", "gae", "vgae"],
                   help="gcn, gat, sage, mlp for node classification; gin, gine (GIN with edge "
                        "features), gps (graph transformer) for graphs; gae, vgae for link "
                        "prediction")
    if link:
        p.add_argument("--task", choices=["link"], default=None,
                       help="'link': link prediction with a graph auto-encoder (GAE/VGAE paper's "
                            "protocol, test AUC and AP) (default: node or graph classification, by "
                            "the dataset)")
        p.add_argument("--recon-loss", choices=["sampled", "dense"], default=None,
                       help="link prediction: 'sampled', PyG's loss with as many sampled negatives "
                            "as edges, or 'dense', the paper code's weighted loss over every pair "
                            "(O(N²)) (default: sampled)")
    p.add_argument("--epochs", type=int_at_least(1), help=_paper("maximum epochs", "epochs"))
    p.add_argument("--lr", type=float_in(0, low_open=True), help=_paper("Adam learning rate", "lr"))
    p.add_argument("--hidden", type=int_at_least(1),
                   help=_paper("hidden width (per head for GAT)", "hidden"))
    p.add_argument("--dropout", type=float_in(0, 1, high_open=True),
                   help=_paper("dropout probability", "dropout"))
    p.add_argument("--weight-decay", type=float_in(0), help=_paper("L2 weight decay", "weight_decay"))
    p.add_argument("--stopping", choices=["window", "patience", "none"],
                   help=_paper("node models' early stopping: GCN's window rule, GAT's patience "
                               "rule, or none", "stopping"))
    p.add_argument("--patience", type=int_at_least(1),
                   help=_paper("node models: window (GCN rule) or patience (GAT rule), in epochs",
                               "patience"))
    p.add_argument("--batch-size", type=int_at_least(1),
                   help=_paper("graph models: graphs per mini-batch; node models: seed nodes per "
                               "neighbour-sampled mini-batch (NeighborLoader; unset: full-batch)",
                               "batch_size"))
    p.add_argument("--num-neighbors", type=neighbour_counts,
                   help="node models with --batch-size: neighbours sampled per hop, comma-separated, "
                        "-1 for all (default: 15,10)")
    p.add_argument("--folds", type=int_at_least(2),
                   help=_paper("graph models: cross-validation folds", "folds"))
    p.add_argument("--protocol", choices=["gin", "holdout"],
                   help=_paper("graph models: pick the epoch on the test folds' mean (the GIN "
                               "paper's protocol, 'gin') or on a held-out 10%% of each training "
                               "fold ('holdout')", "protocol").replace("gin gin", "gin"))
    p.add_argument("--seed", type=int_at_least(0), default=0,
                   help="seed of the first run (run k uses seed + k)")
    p.add_argument("--runs", type=int_at_least(1), default=1, help="independent runs (seeds) to average")
    p.add_argument("--root", help="datasets folder: one holding planetoid/ and tu/ (as "
                                   "../shared/datasets), the raw files themselves, PyG's "
                                   "<root>/<Name>/raw, or a TU dataset's own folder "
                                   "(default: the cache, downloading on first use)")


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


def run(args: argparse.Namespace) -> int:

    if args.task == "link" or args.model in ("gae", "vgae"):
        from npgnn.commands import train_link

        if args.workers is not None or args.scheduler is not None:
            from npgnn.experiment import ConfigError

            raise ConfigError(f"{'workers' if args.workers is not None else 'scheduler'}: link "
                              f"prediction runs in this process only; drop --workers/--scheduler")

        given = {k: getattr(args, k) for k in ("epochs", "lr", "hidden", "dropout", "weight_decay",
                                               "stopping", "patience", "batch_size", "folds", "protocol")}
        return train_link.run(args, given)
    if args.recon_loss is not None:
        from npgnn.experiment import ConfigError

        raise ConfigError("recon_loss: used by link prediction only; drop --recon-loss or add --task link")

    from npgnn.experiment import TrainConfig, check_fit
    from npgnn.experiment import run as run_experiment

    config = TrainConfig(
        dataset=args.dataset, model=args.model, seed=args.seed, runs=args.runs, root=args.root,
        save=args.save, progress=not args.quiet and sys.stderr.isatty(),
        **{k: getattr(args, k) for k in ("epochs", "lr", "hidden", "dropout", "weight_decay",
                                        "stopping", "patience", "batch_size", "num_neighbors", "folds",
                                        "protocol")},
    )
    config.resolved()  # ConfigError (exit 2) for an option the model does not use
    from npgnn.dataset_lookup import resolve_dataset

    check_root(args.root)
    check_cluster_options(args)
    check_fit(resolve_dataset(args.dataset, args.root), args.model)
    outputs = prepare_outputs({"--save": args.save, "--metrics-out": args.metrics_out,
                               "--plot": args.plot})
    if args.plot:
        from npgnn.plot import require_matplotlib

        require_matplotlib("--plot")
    import numpy as np

    # A diverging run stops with one clear error (the loss check in the training loops); NumPy's
    # overflow warnings on the way there would only bury it.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), cluster_client(args) as client:
        metrics, details = run_experiment(config, client=client)
    print(_table(metrics))
    if args.save:
        print(f"saved the last run's model to {args.save}")
    if args.metrics_out:
        write_json(outputs["--metrics-out"], metrics, "--metrics-out")
        print(f"wrote metrics to {args.metrics_out}")
    if args.plot:
        from npgnn.commands.figures import training_figure

        path = training_figure(config, details, args.plot)
        print(f"wrote the plot to {path}")
    return 0
