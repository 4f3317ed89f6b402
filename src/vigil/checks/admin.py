"""Administrators edit the call takers' guidance (every edit kept as a revision) and the background-check
policy (each change in the admin's history)."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from .models import CheckRule, GuidanceRevision, GuidanceTopic


class GuidanceTopicForm(forms.ModelForm):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14, "cols": 90}),
                           help_text="One point per line. Start a line with '- ' for a bullet.")
    note = forms.CharField(label="What changed and why", max_length=200, required=False)

    class Meta:
        model = GuidanceTopic
        fields = ["title", "slug", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.current if self.instance.pk else None
        if current is not None:
            self.fields["body"].initial = current.body


class GuidanceRevisionInline(admin.TabularInline):
    model = GuidanceRevision
    fields = ["revised_at", "revised_by", "note", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "History (newest first): revisions are kept and never changed"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GuidanceTopic)
class GuidanceTopicAdmin(admin.ModelAdmin):
    form = GuidanceTopicForm
    list_display = ["title", "position", "last_revised"]
    fields = ["title", "slug", "position", "body", "note"]
    inlines = [GuidanceRevisionInline]
    prepopulated_fields = {"slug": ["title"]}

    @admin.display(description="Last revised")
    def last_revised(self, topic):
        current = topic.current
        return timezone.localtime(current.revised_at).strftime("%d %b %Y %H:%M") if current else "Never"

    def has_delete_permission(self, request, obj=None):
        return False  # retire a topic by editing it; its history stays

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        body = form.cleaned_data["body"].replace("\r\n", "\n").strip()
        current = obj.current
        if current is None or current.body != body:
            GuidanceRevision.objects.create(topic=obj, body=body, revised_at=timezone.now(), revised_by=request.user,
                                            note=form.cleaned_data.get("note", ""))


@admin.register(GuidanceRevision)
class GuidanceRevisionAdmin(admin.ModelAdmin):
    list_display = ["topic", "revised_at", "revised_by", "note"]
    list_filter = ["topic"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CheckRule)
class CheckRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "performed_by", "team", "domestic_abuse_only", "grades", "deadline_minutes", "active"]
    list_filter = ["kind", "performed_by", "active"]

    def has_delete_permission(self, request, obj=None):
        return False  # switch a rule off instead, so the checks it made still name it
