from django.contrib.admin.apps import AdminConfig as BaseAdminConfig


class AdminConfig(BaseAdminConfig):
    # Resolved once models are loaded; config/admin_site.py imports them.
    default_site = "config.admin_site.AdminSite"
