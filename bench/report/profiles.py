"""py-spy's profiles of the server, for runs made with --profile."""

from bench.report.format import entries, fmt, table


def profiled_runs(results):
    s = results["scenarios"]
    for entry in entries(s.get("ramp")):
        for step in entry.get("steps", []):
            if step.get("profile"):
                yield f"Scenario 1, {entry['target']}, {step['attendees']:,} attendees", step
    rooms = s.get("rooms") or {}
    if rooms.get("profile"):
        yield f"Scenario 2 (many rooms), {rooms['target']}", rooms
    burst = s.get("burst") or {}
    if burst.get("profile"):
        yield f"Scenario 3 (burst), {burst['target']}", burst
    votes = s.get("votes") or {}
    if votes.get("profile"):
        yield "Scenario 5 (votes)", votes
    for storm in entries(s.get("join_storm")):
        if storm.get("profile"):
            yield f"Scenario 4 (join storm), {storm['servers']} process(es)", storm
    for endpoint in (s.get("http") or {}).get("endpoints", []):
        if endpoint.get("profile"):
            yield f"Scenario 7, `GET {endpoint['path']}`", endpoint


def profile_section(results):
    """py-spy's self time by package and function, for every run sampled with --profile."""
    if not results.get("profiled"):
        return []
    lines = [
        "## Where the server's time goes (py-spy, `--profile`)",
        "",
        "Self time of the Daphne process while the load ran, in percent of the samples (idle excluded); "
        "the sampler ran beside the server, so these runs' latencies are not the ones above to quote.",
        "",
    ]
    for label, run in profiled_runs(results):
        profile = run["profile"]
        if not profile.get("samples"):
            lines += [f"**{label}**: no samples", ""]
            continue
        if "server_cpu_us_per_delivery" in run:
            cost = f"{fmt(run['server_cpu_us_per_delivery'])} µs of server CPU per delivery"
        elif "votes_sent" in run:
            cost = f"{fmt(run['votes_sent'])} votes, answer p99 {fmt(run['vote_latency']['p99_ms'])} ms"
        elif "all_in_s" in run:
            cost = f"all {fmt(run['attendees'])} in after {fmt(run['all_in_s'])} s"
        else:
            cost = f"{fmt(run['requests_per_s'])} requests/s"
        lines += [
            f"**{label}** ({profile['samples']:,} samples, {cost})",
            "",
            table(["package", "% self"], profile["by_package"]),
            "",
            table(["function", "% self"], [[f"`{name}`", share] for name, share in profile["by_function"]]),
            "",
            table(
                ["the platform's own function", "% inclusive"],
                [[f"`{name}`", share] for name, share in profile.get("ours_inclusive", [])],
            ),
            "",
        ]
    return lines
