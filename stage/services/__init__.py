"""The stage's rules, one module per concern: channels (watching, keys), media (the media server's
callbacks), replays (recordings into on-demand HLS), restream (push targets), mediaconfig (nginx).

Import the module you need; this package imports none of them, so tasks may use one without a cycle.
"""
