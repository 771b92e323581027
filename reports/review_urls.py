"""The report's review steps, beside its pages: reports/<department>/<year>/…"""

from django.urls import path

from reports import review_views

urlpatterns = [
    path("<int:department>/<int:year>/submit/", review_views.report_submit, name="report_submit"),
    path(
        "<int:department>/<int:year>/withdraw/",
        review_views.report_withdraw,
        name="report_withdraw",
    ),
    path("<int:department>/<int:year>/review/", review_views.report_review, name="report_review"),
    path("<int:department>/<int:year>/reopen/", review_views.report_reopen, name="report_reopen"),
]
