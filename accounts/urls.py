from django.urls import include, path

from accounts import views

urlpatterns = [
    # Before Django's own, which it replaces: the same page, with limits.
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
    path("", include(([
        path("profile/", views.ProfileView.as_view(), name="profile"),
        path("tokens/new/", views.ApiTokenCreateView.as_view(), name="token_create"),
        path("tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="token_revoke"),
        path("users/", views.UserListView.as_view(), name="user_list"),
        path("users/new/", views.UserCreateView.as_view(), name="user_create"),
        path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
        path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user_update"),
        path("users/<int:pk>/active/", views.UserActiveView.as_view(), name="user_active"),
        path("users/<int:pk>/invite/", views.UserInviteView.as_view(), name="user_invite"),
    ], "accounts"))),
]
