"""The editor's pages, under the summit's organiser area."""

from django.urls import path

from programme import views

P = "summits/<slug:slug>/organiser/programme/"

urlpatterns = [
    path(P, views.session_list, name="programme-sessions"),
    path(P + "sessions/new/", views.session_new, name="programme-session-new"),
    path(P + "sessions/<int:session_id>/", views.session_edit, name="programme-session"),
    path(P + "sessions/<int:session_id>/cancel/", views.session_cancel, name="programme-session-cancel"),
    path(P + "sessions/<int:session_id>/restore/", views.session_restore, name="programme-session-restore"),
    path(P + "run-sheet/<str:day>/", views.run_sheet, name="programme-run-sheet"),
    path(P + "rooms/", views.room_list, name="programme-rooms"),
    path(P + "rooms/new/", views.room_edit, name="programme-room-new"),
    path(P + "rooms/<int:room_id>/", views.room_edit, name="programme-room"),
    path(P + "tracks/", views.track_list, name="programme-tracks"),
    path(P + "tracks/new/", views.track_edit, name="programme-track-new"),
    path(P + "tracks/<int:track_id>/", views.track_edit, name="programme-track"),
    path(P + "tracks/<int:track_id>/delete/", views.track_delete, name="programme-track-delete"),
    path(P + "speakers/", views.speaker_list, name="programme-speakers"),
    path(P + "speakers/new/", views.speaker_edit, name="programme-speaker-new"),
    path(P + "speakers/<int:speaker_id>/", views.speaker_edit, name="programme-speaker"),
    path(P + "companies/", views.company_list, name="programme-companies"),
    path(P + "companies/new/", views.company_edit, name="programme-company-new"),
    path(P + "companies/<int:company_id>/", views.company_edit, name="programme-company"),
]
