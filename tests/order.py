"""Runs the tests in a shuffled order, seeded and printed, so a test that only passes after another one fails.

Modules are shuffled, then the tests inside each module: a module stays in one piece, so its module-scoped
servers start once. Every run prints its seed at the end; `--shuffle-seed=N` (or TEST_SHUFFLE_SEED=N)
replays that order, `--shuffle-seed=0` keeps the order of the files. Under pytest-xdist the controller
picks the seed and its workers inherit it, since every worker must collect the same order.
"""

import os
import random
from itertools import groupby

import pytest

SEED_VARIABLE = "TEST_SHUFFLE_SEED"


def pytest_addoption(parser):
    parser.addoption(
        "--shuffle-seed",
        type=int,
        default=None,
        help=f"replay the test order of this seed (0: the order of the files; default: ${SEED_VARIABLE} or a new seed)",
    )


def pytest_configure(config):
    seed = config.getoption("--shuffle-seed")
    if seed is None:
        seed = int(os.environ.get(SEED_VARIABLE) or random.SystemRandom().randrange(1, 1_000_000))
    os.environ[SEED_VARIABLE] = str(seed)  # xdist's workers start after this and inherit it
    config.shuffle_seed = seed


def pytest_terminal_summary(terminalreporter, config):
    """At the end, beside the failures: the header that would carry it is hidden by -q."""
    seed = config.shuffle_seed
    if seed == 0:
        terminalreporter.write_line("test order: as in the files (--shuffle-seed=0)")
    else:
        terminalreporter.write_line(f"test order: shuffled with seed {seed} (replay with --shuffle-seed={seed})")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    seed = config.shuffle_seed
    if seed == 0:
        return
    shuffler = random.Random(seed)
    modules = [list(tests) for _path, tests in groupby(items, key=lambda item: item.nodeid.split("::")[0])]
    shuffler.shuffle(modules)
    for tests in modules:
        shuffler.shuffle(tests)
    items[:] = [item for tests in modules for item in tests]
