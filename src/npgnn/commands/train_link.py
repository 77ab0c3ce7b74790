"""``npgnn train --task link``: a graph auto-encoder (GAE or VGAE) on a node dataset's edges,
with the protocol of Kipf & Welling 2016 (``npgnn.link_prediction``), reporting test ROC-AUC
and average precision as mean ± std over ``--runs`` seeds."""
from __future__ import annotations

import argparse
import sys
from typing import Any

#: The node/graph-classification options link prediction does not use (refused, not ignored).
UNUSED = ("dropout", "weight_decay", "stopping", "patience", "batch_size", "folds", "protocol")


def _table(metrics: dict[str, Any]) -> str:
    rows = [f"{'seed':>6} {'test AUC':>9} {'test AP':>8} {'val AUC':>8} {'val AP':>7} {'seconds':>8}"]
    for r in metrics["runs"]:
        rows.append(f"{r['seed']:>6} {100 * r['test_auc']:>9.2f} {100 * r['test_ap']:>8.2f} "
                    f"{100 * r['val_auc']:>8.2f} {100 * r['val_ap']:>7.2f} {r['seconds']:>8.2f}")
    runs = len(metrics["runs"])
    rows.append(f"{metrics['model']} on {metrics['dataset']}: test AUC "
                f"{100 * metrics['test_auc_mean']:.2f} ± {100 * metrics['test_auc_std']:.2f}, AP "
                f"{100 * metrics['test_ap_mean']:.2f} ± {100 * metrics['test_ap_std']:.2f} % "
                f"(mean ± std over {runs} run{'s' if runs > 1 else ''})")
    return "\n".join(rows)


def run(args: argparse.Namespace, given: dict[str, Any]) -> int:
    """Run link prediction for the parsed ``npgnn train`` arguments; ``given`` holds the options
    the user set (the others are None, the paper's value)."""
    from npgnn.commands._args import check_root, prepare_outputs, write_json
    from npgnn.experiment import ConfigError
    from npgnn.link_prediction import LINK_MODELS, LinkConfig, run_link

    if args.recon_loss is None:
        args.recon_loss = "sampled"
    if args.model not in LINK_MODELS:
        raise ConfigError(f"model: --task link trains one of {list(LINK_MODELS)}, got {args.model!r}")
    wrong = [k for k in UNUSED if given.get(k) is not None]
    if wrong:
        raise ConfigError(f"{', '.join(wrong)}: not used by link prediction; drop "
                          f"{' and '.join('--' + k.replace('_', '-') for k in wrong)}")
    if args.plot:
        raise ConfigError("--plot: not available for link prediction yet")
    config = LinkConfig(dataset=args.dataset, model=args.model, epochs=given.get("epochs"),
                        lr=given.get("lr"), hidden=given.get("hidden"), loss=args.recon_loss,
                        seed=args.seed,
                        runs=args.runs, root=args.root, save=args.save,
                        progress=not args.quiet and sys.stderr.isatty())
    config.resolved()
    check_root(args.root)
    outputs = prepare_outputs({"--save": args.save, "--metrics-out": args.metrics_out})
    metrics, _ = run_link(config)
    print(_table(metrics))
    if args.save:
        print(f"saved the last run's encoder to {args.save}")
    if args.metrics_out:
        write_json(outputs["--metrics-out"], metrics, "--metrics-out")
        print(f"wrote metrics to {args.metrics_out}")
    return 0
