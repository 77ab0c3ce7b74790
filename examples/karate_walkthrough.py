"""Zachary's karate club: a GCN and a GAT learn the two clubs from two labelled members.

    python examples/karate_walkthrough.py --plot karate.png

Each model sees the graph and one label per club (the two leaders, nodes 0 and 33); the plot
shows the GCN's hidden representation coloured by the true club, and the GAT's attention.
"""
from __future__ import annotations

import argparse

import numpy as np

import npgnn
from npgnn import plot
from npgnn.datasets import karate_club
from npgnn.models import GAT, GCN
from npgnn.optim import Adam
from npgnn.training import fit_nodes


def train(model_cls: type, graph: npgnn.Graph, seed: int) -> tuple[npgnn.nn.Module, float, float]:
    model = model_cls(graph.num_features, 2, seed=seed)
    result = fit_nodes(model, graph, Adam(model.param_groups(5e-4), lr=0.01), epochs=200,
                       progress=False)
    return model, result.train_accuracy, result.test_accuracy


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plot", default=None, help="write the figure to this PNG")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    graph = karate_club()      # 34 members, 78 friendships (156 directed edges), x = identity
    print(f"{graph.num_nodes} members, {graph.num_edges} directed edges, "
          f"{int(graph.train_mask.sum())} labelled")
    gcn, train_acc, test_acc = train(GCN, graph, args.seed)
    print(f"GCN: training accuracy {100 * train_acc:.0f}%, the other 32 members {100 * test_acc:.1f}%")
    gat, train_acc, test_acc = train(GAT, graph, args.seed)
    print(f"GAT: training accuracy {100 * train_acc:.0f}%, the other 32 members {100 * test_acc:.1f}%")

    gcn.eval(), gat.eval()
    with npgnn.no_grad():
        _, hidden = gcn(graph.x, graph, return_hidden=True)                 # (34, 16)
        _, (edges, alpha) = gat.conv1(graph.x, graph, return_attention_weights=True)
    xy = plot.pca_2d(hidden.data)
    gap = abs(xy[graph.y == 0, 0].mean() - xy[graph.y == 1, 0].mean()) / xy[:, 0].std()
    print(f"the clubs' centres lie {gap:.1f} standard deviations apart on the first principal axis")
    strength = np.where(edges[0] != edges[1], alpha.data.mean(axis=1), -1.0)  # skip self-loops
    for e in np.argsort(strength)[::-1][:3]:
        print(f"strongest attention: {edges[0, e]} -> {edges[1, e]} (alpha {alpha.data[e].mean():.2f})")
    if args.plot:
        fig, (left, right) = plot.new_figure(2)
        plot.plot_embedding(hidden.data, graph.y, left, title="GCN hidden layer (PCA), by club")
        plot.plot_attention(edges, alpha.data, graph.y, right)
        print(f"wrote {plot.save_figure(fig, args.plot)}")


if __name__ == "__main__":
    main()
