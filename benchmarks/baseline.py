"""The reference the award admin is measured against: a stock ModelAdmin, as a first version of
an admin usually looks, on an admin site of its own that only the benchmark mounts.

It shows three foreign keys, filters by year and searches the related names, all with Django's
defaults: the year filter lists the table's distinct years, nullable foreign keys are fetched one
query per row, the search is ``icontains`` across joins, and every page counts the whole table.
"""

from django.contrib import admin
from django.urls import include, path

from movement.models import Award

site = admin.AdminSite(name="baseline")


class StockAwardAdmin(admin.ModelAdmin):
    list_display = ["year", "award_type", "recipient_unit", "recipient_person", "decision_number"]
    list_filter = ["year"]
    search_fields = ["recipient_person__full_name", "recipient_unit__name", "award_type__name"]


site.register(Award, StockAwardAdmin)

PREFIX = "baseline-admin/"

# The benchmark's URLconf: the project's own URLs, and the stock admin beside them.
urlpatterns = [
    path(PREFIX, site.urls),
    path("", include("config.urls")),
]
