"""Exports prepared in the background: one job per request, one part per department."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from departments.models import Department


class ExportJob(models.Model):
    """A big export someone asked for: what, for whom, how far, and the file once it is made."""

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        RUNNING = "running", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    # A key of exports.kinds.KINDS, and what the kind reads (year, department, queue filters).
    kind = models.CharField(_("kind"), max_length=30)
    params = models.JSONField(_("parameters"), default=dict)
    # The request's language: the workbooks say what the instant download would have said.
    language = models.CharField(max_length=10)
    title = models.CharField(_("title"), max_length=300)
    file_stem = models.CharField(max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.WAITING)
    total = models.PositiveIntegerField(_("departments"))
    done = models.PositiveIntegerField(_("departments done"), default=0)
    forms = models.PositiveIntegerField(_("forms"))
    file = models.FileField(_("file"), upload_to="exports/", blank=True, max_length=300)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # When the user saw that it was ready: until then it is an event on their dashboard.
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="export_done_of_total"),
            models.CheckConstraint(
                condition=~Q(state="ready") | (Q(finished_at__isnull=False) & ~Q(file="")),
                name="export_ready_has_file",
            ),
        ]
        indexes = [models.Index(fields=["user", "state"], name="export_user_state")]

    def __str__(self):
        return f"{self.title} · {self.user}"

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def finished(self):
        return self.state in (self.State.READY, self.State.FAILED, self.State.EXPIRED)


class ExportPart(models.Model):
    """One department's share of a job: its entries in a file of their own, until assembled."""

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Failure(models.TextChoices):
        NO_ACCESS = "no_access", _("You no longer see this department's forms.")
        ERROR = "error", _("Its forms could not be written, also after several attempts.")

    job = models.ForeignKey(ExportJob, on_delete=models.CASCADE, related_name="parts")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    # The zip's order: the departments' codes, as the instant download has them.
    position = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State, default=State.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    failure = models.CharField(max_length=20, choices=Failure, blank=True)
    # For the log and the administrator; the user reads `failure`.
    error = models.TextField(blank=True)
    file = models.CharField(max_length=300, blank=True)
    # What the kind keeps of the department for the last entries (汇总表's rows).
    rows = models.JSONField(default=list)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "department"], name="export_part_once"),
            models.CheckConstraint(
                condition=Q(state="failed") | Q(failure=""), name="export_part_failure_if_failed"
            ),
        ]

    def __str__(self):
        return f"{self.job_id} · {self.department_id}"
