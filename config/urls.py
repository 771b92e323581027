from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from config.health import healthz
from evaluations import excel_views, oversight_views, review_views, views
from exports import views as export_views
from publishing import views as publishing_views
from reports import views as report_views

# A database outage answers 503 with a plain page instead of 500 (config/outage.py).
handler500 = "config.outage.server_error"
handler400 = "config.outage.bad_request"

urlpatterns = [
    path("", views.home, name="home"),
    path("evaluations/", views.evaluation_list, name="evaluation_list"),
    path("evaluations/new/", views.evaluation_new, name="evaluation_new"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/edit/", views.evaluation_edit, name="evaluation_edit"),
    path("evaluations/<int:pk>/copy/", views.evaluation_copy, name="evaluation_copy"),
    path("evaluations/<int:pk>/excel/", excel_views.evaluation_excel, name="evaluation_excel"),
    path("evaluations/<int:pk>/pdf/", publishing_views.evaluation_pdf, name="evaluation_pdf"),
    path("evaluations/export/", excel_views.year_export, name="excel_year_export"),
    path("evaluations/import/", excel_views.import_upload, name="excel_import"),
    path(
        "evaluations/import/<slug:token>/",
        excel_views.import_preview,
        name="excel_import_preview",
    ),
    path("evaluations/<int:pk>/submit/", review_views.evaluation_submit, name="evaluation_submit"),
    path(
        "evaluations/<int:pk>/withdraw/",
        review_views.evaluation_withdraw,
        name="evaluation_withdraw",
    ),
    path("evaluations/<int:pk>/review/", review_views.evaluation_review, name="evaluation_review"),
    path("evaluations/<int:pk>/reopen/", review_views.evaluation_reopen, name="evaluation_reopen"),
    path(
        "reports/<int:department>/<int:year>/",
        report_views.report_detail,
        name="report_detail",
    ),
    path(
        "reports/<int:department>/<int:year>/edit/",
        report_views.report_edit,
        name="report_edit",
    ),
    path(
        "reports/<int:department>/<int:year>/print/",
        publishing_views.report_print,
        name="report_print",
    ),
    path(
        "reports/<int:department>/<int:year>/pdf/",
        publishing_views.report_pdf,
        name="report_pdf_export",
    ),
    path(
        "reports/<int:department>/<int:year>/docx/",
        publishing_views.report_docx,
        name="report_docx_export",
    ),
    path(
        "reports/<int:department>/<int:year>/publication.zip",
        publishing_views.report_package,
        name="report_package_export",
    ),
    path("review/", review_views.review_queue, name="review_queue"),
    path("review/export/", excel_views.queue_export, name="excel_queue_export"),
    path("review/overview/", review_views.review_overview, name="review_overview"),
    path("review/sampling/", oversight_views.sampling_page, name="sampling"),
    path("review/sampling/change/", oversight_views.sampling_action, name="sampling_action"),
    path("review/results/", oversight_views.results_page, name="results"),
    path("review/results.xlsx", oversight_views.results_download, name="results_download"),
    path("exports/", export_views.export_jobs, name="export_jobs"),
    path("exports/<int:pk>/", export_views.export_job, name="export_job"),
    path("exports/<int:pk>/status/", export_views.export_job_status, name="export_job_status"),
    path(
        "exports/<int:pk>/download/", export_views.export_job_download, name="export_job_download"
    ),
    path(
        "review/results/publication.zip",
        oversight_views.publication_package,
        name="publication_package_export",
    ),
    path("notifications/read/", review_views.notifications_read, name="notifications_read"),
    # The review steps of the department reports.
    path("reports/", include("reports.review_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Choosing the page's language is allowed before logging in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
