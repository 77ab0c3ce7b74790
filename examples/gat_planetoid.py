"""GAT (Veličković et al., ICLR 2018) on Cora or CiteSeer with the public split.

    python examples/gat_planetoid.py --dataset cora --root ../shared/datasets/planetoid --runs 10

Paper: Cora 83.0 ± 0.7, CiteSeer 72.5 ± 0.7. 8 heads × 8 hidden units with ELU, one output head,
dropout 0.6 on the inputs and on the attention coefficients, L2 5e-4, Adam lr 0.005, patience 100.
"""
from __future__ import annotations

import argparse

import numpy as np

from npgnn.datasets import Planetoid
from npgnn.graph import normalize_features
from npgnn.models import GAT
from npgnn.optim import Adam
from npgnn.training import PatienceStopping, fit_nodes


def run(dataset: str, root: str | None, seed: int, epochs: int = 1000) -> float:
    data = Planetoid(dataset, root=root)
    graph = normalize_features(data.graph)
    model = GAT(data.num_features, data.num_classes, hidden_channels=8, heads=8, dropout=0.6,
                seed=seed)
    optimizer = Adam(model.param_groups(weight_decay=5e-4), lr=0.005)
    # stop after 100 epochs without a better validation loss or accuracy; keep the best weights
    result = fit_nodes(model, graph, optimizer, epochs=epochs, stopping=PatienceStopping(100),
                       desc=f"seed {seed}")
    print(f"seed {seed}: test accuracy {100 * result.test_accuracy:.2f}% after {result.epochs} epochs")
    return result.test_accuracy


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="cora", choices=["cora", "citeseer", "pubmed"])
    p.add_argument("--root", default=None, help="folder with the ind.<name>.* files")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--epochs", type=int, default=1000)
    args = p.parse_args(argv)
    accs = [run(args.dataset, args.root, seed, args.epochs) for seed in range(args.runs)]
    print(f"GAT on {args.dataset}: {100 * np.mean(accs):.2f} ± {100 * np.std(accs):.2f}%")


if __name__ == "__main__":
    main()
