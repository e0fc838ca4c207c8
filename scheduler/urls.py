from django.urls import path

from scheduler import views

urlpatterns = [
    path("summits/<slug:slug>/reports/attendance/", views.attendance_report, name="attendance-report"),
    path("summits/<slug:slug>/reports/attendance/regenerate/", views.regenerate_report, name="regenerate-report"),
]
