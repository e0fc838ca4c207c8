"""The apps plug into each other one way, through signals declared in each lower app's signals.py."""

import ast
from pathlib import Path

from django.core.management import call_command
from django.dispatch import Signal

from summit.plugins import Contributions, plug_in_points

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_APPS = ["summit", "events", "livechat", "scheduler", "partnering", "programme", "stage", "judging", "privacy"]


def platform_modules():
    for app in PLATFORM_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_every_signal_is_declared_in_a_signals_module_so_one_listing_finds_them_all():
    declared_elsewhere = []
    for path in platform_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            declares = isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("Signal", "Contributions")
            if declares and path.name != "signals.py":
                declared_elsewhere.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert declared_elsewhere == []


def test_no_module_keeps_a_registry_of_its_own_beside_the_signals():
    """register_* functions and bare module-level lists that other apps append to were the old plug-in points."""
    found = []
    for path in platform_modules():
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("register_"):
                found.append(f"{path.relative_to(ROOT)}:{node.name}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "append"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr.isupper()
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_the_listing_names_each_point_with_its_kind_and_what_is_connected():
    points = {name: (kind, receivers) for name, kind, receivers in plug_in_points()}
    assert points["livechat.signals.room_state_parts"] == (
        "contributions",
        ["livechat.receivers.polls_part", "stage.receivers.stage_part"],
    )
    assert points["events.signals.session_changed"][0] == "event"
    assert "scheduler.receivers.on_session_changed" in points["events.signals.session_changed"][1]
    assert "partnering.receivers.meeting_reminders" in points["scheduler.signals.reminder_sources"][1]


def test_manage_plugins_prints_the_listing(capsys):
    call_command("plugins")
    out = capsys.readouterr().out
    assert "stage.receivers.replay_pages" in out.split("events.signals.replay_urls (contributions)", 1)[1]


def test_contributions_answer_each_receiver_part_in_connection_order():
    asked = Contributions()

    def first(number, **signal):
        return number + 1

    def second(number, **signal):
        return number * 10

    asked.connect(first)
    asked.connect(second)
    assert asked.parts(number=4) == [5, 40]
    assert isinstance(asked, Signal)
