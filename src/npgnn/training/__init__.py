"""Training loops: full-batch node classification, mini-batch graph classification, full-batch
link prediction."""
from npgnn.training.graph_level import (
    CrossValidation, GraphRun, combine_folds, cross_validate, evaluate_graphs, fit_fold, fit_graphs,
    stratified_kfold,
)
from npgnn.training.link import LinkResult, evaluate_link, fit_link
from npgnn.training.node import NodeResult, evaluate_nodes, fit_nodes, predict_nodes
from npgnn.training.stopping import PatienceStopping, WindowStopping

__all__ = [
    "CrossValidation", "GraphRun", "LinkResult", "NodeResult", "PatienceStopping", "WindowStopping",
    "combine_folds", "cross_validate", "evaluate_graphs", "evaluate_link", "evaluate_nodes",
    "fit_fold", "fit_graphs", "fit_link", "fit_nodes", "predict_nodes", "stratified_kfold",
]
