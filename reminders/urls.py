from django.urls import path

from reminders.views import kinds, log, preferences

app_name = "reminders"

urlpatterns = [
    path("reminders/", log.LogPage.as_view(), name="log"),
    path("reminders/scheduled/", log.ScheduledPage.as_view(), name="scheduled"),
    path("reminders/<int:pk>/send-again/", log.SendAgainPage.as_view(), name="send_again"),
    path("reminders/bounced/new/", log.BounceAddPage.as_view(), name="bounce_add"),
    path("reminders/bounced/<int:pk>/clear/", log.BounceClearPage.as_view(),
         name="bounce_clear"),
    path("reminders/kinds/", kinds.KindListPage.as_view(), name="kinds"),
    path("reminders/kinds/<str:kind>/", kinds.KindUpdatePage.as_view(), name="kind_update"),
    path("reminders/preferences/", preferences.PreferencesPage.as_view(), name="preferences"),
    path("reminders/unsubscribe/<str:token>/", preferences.UnsubscribePage.as_view(),
         name="unsubscribe"),
]
