"""Portal routes. Route names are used by templates and tests (`url_for("home")`)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

import web.convertors  # noqa: F401  (registers the {name:id} path convertor)
from portal import (
    account,
    apply,
    apply_check,
    case,
    changes,
    devmail,
    evidence,
    pages,
    referrals,
)

GET_POST = ["GET", "POST"]

routes: list[BaseRoute] = [
    Route("/", pages.home, name="home"),
    Route("/accessibility", pages.accessibility, name="accessibility"),
    Route("/privacy", pages.privacy, name="privacy"),
    Route("/sign-in", account.sign_in, methods=GET_POST, name="sign_in"),
    Route("/sign-in/external", account.external_start, name="applicant_oidc_start"),
    Route("/sign-in/external/callback", account.external_callback, name="applicant_oidc_callback"),
    Route("/sign-out", account.sign_out, methods=["POST"], name="sign_out"),
    Route("/signed-out", account.signed_out, name="signed_out"),
    Route("/create-account", account.create_account, methods=GET_POST, name="create_account"),
    Route("/create-account/check-email", account.check_email, name="account_check_email"),
    Route("/confirm-email", account.verify_email, name="account_verify"),
    Route(
        "/forgotten-password",
        account.password_reset_request,
        methods=GET_POST,
        name="password_reset_request",
    ),
    Route("/forgotten-password/sent", account.password_reset_sent, name="password_reset_sent"),
    Route("/reset-password", account.password_reset, methods=GET_POST, name="password_reset"),
    Route("/account", account.account, name="account"),
    Route(
        "/account/change-password",
        account.change_password,
        methods=GET_POST,
        name="change_password",
    ),
    Route("/account/link-case", account.link_case, methods=GET_POST, name="link_case"),
    Route("/your-case", case.your_case, name="your_case"),
    Route(
        "/your-case/evidence/{request_id:id}",
        evidence.send_evidence,
        methods=GET_POST,
        name="send_evidence",
    ),
    Route("/report-a-change", changes.choose, methods=GET_POST, name="report_change"),
    Route(
        "/report-a-change/{kind}",
        changes.change_form,
        methods=GET_POST,
        name="report_change_form",
    ),
    Route(
        "/report-a-change/{kind}/check",
        changes.check,
        methods=GET_POST,
        name="report_change_check",
    ),
    Route("/your-changes", changes.your_changes, name="your_changes"),
    Route("/your-changes/{change_id:id}", changes.change_detail, name="change_detail"),
    Route(
        "/your-changes/{change_id:id}/sent",
        changes.confirmation,
        name="change_confirmation",
    ),
    Route(
        "/your-changes/{change_id:id}/withdraw",
        changes.withdraw,
        methods=GET_POST,
        name="change_withdraw",
    ),
    Route(
        "/your-changes/{change_id:id}/files/{file_id:id}",
        changes.change_file,
        name="change_file",
    ),
    # Homeless referrals: a public body's referral, and a self-referral (same pages).
    Route("/refer", referrals.referrer_start, name="referral_start"),
    Route("/refer/check", referrals.referrer_check, methods=GET_POST, name="referral_check"),
    Route("/refer/sent", referrals.referrer_sent, name="referral_sent"),
    Route("/refer/no-consent", referrals.referrer_no_consent, name="referral_no_consent"),
    Route("/refer/{step}", referrals.referrer_step, methods=GET_POST, name="referral_step"),
    Route("/refer-yourself", referrals.self_start, name="self_referral_start"),
    Route(
        "/refer-yourself/check", referrals.self_check, methods=GET_POST, name="self_referral_check"
    ),
    Route("/refer-yourself/sent", referrals.self_sent, name="self_referral_sent"),
    Route("/refer-yourself/no-consent", referrals.self_no_consent, name="self_referral_no_consent"),
    Route(
        "/refer-yourself/{step}", referrals.self_step, methods=GET_POST, name="self_referral_step"
    ),
    Route("/referral-status", referrals.status, name="referral_status"),
    # Applying to join the housing register (signed in: the answers are kept for 30 days).
    Route("/apply", apply.start, name="apply_start"),
    Route("/apply/tasks", apply.tasks, name="apply_tasks"),
    Route("/apply/check", apply_check.check, methods=GET_POST, name="apply_check"),
    Route("/apply/sent", apply_check.sent, name="apply_sent"),
    Route("/apply/saved", apply.saved, name="apply_saved"),
    Route("/apply/cannot-apply/{reason}", apply.cannot_apply, name="apply_exit"),
    Route("/apply/{step}", apply.step_page, methods=GET_POST, name="apply_step"),
]

# Only in the embedded default, where mail goes to a local folder instead of a mail server.
embedded_routes: list[BaseRoute] = [Route("/dev/mail", devmail.dev_mail, name="dev_mail")]
