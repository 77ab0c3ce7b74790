"""``Module`` and ``Parameter``: layers hold weights (never activations), found by walking attributes.

A module is driven two ways with the same machinery underneath:

* autodiff style: ``y = layer(x_tensor)``; ``loss.backward()`` fills every ``param.grad``;
* book style (the article's interface): ``y = layer.forward(x_array)`` with plain ndarrays returns
  an ndarray, and ``dx = layer.backward(dy)`` returns the input gradient(s) and sets each
  parameter's ``.grad`` to the gradient of that forward/backward pair.
"""
from __future__ import annotations

import contextvars
import functools
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np

from npgnn._validate import check_grad_dtype, check_supported_dtype
from npgnn.autodiff import grad_mode
from npgnn.autodiff.tensor import Tensor

#: While set, called with the array of every new Parameter and buffer (before a layer draws its
#: initial weights into it). ``npgnn.io.load`` uses it to stop building a model that the file's
#: arrays cannot fill; it raises to stop the build.
new_array_hook: contextvars.ContextVar[Any] = contextvars.ContextVar("npgnn_new_array_hook",
                                                                    default=None)


class Parameter(Tensor):
    """A leaf tensor that a Module owns and an optimizer updates (``requires_grad=True``).

    The ndarray is used as given (no copy), so a parameter and the array it wraps stay one object.
    Data that requires gradients must be float32 or float64: integer and bool data raise
    TypeError, as torch's ``Parameter`` does (``requires_grad=False`` keeps them, as torch);
    float16, complex, object and string data always raise
    (:func:`npgnn._validate.unsupported_dtype`'s message).
    """

    def __init__(self, data: Any, requires_grad: bool = True):
        array = np.asarray(data.data if isinstance(data, Tensor) else data)
        check_supported_dtype("Parameter data", array.dtype)
        if requires_grad:
            check_grad_dtype("Parameter data", array.dtype)
        hook = new_array_hook.get()
        if hook is not None:
            hook(array)
        super().__init__(array, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return f"Parameter(shape={self.shape}, dtype={self.dtype})"


def _is_float_array(a: Any) -> bool:
    return isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating)


def _book_style(forward: Any) -> Any:
    """Wrap a subclass's ``forward`` so plain float ndarrays switch on the article's interface."""

    @functools.wraps(forward)
    def wrapper(self: Module, *args: Any, **kwargs: Any) -> Any:
        # a Tensor among the inputs means autodiff style, even next to float arrays (weights)
        if not any(_is_float_array(a) for a in args) or any(isinstance(a, Tensor) for a in args):
            return forward(self, *args, **kwargs)
        leaves = [Tensor(a, requires_grad=True) if _is_float_array(a) else a for a in args]
        with grad_mode.enable_grad():
            out = forward(self, *leaves, **kwargs)
        # a forward may return a tuple (e.g. output and attention weights): backward() takes the
        # gradient of its first element; every Tensor in it is handed back as an array
        main = out[0] if isinstance(out, tuple) else out
        self.__dict__["_book_state"] = ([t for t in leaves if isinstance(t, Tensor)], main)
        return _arrays(out)

    wrapper._book_style = True
    return wrapper


def _arrays(out: Any) -> Any:
    """A forward's result with every Tensor (also inside nested tuples) replaced by its array."""
    if isinstance(out, Tensor):
        return out.data
    if isinstance(out, tuple):
        return tuple(_arrays(o) for o in out)
    return out


class Module:
    """Base class of layers and models.

    Subclasses define ``forward(*inputs)`` on Tensors and store Parameters, sub-Modules (also in
    lists, tuples and dicts) and buffers (``register_buffer``) as attributes; ``parameters()``
    finds them in attribute order with dotted names (``"conv1.lin.weight"``).
    """

    training: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fwd = cls.__dict__.get("forward")
        if fwd is not None and not getattr(fwd, "_book_style", False):
            cls._tensor_forward = fwd
            cls.forward = _book_style(fwd)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    _tensor_forward = forward

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Autodiff style, always: arrays in, Tensors out, recorded for ``backward()``.

        (Calling ``.forward(array)`` directly is the book style, which returns arrays.)
        """
        return self._tensor_forward(*args, **kwargs)

    # ------------------------------------------------------------------ book style
    def backward(self, dout: Any = 1.0) -> Any:
        """Book style: the gradient of the last ``forward(ndarray...)`` call's output is ``dout``.

        Returns the gradient of each float array input of that call (one array, or a tuple), and
        sets every parameter's ``.grad`` to this pair's gradient (not a running sum). As with the
        article's layers, which keep their cache, ``backward`` may be called again on the same
        forward (with the same or another ``dout``) and gives that pair's gradients again: the
        forward's graph is kept until the next ``forward``.
        """
        state = self.__dict__.get("_book_state")
        if state is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward(): call forward() with ndarray inputs first"
            )
        leaves, out = state
        dout = np.asarray(dout.data if isinstance(dout, Tensor) else dout, dtype=out.dtype)
        if dout.shape != out.shape and not (dout.size == 1 and out.size == 1):
            raise ValueError(
                f"{type(self).__name__}.backward(): dout must have the forward output's shape "
                f"{out.shape}, got {dout.shape}"
            )
        for t in (*self.parameters(), *leaves):
            t.grad = None
        if out.requires_grad:
            out.backward(dout.reshape(out.shape), retain_graph=True)
        grads = tuple(t.grad if t.grad is not None else np.zeros_like(t.data) for t in leaves)
        return grads[0] if len(grads) == 1 else grads

    # ------------------------------------------------------------------ traversal
    def _members(self) -> Iterator[tuple[str, Any]]:
        for name, value in vars(self).items():
            if name == "_book_state":
                continue
            if isinstance(value, (Parameter, Module)):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, (Parameter, Module)):
                        yield f"{name}.{i}", item
            elif isinstance(value, dict) and name != "_buffers":
                for key, item in value.items():
                    if isinstance(item, (Parameter, Module)):
                        yield f"{name}.{key}", item

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every sub-module, each once, with dotted names."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, mod = stack.pop(0)
            if id(mod) in seen:
                continue
            seen.add(id(mod))
            yield name, mod
            for child_name, child in mod._members():
                if isinstance(child, Module):
                    stack.append((f"{name}.{child_name}" if name else child_name, child))

    def modules(self) -> Iterator[Module]:
        return (m for _, m in self.named_modules())

    def children(self) -> Iterator[Module]:
        return (m for _, m in self._members() if isinstance(m, Module))

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every parameter once (shared weights are listed under their first name)."""
        seen: set[int] = set()
        for mod_name, mod in self.named_modules(prefix):
            for name, value in mod._members():
                if isinstance(value, Parameter) and id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{mod_name}.{name}" if mod_name else name), value

    def parameters(self) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters())

    def register_buffer(self, name: str, value: np.ndarray) -> None:
        """Keep a non-trainable array (e.g. running statistics) in ``state_dict``."""
        hook = new_array_hook.get()
        if hook is not None:
            hook(np.asarray(value))
        self.__dict__.setdefault("_buffers", {})[name] = value
        object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        buffers = self.__dict__.get("_buffers")
        if buffers is not None and name in buffers:
            buffers[name] = value
        object.__setattr__(self, name, value)

    def named_buffers(self) -> Iterator[tuple[str, np.ndarray]]:
        for mod_name, mod in self.named_modules():
            for name, value in mod.__dict__.get("_buffers", {}).items():
                if value is not None:  # an unset optional buffer (a loss without weight), as torch
                    yield (f"{mod_name}.{name}" if mod_name else name), value

    # ------------------------------------------------------------------ state
    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Copies of every parameter and buffer, by dotted name."""
        state: OrderedDict[str, np.ndarray] = OrderedDict(
            (name, p.data.copy()) for name, p in self.named_parameters()
        )
        state.update((name, np.array(b, copy=True)) for name, b in self.named_buffers())
        return state

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> None:
        """Copy arrays into the parameters and buffers in place (shapes must match exactly).

        Raises:
            KeyError listing missing and unexpected names (with ``strict``), ValueError on a shape
            mismatch naming the entry, TypeError (:func:`npgnn._validate.unsupported_dtype`) for
            a complex, object or string entry, before anything is copied (a complex weight
            would lose its imaginary part). float16 entries are accepted: their cast to the
            parameter's float32/float64 is exact (as torch's ``copy_``).
        """
        params = dict(self.named_parameters())
        buffers = dict(self.named_buffers())
        missing = [k for k in (*params, *buffers) if k not in state]
        unexpected = [k for k in state if k not in params and k not in buffers]
        if strict and (missing or unexpected):
            raise KeyError(
                f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}"
            )
        arrays = {name: np.asarray(getattr(value, "data", value)) for name, value in state.items()}
        for name, array in arrays.items():
            if (name in params or name in buffers) and array.dtype != np.float16:
                check_supported_dtype(f"load_state_dict: {name!r}", array.dtype)
        for name, array in arrays.items():
            if name in params:
                target = params[name].data
            elif name in buffers:
                target = np.asarray(buffers[name])
            else:
                continue
            if array.shape != target.shape:
                raise ValueError(
                    f"load_state_dict: {name!r} expects shape {target.shape}, got {array.shape}"
                )
            target[...] = array

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``grad = None``)."""
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """torch's ``to``: a CPU device (``"cpu"``, ``"cpu:0"``, ``torch.device("cpu")``) changes
        nothing; a dtype casts every parameter and floating buffer (e.g. ``np.float64`` for
        gradchecks; also ``to("cpu", np.float64)``). Returns ``self``.

        Raises:
            RuntimeError: a device other than the CPU ("npgnn runs on the CPU only").
        """
        from npgnn.device import parse_to

        dtype = parse_to(f"{type(self).__name__}.to", args, kwargs)
        if dtype is None:
            return self
        for p in self.parameters():
            p.data = p.data.astype(dtype)
            p.grad = None
        for m in self.modules():
            for name, b in m.__dict__.get("_buffers", {}).items():
                if b is not None and np.issubdtype(np.asarray(b).dtype, np.floating):
                    setattr(m, name, np.asarray(b).astype(dtype))
        return self

    def cpu(self) -> Module:
        """``self``: npgnn runs on the CPU."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Module:
        """Always raises: npgnn has no GPU."""
        from npgnn.device import check_device

        check_device("cuda", f"{type(self).__name__}.cuda")
        return self  # pragma: no cover - check_device raised

    def double(self) -> Module:
        """Cast to float64 (torch's ``double()``)."""
        return self.to(np.float64)

    def float(self) -> Module:
        """Cast to float32 (torch's ``float()``)."""
        return self.to(np.float32)

    def save(self, path: Any) -> None:
        """Write architecture and weights to one file (``npgnn.io.save``; reload with ``npgnn.load``).

        The class must be registered with ``npgnn.io.register_model`` and define ``get_config``.
        """
        from npgnn.io import save

        save(self, path)

    def num_parameters(self) -> int:
        return sum(p.size for p in self.parameters())

    # ------------------------------------------------------------------ repr
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        children = [(n, m) for n, m in self._members() if isinstance(m, Module)]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"


class ModuleList(Module):
    """A list of sub-modules, registered like attributes (names ``0``, ``1``, ...)."""

    def __init__(self, modules: list[Module] | None = None):
        self.items = list(modules or [])

    def _members(self) -> Iterator[tuple[str, Any]]:
        for i, m in enumerate(self.items):
            yield str(i), m

    def append(self, module: Module) -> None:
        self.items.append(module)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> Module:
        return self.items[i]


class Sequential(ModuleList):
    """Modules applied in order: ``Sequential(a, b)(x) == b(a(x))``."""

    def __init__(self, *modules: Module):
        super().__init__(list(modules))

    def forward(self, x: Any) -> Any:
        for m in self.items:
            x = m(x)
        return x
