from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.texts import SHORT_TEXT, OneLineField, text_constraints


class FinanceBureau(models.Model):
    """A 财政局: its reviewers review the forms of the departments it oversees."""

    code = OneLineField(_("code"), max_length=32, unique=True)
    name = OneLineField(_("name"), max_length=SHORT_TEXT, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("finance bureau")
        verbose_name_plural = _("finance bureaus")
        constraints = text_constraints("bureau", one_line=["code", "name"])

    def __str__(self):
        return self.name


class Department(models.Model):
    """A 部门 or one of its 二级预算单位 (a child of its 主管部门)."""

    code = OneLineField(_("code"), max_length=32, unique=True)
    name = OneLineField(_("name"), max_length=SHORT_TEXT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("supervising department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    bureau = models.ForeignKey(
        FinanceBureau,
        verbose_name=_("finance bureau"),
        on_delete=models.PROTECT,
        related_name="departments",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="department_not_own_parent"
            ),
            *text_constraints("department", one_line=["code", "name"]),
        ]

    def __str__(self):
        return self.name

    @property
    def supervising(self):
        """The 主管部门: the top of this department's tree."""
        node = self
        while node.parent_id:
            node = node.parent
        return node


class Membership(models.Model):
    class Role(models.TextChoices):
        EDITOR = "editor", _("Editor")
        VIEWER = "viewer", _("Viewer")
        # A reviewer at this department as 主管部门: of the forms of its 二级单位 (its children).
        SUPERVISOR = "supervisor", _("主管部门 reviewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.VIEWER)

    class Meta:
        verbose_name = _("department membership")
        verbose_name_plural = _("department memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="one_role_per_department"),
            models.CheckConstraint(
                condition=models.Q(role__in=["editor", "viewer", "supervisor"]),
                name="membership_role_known",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.department} · {self.get_role_display()}"


class BureauMembership(models.Model):
    """A reviewer of a finance bureau."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bureau_memberships"
    )
    bureau = models.ForeignKey(FinanceBureau, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        constraints = [
            models.UniqueConstraint(fields=["user", "bureau"], name="one_reviewer_per_bureau"),
        ]

    def __str__(self):
        return f"{self.user} · {self.bureau}"
