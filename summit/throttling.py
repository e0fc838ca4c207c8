"""Per-client throttles for what anyone may call: logins, registrations, sign-in links.

Counters live in the cache (Redis in production, shared by every Daphne
process). The rate is read from settings on each request so it can change
without a restart of the route table.
"""

from django.conf import settings
from ninja.throttling import AnonRateThrottle


class Throttle(AnonRateThrottle):
    def __init__(self, scope, setting_name):
        self.scope = scope
        self.setting_name = setting_name
        super().__init__(getattr(settings, setting_name))

    def get_cache_key(self, request):
        return f"throttle:{self.scope}:{self.get_ident(request)}"

    def allow_request(self, request):
        self.rate = getattr(settings, self.setting_name)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def retry_after(self):
        """Whole seconds until the oldest counted attempt expires."""
        oldest = self.history[-1] if self.history else self.now
        return max(1, int(self.duration - (self.now - oldest)) + 1)
