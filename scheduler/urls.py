from django.urls import path

from scheduler import views

urlpatterns = [
    path("summits/<slug:slug>/reports/attendance/", views.attendance_report, name="attendance-report"),
    path("summits/<slug:slug>/reports/attendance/regenerate/", views.regenerate_report, name="regenerate-report"),
    path("me/notifications/", views.notifications, name="notifications"),
    path("me/notifications/read/", views.mark_read, name="notifications-read"),
    path("me/notifications/<int:notification_id>/open/", views.open_notification, name="notification-open"),
    path("me/notifications/mail/", views.mail_setting, name="notifications-mail"),
]
