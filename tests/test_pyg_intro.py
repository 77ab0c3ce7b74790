"""PyG's introduction ("Introduction by Example") and its graph-classification colab, ported by
changing the import lines only (numpy arrays where the tutorial builds torch tensors)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

# --- the import lines: torch_geometric / torch -> npgnn --------------------------------------
import npgnn as torch
import npgnn.nn.functional as F                         # torch.nn.functional
import npgnn.transforms as T                           # torch_geometric.transforms
from npgnn.data import Data                            # torch_geometric.data
from npgnn.datasets import Planetoid, TUDataset        # torch_geometric.datasets
from npgnn.loader import DataLoader                    # torch_geometric.loader
from npgnn.nn import GCNConv, Linear, Module, global_mean_pool  # torch_geometric.nn / torch.nn


@pytest.fixture(autouse=True)
def one_blas_thread():
    """Tiny matmuls run 10x slower when OpenBLAS spreads them over busy cores (a CI box);
    the tutorial's code runs unchanged inside."""
    from npgnn.kernels.threads import blas_threads

    with blas_threads(1):
        yield


@pytest.fixture(scope="module")
def shared_datasets_dir() -> str:
    """../shared/datasets beside the project's root, or $NPGNN_SHARED_DATASETS."""
    root = Path(os.environ.get("NPGNN_SHARED_DATASETS",
                               Path(__file__).resolve().parents[1].parent / "shared" / "datasets"))
    if not (root / "planetoid" / "ind.cora.x").is_file() or not (root / "tu" / "MUTAG").is_dir():
        pytest.skip(f"shared datasets not found in {root}")
    return str(root)


def test_data_handling_of_graphs():
    edge_index = np.array([[0, 1, 1, 2], [1, 0, 2, 1]], dtype=np.int64)
    x = np.array([[-1], [0], [1]], dtype=np.float32)
    data = Data(x=x, edge_index=edge_index)
    assert repr(data) == "Data(x=[3, 1], edge_index=[2, 4])"
    data.train_idx = np.array([0, 1])                  # an extra attribute, as in the tutorial
    assert data.keys() == ["x", "edge_index", "train_idx"] and data["x"] is x
    for key, item in data:
        assert key in data
    assert "edge_attr" not in data
    assert (data.num_nodes, data.num_edges, data.num_node_features) == (3, 4, 1)
    assert not data.has_isolated_nodes() and not data.has_self_loops() and not data.is_directed()
    data = data.to(torch.device("cuda" if torch.cuda.is_available() else "cpu"))


def test_planetoid_with_normalize_features_trains_a_gcn(shared_datasets_dir):
    root = shared_datasets_dir
    dataset = Planetoid(root, "Cora", transform=T.NormalizeFeatures())
    assert repr(dataset) == "Cora()" and len(dataset) == 1
    assert (dataset.num_classes, dataset.num_node_features) == (7, 1433)
    data = dataset[0]
    assert data.is_undirected() and int(data.train_mask.sum()) == 140
    np.testing.assert_allclose(np.asarray(data.x.sum(axis=1)).ravel()[:5], 1.0, rtol=1e-6)

    class GCN(Module):
        def __init__(self):
            super().__init__()
            self.conv1 = GCNConv(dataset.num_node_features, 16)
            self.conv2 = GCNConv(16, dataset.num_classes)

        def forward(self, data):
            x, edge_index = data.x, data.edge_index
            x = self.conv1(x, edge_index)
            x = F.relu(x)
            x = F.dropout(x, training=self.training)
            x = self.conv2(x, edge_index)
            return F.log_softmax(x, dim=1)

    torch.manual_seed(0)
    model = GCN()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    model.train()
    for _ in range(200):
        optimizer.zero_grad()
        out = model(data)
        loss = F.nll_loss(out[data.train_mask], data.y[data.train_mask])
        loss.backward()
        optimizer.step()
    model.eval()
    pred = model(data).argmax(dim=1)
    correct = (pred[data.test_mask] == data.y[data.test_mask]).sum()
    acc = int(correct) / int(data.test_mask.sum())
    assert acc > 0.77                                   # the tutorial reports ~0.81


def test_tudataset_dataloader_global_mean_pool_cross_entropy(shared_datasets_dir):
    dataset = TUDataset(root=shared_datasets_dir, name="MUTAG")
    assert repr(dataset) == "MUTAG(188)"
    assert (dataset.num_classes, dataset.num_node_features) == (2, 7)
    torch.manual_seed(12345)
    dataset = dataset.shuffle()
    train_dataset, test_dataset = dataset[:150], dataset[150:]
    assert (len(train_dataset), len(test_dataset)) == (150, 38)
    assert len(dataset[:0.9]) == 169                   # PyG's float slicing
    train_loader = DataLoader(train_dataset, batch_size=64, shuffle=True)
    test_loader = DataLoader(test_dataset, batch_size=64, shuffle=False)
    batch = next(iter(train_loader))
    assert batch.num_graphs == 64 and batch.y.shape == (64,) and batch.ptr.shape == (65,)

    class GCN(Module):
        def __init__(self, hidden_channels):
            super().__init__()
            self.conv1 = GCNConv(dataset.num_node_features, hidden_channels)
            self.conv2 = GCNConv(hidden_channels, hidden_channels)
            self.conv3 = GCNConv(hidden_channels, hidden_channels)
            self.lin = Linear(hidden_channels, dataset.num_classes)

        def forward(self, x, edge_index, batch):
            x = self.conv1(x, edge_index).relu()
            x = self.conv2(x, edge_index).relu()
            x = self.conv3(x, edge_index)
            x = global_mean_pool(x, batch)              # [batch_size, hidden_channels]
            x = F.dropout(x, p=0.5, training=self.training)
            return self.lin(x)

    model = GCN(hidden_channels=64)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

    def test(loader):
        model.eval()
        correct = 0
        for data in loader:
            out = model(data.x, data.edge_index, data.batch)
            pred = out.argmax(dim=1)
            correct += int((pred == data.y).sum())
        return correct / len(loader.dataset)

    for _ in range(60):
        model.train()
        for data in train_loader:
            out = model(data.x, data.edge_index, data.batch)
            loss = F.cross_entropy(out, data.y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    assert test(train_loader) > 0.7 and test(test_loader) > 0.6   # the colab: ~0.75 / ~0.7
