from django.urls import path

from privacy import views

urlpatterns = [
    path("me/data/", views.my_data, name="privacy-my-data"),
    path("me/data/export.json", views.export, name="privacy-export"),
    path("me/data/delete/", views.delete_account, name="privacy-delete"),
]
