"""GCN (Kipf & Welling, ICLR 2017) on Cora or CiteSeer with the public split, written out in full.

    python examples/gcn_planetoid.py --dataset cora --root ../shared/datasets/planetoid --runs 10

Paper: Cora 81.5, CiteSeer 70.3 (mean test accuracy). `npgnn train --model gcn` does the same.
"""
from __future__ import annotations

import argparse

import numpy as np

from npgnn.datasets import Planetoid
from npgnn.graph import normalize_features
from npgnn.models import GCN
from npgnn.optim import Adam
from npgnn.training import WindowStopping, fit_nodes


def run(dataset: str, root: str | None, seed: int, epochs: int = 200) -> float:
    data = Planetoid(dataset, root=root)
    graph = normalize_features(data.graph)              # row-normalised bag-of-words, still sparse
    model = GCN(data.num_features, data.num_classes, hidden_channels=16, dropout=0.5, seed=seed)
    # the paper's L2 regularisation: weight decay 5e-4 on the first layer only
    optimizer = Adam(model.param_groups(weight_decay=5e-4), lr=0.01)
    result = fit_nodes(model, graph, optimizer, epochs=epochs, stopping=WindowStopping(10),
                       desc=f"seed {seed}")
    print(f"seed {seed}: test accuracy {100 * result.test_accuracy:.2f}% after {result.epochs} epochs")
    return result.test_accuracy


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="cora", choices=["cora", "citeseer", "pubmed"])
    p.add_argument("--root", default=None, help="folder with the ind.<name>.* files")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--epochs", type=int, default=200)
    args = p.parse_args(argv)
    accs = [run(args.dataset, args.root, seed, args.epochs) for seed in range(args.runs)]
    print(f"GCN on {args.dataset}: {100 * np.mean(accs):.2f} ± {100 * np.std(accs):.2f}%")


if __name__ == "__main__":
    main()
