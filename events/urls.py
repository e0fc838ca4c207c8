from django.urls import path

from events import views

urlpatterns = [
    path("", views.summit_list, name="summit-list"),
    path("signin/", views.signin, name="signin"),
    path("signin/<str:token>/", views.signin_link, name="signin-link"),
    path("signout/", views.signout, name="signout"),
    path("preferences/", views.preferences, name="preferences"),
    path("agenda/<str:token>.ics", views.agenda_feed, name="agenda-feed"),
    path("summits/<slug:slug>/", views.summit_home, name="summit-home"),
    path("summits/<slug:slug>/schedule/", views.schedule, name="schedule"),
    path("summits/<slug:slug>/schedule.ics", views.schedule_feed, name="schedule-feed"),
    path("summits/<slug:slug>/register/", views.register, name="register"),
    path("summits/<slug:slug>/agenda/", views.my_agenda, name="my-agenda"),
    path("summits/<slug:slug>/organiser/", views.organiser_dashboard, name="organiser-dashboard"),
    path("summits/<slug:slug>/sessions/<int:session_id>/", views.session_detail, name="session-detail"),
    path("summits/<slug:slug>/sessions/<int:session_id>/bookmark/", views.toggle_bookmark, name="toggle-bookmark"),
    path("summits/<slug:slug>/companies/<slug:company_slug>/", views.company_detail, name="company-detail"),
]
