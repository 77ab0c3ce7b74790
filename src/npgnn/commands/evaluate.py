"""``npgnn eval``: score a saved model on a dataset."""
from __future__ import annotations

import argparse
import json


def add(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("eval", help="evaluate a model saved with npgnn train --save",
                              description="Load a saved model and report its accuracy and macro-F1.")
    p.add_argument("path", help="the model file")
    p.add_argument("--dataset", required=True, help="the dataset to score it on")
    p.add_argument("--root", help="directory with the raw files")
    p.add_argument("--metrics-out", help="write the scores as JSON to this file")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from npgnn.experiment import is_graph_task, load_graph_data, load_node_data
    from npgnn.io import load
    from npgnn.metrics import accuracy, macro_f1

    model = load(args.path)
    scores = {"model": args.path, "dataset": args.dataset}
    if is_graph_task(args.dataset):
        from npgnn.training.graph_level import batch_all
        from npgnn.autodiff.grad_mode import no_grad

        dataset = load_graph_data(args.dataset, args.root, progress=False)
        batch = batch_all(dataset)
        model.eval()
        with no_grad():
            logits = model(batch.x, batch, batch, batch.num_graphs).data
        y = np.asarray(batch.y).reshape(-1)
        scores["all"] = dict(accuracy=accuracy(logits, y), macro_f1=macro_f1(logits, y))
    else:
        from npgnn.training import predict_nodes

        graph, _ = load_node_data(args.dataset, args.root, progress=False)
        logits = predict_nodes(model, graph)
        for split in ("train", "val", "test"):
            mask = getattr(graph, f"{split}_mask")
            if mask is not None and mask.any():
                scores[split] = dict(accuracy=accuracy(logits[mask], graph.y[mask]),
                                     macro_f1=macro_f1(logits[mask], graph.y[mask]))
    for split, s in scores.items():
        if isinstance(s, dict):
            print(f"{split:>6}: accuracy {100 * s['accuracy']:.2f} %, macro-F1 {100 * s['macro_f1']:.2f} %")
    if args.metrics_out:
        with open(args.metrics_out, "w", encoding="utf-8") as f:
            json.dump(scores, f, indent=2)
    return 0
