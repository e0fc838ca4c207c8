"""How big each scenario is: the full run of issue 7 and the tiny smoke run of `make test`.

Every duration is a cap and every ramp is a short list, so a full run ends in
about a quarter of an hour whatever the server does.
"""

FULL = {
    "ramp": [250, 500, 1000, 2000, 3000, 4000, 5000],
    "ramp_rate": 10,  # chat messages per second in the room
    "ramp_duration": 20,
    "ramp_stop_p99_ms": 1000,
    "processes_attendees": 2000,
    "processes": [2, 4],
    "rooms": 20,
    "room_attendees": 100,
    "room_rate": 2,
    "rooms_duration": 20,
    "burst_attendees": 500,
    "burst_rate": 100,
    "burst_duration": 10,
    "join_storm": 2000,
    "vote_attendees": 1000,
    "vote_questions": 20,
    "vote_window": 10,
    "poll_voters": 1000,
    "poll_options": 4,
    "poll_window": 10,
    "poll_results_wait": 3,  # how long after the last ballot is acknowledged clients may still get results
    "idle_sockets": 2000,
    "http_concurrency": 50,
    "http_duration": 10,
    "report_attendees": 10_000,
    "report_sessions": 100,
    "report_intervals": 1_000_000,
    "settle": 1,
    "drain_timeout": 15,  # the longest wait for deliveries in flight before counting them lost
    "warm_up": True,  # a short chat on each fresh ramp server first, so the first step is not a cold start
    "reuse_servers": False,
    "store_threads": 4,
    "store_duration": 5,
    "storm_hold": 5,
    "storm_profile_s": 15,  # --profile samples a join storm until everyone is in, for at most this long
    "idle_hold": 5,
    "clients_per_process": 5000,  # about one load generator a core: more on two cores only add wake-ups
    "connect_timeout": 120,  # the longest any connect phase may take
    "ramp_budget_s": 360,  # no new ramp step starts after this long on one design
    "report_timeout": 120,
    "budget_s": 1500,  # no new scenario starts after this long (a loaded shared machine runs slower)
    "connect_concurrency": 200,
    "registration_storm": 1000,  # people per phase (new addresses, then known ones mailed a link)
    "registration_window": 60,
    "mail_timeout": 180,  # the longest wait for the worker's last sign-in mail
    "mail_settle": 5,  # then this long more, so a second copy of any mail would be counted
    "crowd_attendees": 10_000,  # one room, over crowd_servers Daphne processes
    "crowd_rate": 10,
    "crowd_rooms": 20,
    "crowd_room_attendees": 500,
    "crowd_room_rate": 2,
    "crowd_duration": 20,
    "crowd_servers": 2,
    "calls": 12,  # meeting calls per route (direct, relayed): join to first remote frame
    "calls_warm_s": 10,  # then, once its bitrate has ramped up,
    "calls_hold_s": 30,  # one relayed call held this long while coturn's CPU and memory are read
}

SMOKE = {
    "ramp": [20, 40],
    "ramp_rate": 10,
    "ramp_duration": 1,
    "ramp_stop_p99_ms": 1000,
    "processes_attendees": 40,
    "processes": [2, 4],
    "rooms": 4,
    "room_attendees": 10,
    "room_rate": 2,
    "rooms_duration": 2,
    "burst_attendees": 30,
    "burst_rate": 20,
    "burst_duration": 2,
    "join_storm": 50,
    "vote_attendees": 40,
    "vote_questions": 4,
    "vote_window": 2,
    "poll_voters": 40,
    "poll_options": 4,
    "poll_window": 2,
    "poll_results_wait": 3,
    "idle_sockets": 50,
    "http_concurrency": 4,
    "http_duration": 1,
    "report_attendees": 100,
    "report_sessions": 5,
    "report_intervals": 2000,
    "settle": 0.5,
    "drain_timeout": 10,
    "warm_up": False,
    "reuse_servers": True,
    "store_threads": 2,
    "store_duration": 1,
    "storm_hold": 1,
    "storm_profile_s": 2,
    "idle_hold": 1,
    "clients_per_process": 25,
    "connect_timeout": 30,
    "ramp_budget_s": 120,
    "report_timeout": 60,
    "budget_s": 300,
    "connect_concurrency": 50,
    "registration_storm": 10,
    "registration_window": 1,
    "mail_timeout": 60,
    "mail_settle": 1,
    "crowd_attendees": 40,
    "crowd_rate": 10,
    "crowd_rooms": 2,
    "crowd_room_attendees": 10,
    "crowd_room_rate": 2,
    "crowd_duration": 1,
    "crowd_servers": 2,
    "calls": 2,
    "calls_warm_s": 1,
    "calls_hold_s": 2,
}

# A sender sends at most this many messages a second, under the contract's per-person flood limit.
SENDER_RATE = 2.0
