"""Backprop Lab's engine: a small fully connected network trained by gradient descent."""

from .activations import ACTIVATIONS, Activation, get_activation
from .costs import example_losses, mean_squared_error, mean_squared_error_gradient
from .history import History
from .initializers import INITIALIZERS, default_initializer, initialize_parameters
from .network import BackwardResult, ForwardRecord, Network
from .training import EXPLOSION_FACTOR, Divergence, StepRecord, Trainer

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "BackwardResult",
    "Divergence",
    "EXPLOSION_FACTOR",
    "ForwardRecord",
    "History",
    "INITIALIZERS",
    "Network",
    "StepRecord",
    "Trainer",
    "default_initializer",
    "example_losses",
    "get_activation",
    "initialize_parameters",
    "mean_squared_error",
    "mean_squared_error_gradient",
]
