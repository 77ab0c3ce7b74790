"""Training loops: full-batch node classification and mini-batch graph classification."""
from npgnn.training.graph_level import (
    CrossValidation, GraphRun, cross_validate, evaluate_graphs, fit_graphs, stratified_kfold,
)
from npgnn.training.node import NodeResult, evaluate_nodes, fit_nodes, predict_nodes
from npgnn.training.stopping import PatienceStopping, WindowStopping

__all__ = [
    "CrossValidation", "GraphRun", "NodeResult", "PatienceStopping", "WindowStopping",
    "cross_validate", "evaluate_graphs", "evaluate_nodes", "fit_graphs", "fit_nodes",
    "predict_nodes", "stratified_kfold",
]
