from django.urls import path

from beatbook.analytics import import_views, views

app_name = "analytics"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("workload/", views.WorkloadView.as_view(), name="workload"),
    path("diversion/", views.DiversionView.as_view(), name="diversion"),
    path("feedback/", views.FeedbackView.as_view(), name="feedback"),
    path("casework/", views.CaseworkView.as_view(), name="casework"),
    path("before-after/", views.EffectivenessView.as_view(), name="effectiveness"),
    path("report.pdf", views.MonthlyReportView.as_view(), name="report"),
    path("export/<slug:figure>.csv", views.ExportView.as_view(), name="export"),
    path("hot-spots.geojson", views.HotspotMapView.as_view(), name="hotspot_map"),
    path("open-data.<slug:extension>", views.OpenDataView.as_view(), name="open_data"),
    path("imports/", import_views.ImportsView.as_view(), name="imports"),
    path(
        "imports/mappings/<slug:name>.toml",
        import_views.MappingToStartFromView.as_view(),
        name="mapping_to_start_from",
    ),
    path("imports/<int:pk>/again/", import_views.ImportRetryView.as_view(), name="import_retry"),
    path("imports/<int:pk>/remove/", import_views.ImportRemoveView.as_view(), name="import_remove"),
    path(
        "imports/<int:pk>/import/", import_views.ImportCheckedView.as_view(), name="import_checked"
    ),
    path(
        "imports/<int:pk>/discard/", import_views.ImportDiscardView.as_view(), name="import_discard"
    ),
    path("imports/<int:pk>/", import_views.ImportCoverageView.as_view(), name="import_coverage"),
    path(
        "imports/<int:pk>/unmapped.<slug:export>",
        import_views.ImportCoverageView.as_view(),
        name="import_unmapped",
    ),
    path(
        "imports/<int:pk>/corrections/",
        import_views.ImportCorrectView.as_view(),
        name="import_correct",
    ),
    path(
        "imports/<int:pk>/mapping.toml",
        import_views.ImportMappingView.as_view(),
        name="import_mapping",
    ),
    path(
        "imports/<int:pk>/rejects.csv",
        import_views.ImportRejectsView.as_view(),
        name="import_rejects",
    ),
]
