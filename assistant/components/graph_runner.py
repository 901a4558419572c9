"""Running Rasa's model graphs without dask's scheduler, same nodes and same results.

Each chat turn runs the NLU graph once and the policy graph once per predicted action (3 to 4 graph runs per
turn). Rasa 3.6 runs each with ``dask.get``: it rebuilds the minimal sub-graph for the targets, converts it to a
dask graph, orders it and runs it through dask's local scheduler. Profiled with py-spy on guide questions, that
machinery (not the components) was ~10 % of the Rasa server's CPU per turn. The graphs are small and fixed, so
here the execution order of each set of targets is computed once and the nodes are called in that order, with
the same inputs as dask would pass them (a parent's ``(name, output)`` tuple, or the bare name of a need that
nothing provides, which ``GraphNode`` reports). Training uses the same runner class, so it gets the same path.
tests/rasa/test_components.py checks that parses and predicted actions are identical with dask's runner."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

_DASK_RUN = DaskGraphRunner.run

# (node name, names of the nodes or inputs it needs, in its declared order)
_Plan = List[Tuple[Text, List[Text]]]


def _plan(runner: DaskGraphRunner, targets: List[Text]) -> _Plan:
    """The nodes the targets depend on, each after the nodes it needs (depth-first, as dask's order allows)."""
    nodes = runner._graph_schema.nodes
    order: _Plan = []
    done: set = set()

    def visit(name: Text, path: Tuple[Text, ...]) -> None:
        if name in done or name not in nodes:  # inputs and unresolved needs are not nodes
            return
        if name in path:
            raise GraphRunError(f"Cycle in the graph at node '{name}'.")
        for need in nodes[name].needs.values():
            visit(need, path + (name,))
        done.add(name)
        order.append((name, list(nodes[name].needs.values())))

    for target in targets:
        visit(target, ())
    return order


def run_in_order(
    self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None
) -> Dict[Text, Any]:
    """Same contract as ``DaskGraphRunner.run``."""
    run_targets = targets if targets else self._graph_schema.target_names
    plans: Dict[Tuple[Text, ...], _Plan] = self.__dict__.setdefault("_parismed_plans", {})
    key = tuple(run_targets)
    if key not in plans:
        plans[key] = _plan(self, run_targets)
    results: Dict[Text, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in self._graph_schema.nodes:  # the check of Rasa's runner
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the input names passed to "
                f"the `run` method are the same as node names in the graph schema."
            )
        results[name] = (name, value)
    try:
        for name, needs in plans[key]:
            results[name] = self._instantiated_nodes[name](*(results.get(need, need) for need in needs))
    except RuntimeError as e:  # as Rasa's runner does
        raise GraphRunError("Error running runner.") from e
    return dict(results[target] for target in run_targets)  # {target: output}, as dask's runner returns


def install() -> None:
    DaskGraphRunner.run = run_in_order  # type: ignore[method-assign]


def uninstall() -> None:
    DaskGraphRunner.run = _DASK_RUN  # type: ignore[method-assign]
