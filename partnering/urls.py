from django.urls import path

from partnering import views

urlpatterns = [
    path("summits/<slug:slug>/partnering/", views.directory, name="partnering-directory"),
    path("summits/<slug:slug>/partnering/me/", views.my_profile, name="partnering-me"),
    path("summits/<slug:slug>/partnering/partners/<int:profile_id>/", views.partner, name="partnering-partner"),
    path("summits/<slug:slug>/partnering/meetings/", views.my_meetings, name="partnering-meetings"),
    path("summits/<slug:slug>/partnering/meetings/<int:meeting_id>/", views.meeting, name="partnering-meeting"),
    path(
        "summits/<slug:slug>/partnering/meetings/<int:meeting_id>/<slug:action>/",
        views.meeting_action,
        name="partnering-meeting-action",
    ),
    path("summits/<slug:slug>/meetings.ics", views.meetings_feed, name="partnering-feed"),
    path("summits/<slug:slug>/partnering/contact-sharing/", views.contact_sharing, name="partnering-contact-sharing"),
    path("summits/<slug:slug>/partnering/organiser/", views.organiser_dashboard, name="partnering-organiser"),
    path(
        "summits/<slug:slug>/partnering/companies/<slug:company_slug>/profile/",
        views.my_profile,
        name="partnering-company-profile",
    ),
    path(
        "summits/<slug:slug>/partnering/companies/<slug:company_slug>/leads/",
        views.company_leads,
        name="partnering-leads",
    ),
    path(
        "summits/<slug:slug>/partnering/companies/<slug:company_slug>/leads.csv",
        views.company_leads_csv,
        name="partnering-leads-csv",
    ),
    path("summits/<slug:slug>/partnering/introductions/", views.introductions, name="partnering-introductions"),
    path(
        "summits/<slug:slug>/partnering/companies/<slug:company_slug>/interest/",
        views.interest,
        name="partnering-interest",
    ),
    path(
        "summits/<slug:slug>/partnering/companies/<slug:company_slug>/interests/<int:profile_id>/accept/",
        views.answer_interest,
        name="partnering-answer-interest",
    ),
]
