from django import template
from django.conf import settings

from exports.models import ExportJob

register = template.Library()


@register.filter
def in_background(count):
    """Whether an export of `count` forms is prepared as a job rather than sent at once: its
    link then opens the job's page instead of starting a download."""
    return int(count) > settings.EXPORT_JOB_THRESHOLD


@register.inclusion_tag("exports/_ready.html", takes_context=True)
def ready_exports(context):
    """The user's exports finished since they last looked: the dashboard's event of them."""
    user = context["request"].user
    finished = ExportJob.objects.filter(
        user=user, seen_at__isnull=True, state__in=[ExportJob.State.READY, ExportJob.State.FAILED]
    )
    return {"jobs": list(finished[:10])}
