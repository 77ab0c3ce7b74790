"""``npgnn eval``: score a saved model on a dataset.

Before the first forward pass the model's input width and number of classes are compared with
the dataset's; when they differ the error says which dataset the model was trained on (recorded
by ``npgnn train --save``) and which sizes each side has.
"""
from __future__ import annotations

import argparse
from typing import Any

from npgnn.commands._args import HelpFormatter


def add(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("eval", help="evaluate a model saved with npgnn train --save",
                              formatter_class=HelpFormatter,
                              description="Load a saved model and report its accuracy and macro-F1 "
                                          "on each split of a dataset (every graph, for a TU "
                                          "dataset). Dataset names are case-blind.")
    p.add_argument("path", help="the model file")
    p.add_argument("--dataset", required=True, help="the dataset to score it on")
    p.add_argument("--root", help="datasets folder, as for npgnn train (default: the cache)")
    p.add_argument("--metrics-out", help="write the scores as JSON to this file (default: not written)")
    p.set_defaults(handler=run)


def _trained_on(path: str) -> dict[str, Any]:
    """What ``npgnn train --save`` recorded about the training data ({} for other files)."""
    from npgnn.io import load_state_dict_file

    _, meta = load_state_dict_file(path, with_metadata=True)
    extra = meta.get("metadata") or {}
    trained_on = extra.get("trained_on") if isinstance(extra, dict) else None
    return trained_on if isinstance(trained_on, dict) else {}


def check_model_fits(model: Any, path: str, dataset: str, task: str, in_channels: int,
                     num_classes: int) -> None:
    """Raise ValueError when the model is for the other task (node vs graph classification), or
    its input width or class count differs from the dataset's."""
    from npgnn.experiment import GRAPH_MODELS

    model_task = "graph" if isinstance(model, tuple(GRAPH_MODELS.values())) else "node"
    if model_task != task:
        trained = _trained_on(path).get("dataset")
        origin = f" (trained on {trained!r})" if trained else ""
        raise ValueError(f"{path} holds a {type(model).__name__}{origin}, a {model_task}-"
                         f"classification model; {dataset!r} is a {task}-classification dataset")
    config = model.get_config() if hasattr(model, "get_config") else {}
    want_in, want_out = config.get("in_channels"), config.get("out_channels")
    if (want_in in (None, in_channels)) and (want_out in (None, num_classes)):
        return
    trained = _trained_on(path).get("dataset")
    origin = f"was trained on {trained!r} and " if trained else ""
    raise ValueError(
        f"{path} {origin}takes {want_in} input features and predicts {want_out} classes, but "
        f"{dataset!r} has {in_channels} features and {num_classes} classes; evaluate it on "
        f"{repr(trained) if trained else 'the dataset it was trained on'}, or train a model on "
        f"{dataset!r} (npgnn train --dataset {dataset})")


def run(args: argparse.Namespace) -> int:

    import numpy as np

    from npgnn.commands._args import check_root, prepare_outputs, write_json
    from npgnn.dataset_lookup import resolve_dataset
    from npgnn.experiment import load_graph_data, load_node_data
    from npgnn.io import load
    from npgnn.metrics import accuracy, macro_f1

    check_root(args.root)
    out = prepare_outputs({"--metrics-out": args.metrics_out}).get("--metrics-out")
    ref = resolve_dataset(args.dataset, args.root)
    model = load(args.path)
    scores: dict[str, Any] = {"model": args.path, "dataset": ref.name}
    if ref.task == "graph":
        from npgnn.autodiff.grad_mode import no_grad
        from npgnn.training.graph_level import batch_all

        dataset = load_graph_data(ref.name, args.root, progress=False)
        check_model_fits(model, args.path, ref.name, ref.task, dataset.num_features, dataset.num_classes)
        batch = batch_all(dataset)
        model.eval()
        with no_grad():
            logits = model(batch.x, batch, batch, batch.num_graphs).data
        y = np.asarray(batch.y).reshape(-1)
        scores["all"] = dict(accuracy=accuracy(logits, y), macro_f1=macro_f1(logits, y))
    else:
        from npgnn.training import predict_nodes

        graph, num_classes = load_node_data(ref.name, args.root, progress=False)
        check_model_fits(model, args.path, ref.name, ref.task, graph.x.shape[1], num_classes)
        logits = predict_nodes(model, graph)
        for split in ("train", "val", "test"):
            mask = getattr(graph, f"{split}_mask")
            if mask is not None and mask.any():
                scores[split] = dict(accuracy=accuracy(logits[mask], graph.y[mask]),
                                     macro_f1=macro_f1(logits[mask], graph.y[mask]))
    for split, s in scores.items():
        if isinstance(s, dict):
            print(f"{split:>6}: accuracy {100 * s['accuracy']:.2f} %, macro-F1 {100 * s['macro_f1']:.2f} %")
    if out is not None:
        write_json(out, scores, "--metrics-out")
    return 0
