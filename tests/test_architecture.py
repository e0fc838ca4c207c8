"""The apps depend on each other one way, and no module imports itself back, not even inside a function."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lower first: an app may import the apps before it, never one after it (docs/plugins.md says how a
# lower app asks a higher one). `summit` is the project: its shared helpers are below every app, its
# URLs and API root above them, so it is left out of the order and only checked for cycles.
LAYERS = [
    {"events"},
    {"livechat"},
    {"scheduler"},
    {"partnering"},
    {"programme", "stage", "judging", "privacy", "calls"},
]
APPS = {"summit", "bench"} | set().union(*LAYERS)


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def platform_modules():
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(path, known):
    """Every platform module `path` imports, at the top or inside a function."""
    wanted = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                wanted.add(name)
    return wanted


def import_graph():
    modules = platform_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def layer_of(module):
    app = module.split(".")[0]
    return next((index for index, layer in enumerate(LAYERS) if app in layer), None)


def test_no_app_imports_an_app_above_it():
    upward = []
    for module, imported in import_graph().items():
        for other in imported:
            here, there = layer_of(module), layer_of(other)
            if here is not None and there is not None and there > here:
                upward.append(f"{module} -> {other}")
    assert sorted(upward) == []


def test_no_import_cycle_between_modules():
    graph = import_graph()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_graph_sees_function_level_imports():
    assert "partnering.receivers" in import_graph()["partnering.apps"]
