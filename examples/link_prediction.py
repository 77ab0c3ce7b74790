"""Link prediction on Cora: a GCN encoder and a dot-product decoder (PyG's examples/link_pred.py).

    python examples/link_prediction.py --root ../shared/datasets/planetoid

The undirected edges are split 85 / 5 / 10 % (RandomLinkSplit); every epoch the training edges
are scored against as many fresh negative pairs with binary cross-entropy on logits; the test
ROC-AUC is reported at the epoch with the best validation AUC.
"""
from __future__ import annotations

import argparse

import numpy as np

import npgnn
from npgnn.datasets import Planetoid
from npgnn.graph import normalize_features
from npgnn.metrics import roc_auc
from npgnn.nn import GCNConv, Module
from npgnn.ops import log, mean, relu, sigmoid
from npgnn.optim import Adam
from npgnn.transforms import RandomLinkSplit
from npgnn.utils import negative_sampling


class Net(Module):
    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, seed: int):
        self.conv1 = GCNConv(in_channels, hidden_channels, rng=seed)
        self.conv2 = GCNConv(hidden_channels, out_channels, rng=seed + 1)

    def encode(self, x, edge_index):
        return self.conv2(relu(self.conv1(x, edge_index)), edge_index)

    def decode(self, z, edge_label_index):                      # one logit per pair
        return (z[edge_label_index[0]] * z[edge_label_index[1]]).sum(axis=-1)


def bce_with_logits(logits, labels):
    """mean(-y log σ(x) - (1 - y) log(1 - σ(x))), torch's BCEWithLogitsLoss."""
    p = sigmoid(logits)
    return -mean(labels * log(p + 1e-15) + (1 - labels) * log(1 - p + 1e-15))


def score(model: Net, split) -> float:
    model.eval()
    with npgnn.no_grad():
        z = model.encode(split.x, split)                        # the split's message edges
        return roc_auc(*(model.decode(z, split.edge_label_index).data[split.edge_label == c]
                         for c in (1, 0)))


def main(argv: list[str] | None = None) -> float:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", default=None, help="folder with the ind.cora.* files")
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    graph = normalize_features(Planetoid("cora", root=args.root).graph)
    train, val, test = RandomLinkSplit(num_val=0.05, num_test=0.1, is_undirected=True,
                                       add_negative_train_samples=False, rng=args.seed)(graph)
    model = Net(graph.num_features, 128, 64, seed=args.seed)
    optimizer = Adam(model.parameters(), lr=0.01)
    rng = np.random.default_rng(args.seed)
    best_val = final_test = 0.0
    for epoch in range(1, args.epochs + 1):
        model.train()
        optimizer.zero_grad()
        z = model.encode(train.x, train)
        # a new round of negative sampling every epoch, against every training edge
        neg = negative_sampling(train.edge_index, train.num_nodes,
                                train.edge_label_index.shape[1], rng=rng)
        pairs = np.concatenate([train.edge_label_index, neg], axis=1)
        labels = np.concatenate([train.edge_label, np.zeros(neg.shape[1], np.float32)])
        loss = bce_with_logits(model.decode(z, pairs), labels)
        loss.backward()
        optimizer.step()
        val_auc, test_auc = score(model, val), score(model, test)
        if val_auc > best_val:
            best_val, final_test = val_auc, test_auc
        print(f"epoch {epoch:03d}, loss {loss.item():.4f}, val AUC {val_auc:.4f}, test AUC {test_auc:.4f}")
    print(f"final test AUC (at the best validation AUC): {final_test:.4f}")
    return final_test


if __name__ == "__main__":
    main()
