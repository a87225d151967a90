"""Back-office routes, mounted at /backoffice. Every endpoint is wrapped by `officer_view`,
which declares the permission it needs (a meta-test checks this)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from backoffice import admin, auth, home

GET_POST = ["GET", "POST"]

routes: list[BaseRoute] = [
    Route("/", home.home, name="home"),
    Route("/sign-in", auth.sign_in, methods=GET_POST, name="sign_in"),
    Route("/sign-in/provider", auth.oidc_start, name="oidc_start"),
    Route("/sign-in/callback", auth.oidc_callback, name="oidc_callback"),
    Route("/sign-out", auth.sign_out, methods=["POST"], name="sign_out"),
    Route("/signed-out", auth.signed_out, name="signed_out"),
    Route("/admin/users", admin.users, name="admin_users"),
    Route("/admin/users/new", admin.user_new, methods=GET_POST, name="admin_user_new"),
    Route("/admin/users/{user_id:int}", admin.user_edit, methods=GET_POST, name="admin_user"),
    Route("/admin/teams/new", admin.team_new, methods=GET_POST, name="admin_team_new"),
    Route("/admin/teams/{team_id:int}", admin.team_edit, methods=GET_POST, name="admin_team"),
]
