from django.urls import path

from judging import views

urlpatterns = [
    path("summits/<slug:slug>/judging/", views.results_page, name="judging-results"),
    path("summits/<slug:slug>/judging/rubric/", views.rubric_page, name="judging-rubric"),
    path("summits/<slug:slug>/judging/close/", views.close_judging, name="judging-close"),
    path("summits/<slug:slug>/judging/publish/", views.publish_results, name="judging-publish"),
    path("summits/<slug:slug>/judging/pitches/", views.juror_pitches, name="judging-pitches"),
    path("summits/<slug:slug>/judging/pitches/<int:session_id>/", views.score_pitch, name="judging-score"),
    path("summits/<slug:slug>/judging/our-result/", views.company_result, name="judging-company-result"),
    path("summits/<slug:slug>/peoples-choice/<int:session_id>/", views.choose_peoples_choice, name="peoples-choice"),
]
