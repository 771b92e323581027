"""The Django admin, open to administrators only.

Model admins are not scoped by department, so a staff user holding model permissions would
otherwise read every department's forms there; departments/access.py decides who is one.
"""

from django.contrib import admin

from departments import access


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        return access.is_admin(request.user)
