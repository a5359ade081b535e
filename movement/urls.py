from django.urls import path, re_path

from movement import views

app_name = "movement"

# Export URLs end in the file's extension, so a saved link says what it downloads.
EXPORT = r"export\.(?P<fmt>xlsx|csv)$"

urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    re_path(rf"^campaigns/{EXPORT}", views.campaign_export, name="campaign_export"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign_detail"),
    path("awards/", views.AwardListView.as_view(), name="award_list"),
    re_path(rf"^awards/{EXPORT}", views.award_export, name="award_export"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/suggestions.json", views.unit_suggestions, name="unit_suggestions"),
    path("units/<slug:slug>/", views.unit_detail, name="unit_detail"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/<slug:slug>/", views.person_detail, name="person_detail"),
    path("years/<int:year>/", views.year_detail, name="year_detail"),
]
