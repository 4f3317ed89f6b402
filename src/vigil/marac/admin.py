"""The MARAC app in the admin: administrators set up each MARAC (its areas, rhythm, cut-off and member
agencies). Areas are never deleted: meetings and referrals keep pointing at them."""

from django.contrib import admin

from .models import MaracArea


@admin.register(MaracArea)
class MaracAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "meets_every_days", "anchor_date", "cut_off_working_days", "coordinating_team",
                    "women_aged_16_plus"]
    filter_horizontal = ["areas", "member_agencies"]

    def has_delete_permission(self, request, obj=None):
        return False
