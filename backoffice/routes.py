"""Back-office routes, mounted at /backoffice. Every endpoint is wrapped by `officer_view`,
which declares the permission it needs (a meta-test checks this)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

import web.convertors  # noqa: F401  (registers the {name:id} path convertor)
from backoffice import (
    admin,
    assessments,
    auth,
    case_admin,
    cases,
    home,
    people,
    policy,
    queue,
    referrals,
)

GET_POST = ["GET", "POST"]

routes: list[BaseRoute] = [
    Route("/", home.home, name="home"),
    Route("/sign-in", auth.sign_in, methods=GET_POST, name="sign_in"),
    Route("/sign-in/provider", auth.oidc_start, name="oidc_start"),
    Route("/sign-in/callback", auth.oidc_callback, name="oidc_callback"),
    Route("/sign-out", auth.sign_out, methods=["POST"], name="sign_out"),
    Route("/signed-out", auth.signed_out, name="signed_out"),
    Route("/queue", queue.queue_page, name="queue"),
    Route("/queue/next", queue.take_next, methods=["POST"], name="queue_next"),
    Route("/queue/{change_id:id}", queue.review, name="review"),
    Route("/queue/{change_id:id}/assign", queue.assign, methods=["POST"], name="review_assign"),
    Route("/queue/{change_id:id}/accept", queue.accept, methods=["POST"], name="review_accept"),
    Route("/queue/{change_id:id}/reject", queue.reject, methods=["POST"], name="review_reject"),
    Route("/files/{file_id:id}", queue.evidence_file, name="evidence_file"),
    Route("/people", people.people_search, name="people"),
    Route("/people/new", people.person_new, methods=GET_POST, name="person_new"),
    Route("/people/{person_id:id}", people.person_page, name="person"),
    Route("/people/{person_id:id}/edit", people.person_edit, methods=GET_POST, name="person_edit"),
    Route(
        "/people/{person_id:id}/relationships/add",
        people.relationship_add,
        methods=GET_POST,
        name="relationship_add",
    ),
    Route(
        "/people/{person_id:id}/relationships/remove",
        people.relationship_end,
        methods=["POST"],
        name="relationship_end",
    ),
    Route("/cases", cases.cases, name="cases"),
    Route("/cases/new", case_admin.case_new, methods=GET_POST, name="case_new"),
    Route("/cases/{case_id:id}", cases.case, name="case"),
    Route("/cases/{case_id:id}/people", cases.case_people, name="case_people"),
    Route(
        "/cases/{case_id:id}/people/add",
        case_admin.case_add_person,
        methods=GET_POST,
        name="case_add_person",
    ),
    Route(
        "/cases/{case_id:id}/people/{person_id:id}/edit",
        case_admin.case_edit_member,
        methods=GET_POST,
        name="case_edit_member",
    ),
    Route(
        "/cases/{case_id:id}/people/{person_id:id}/split",
        case_admin.case_split,
        methods=GET_POST,
        name="case_split",
    ),
    Route("/cases/{case_id:id}/case", case_admin.case_summary, name="case_summary"),
    Route(
        "/cases/{case_id:id}/restriction",
        case_admin.case_restriction,
        methods=GET_POST,
        name="case_restriction",
    ),
    Route(
        "/cases/{case_id:id}/details",
        case_admin.case_details,
        methods=GET_POST,
        name="case_details",
    ),
    Route("/cases/{case_id:id}/close", case_admin.case_close, methods=GET_POST, name="case_close"),
    Route(
        "/cases/{case_id:id}/reopen", case_admin.case_reopen, methods=GET_POST, name="case_reopen"
    ),
    Route(
        "/cases/{case_id:id}/people/switch-primary",
        cases.case_switch_primary,
        methods=GET_POST,
        name="case_switch_primary",
    ),
    Route("/cases/{case_id:id}/applications", assessments.case_strands, name="case_strands"),
    Route(
        "/cases/{case_id:id}/bedroom-assessment/recalculate",
        assessments.bedroom_recalculate,
        methods=["POST"],
        name="bedroom_recalculate",
    ),
    Route(
        "/cases/{case_id:id}/bedroom-assessment/override",
        assessments.bedroom_override,
        methods=["POST"],
        name="bedroom_override",
    ),
    Route(
        "/cases/{case_id:id}/bedroom-assessment/clear-override",
        assessments.bedroom_clear_override,
        methods=["POST"],
        name="bedroom_clear_override",
    ),
    Route(
        "/cases/{case_id:id}/bedroom-assessment/foster-carer",
        assessments.bedroom_foster_carer,
        methods=["POST"],
        name="bedroom_foster_carer",
    ),
    Route("/cases/{case_id:id}/portal", cases.case_portal, name="case_portal"),
    Route("/cases/{case_id:id}/history", cases.case_history, name="case_history"),
    Route(
        "/settings/bedroom-policy",
        policy.bedroom_policy,
        methods=GET_POST,
        name="bedroom_policy",
    ),
    Route("/referrals", referrals.referral_list, name="referrals"),
    Route("/referrals/{strand_id:id}", referrals.referral_page, name="referral"),
    Route(
        "/referrals/{strand_id:id}/actions",
        referrals.record_action,
        methods=["POST"],
        name="referral_action",
    ),
    Route("/referrals/{strand_id:id}/move", referrals.move, methods=["POST"], name="referral_move"),
    Route(
        "/referrals/{strand_id:id}/outcome",
        referrals.choose_outcome,
        methods=["POST"],
        name="referral_outcome",
    ),
    Route("/admin/users", admin.users, name="admin_users"),
    Route("/admin/users/new", admin.user_new, methods=GET_POST, name="admin_user_new"),
    Route("/admin/users/{user_id:id}", admin.user_edit, methods=GET_POST, name="admin_user"),
    Route("/admin/teams/new", admin.team_new, methods=GET_POST, name="admin_team_new"),
    Route("/admin/teams/{team_id:id}", admin.team_edit, methods=GET_POST, name="admin_team"),
]
