"""Partnering rules, one module per concern; this package is their one entry point.

- `timerules`: office hours, clock changes and slot grids, pure functions of zones and clocks;
- `profiles`: who may see partnering, the directory, editing a card;
- `matching`: suggested partners with their reasons;
- `slots`: common free slots of two parties;
- `meetings`: requests, answers and how a meeting reads;
- `interest`: "Interested" on a company, answered back, turned into an introduction;
- `dashboard`: the organisers' figures; `leads`: a company's leads; `calendar`: meetings in feeds;
- `sharing`: whether a visitor agreed to share their contact with a company.

Views, the API, the scheduler and tests call `partnering.services.<name>`; they
raise `summit.errors` and never build responses. `access_*` look up and check
permission, `check_*` validate, `do_*` change state.
"""

from partnering.services.calendar import meeting_entries, meetings_calendar
from partnering.services.dashboard import dashboard
from partnering.services.interest import (
    access_company_interests, access_interest_target, company_card, company_interests, do_answer_interest,
    do_express_interest, do_withdraw_interest, interest_of, interest_out, introduction_out, introductions, is_member,
    notice_parties,
)
from partnering.services.leads import LEAD_COLUMNS, access_company_leads, leads, leads_csv, shared_leads
from partnering.services.matching import match, need_label, suggestions
from partnering.services.meetings import (
    MAX_MESSAGE, MeetingRequest, access_acting_profile, access_meeting, do_accept, do_cancel, do_decline,
    do_propose, do_request_meeting, do_set_video_url, meeting_out, meetings_of, other_side, reminder_targets,
    side_of,
)
from partnering.services.profiles import (
    DirectoryFilter, ProfileChange, access_partnering, access_profile, acts_for, check_clock, check_needs,
    companies_of, directory_countries,
    company_slugs_by_user, directory, do_create_missing_profiles, do_create_profile, do_update_profile, my_profile, office_hours_out, profile_out,
    profiles,
)
from partnering.services.sharing import contact_sharing, do_set_contact_sharing, sharing_with
from partnering.services.slots import NEAREST_COUNT, common_slots, is_busy
from partnering.services.timerules import (
    DEFAULT_STEP, DURATIONS, STEPS, UTC, check_duration, check_step, clock_changes_between, in_office_hours,
    local_label, meeting_days, minutes_outside, office_grid, place_of, slot_out, zone_city,
)

__all__ = [
    "DEFAULT_STEP", "DURATIONS", "LEAD_COLUMNS", "MAX_MESSAGE", "NEAREST_COUNT", "STEPS", "UTC",
    "DirectoryFilter", "MeetingRequest", "ProfileChange",
    "access_acting_profile", "access_company_interests", "access_company_leads", "access_interest_target",
    "company_card", "company_interests", "do_answer_interest", "do_express_interest", "do_withdraw_interest",
    "interest_of", "interest_out", "introduction_out", "introductions", "is_member", "notice_parties",
    "access_meeting", "access_partnering", "access_profile",
    "acts_for", "check_clock", "check_duration", "check_needs", "check_step", "clock_changes_between",
    "common_slots", "companies_of", "company_slugs_by_user", "contact_sharing", "directory_countries", "dashboard",
    "directory", "do_accept", "do_cancel", "do_decline", "do_set_contact_sharing", "shared_leads", "sharing_with",
    "do_propose", "do_request_meeting", "do_set_video_url", "do_create_missing_profiles", "do_create_profile",
    "do_update_profile",
    "in_office_hours", "is_busy", "leads", "leads_csv", "local_label", "match", "meeting_days", "meeting_entries",
    "meeting_out", "meetings_calendar", "meetings_of", "minutes_outside", "my_profile", "need_label",
    "office_grid", "office_hours_out", "other_side", "place_of", "profile_out", "profiles", "reminder_targets",
    "side_of", "slot_out", "suggestions", "zone_city",
]
