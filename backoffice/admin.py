"""Administration: officers, their teams and permission groups, and teams."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.exceptions import HTTPException
from starlette.responses import Response
from wtforms import BooleanField, Form, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than the stubs
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from domain import accounts
from domain.history import Actor
from domain.ids import parse_id
from domain.models import Team, User
from domain.vocab import Permission
from web.context import Ctx
from web.views import officer_view

PERMISSION_CHOICES = [SelectChoice(p.value, p.value) for p in Permission]


class OfficerForm(Form):
    name = StringField(
        validators=[
            InputRequired("Enter the officer's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ]
    )
    team = SelectField(choices=[], validate_choice=True, default="")
    active = BooleanField()
    permissions = SelectMultipleField(
        choices=PERMISSION_CHOICES,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )
    version = HiddenField()


class NewOfficerForm(OfficerForm):
    email = StringField(
        validators=[
            InputRequired("Enter the officer's work email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
        ]
    )
    password = StringField(
        validators=[Length(max=256, message="Password must be 256 characters or fewer")]
    )


class TeamForm(Form):
    name = StringField(
        validators=[
            InputRequired("Enter the team's name"),
            Length(max=100, message="Team name must be 100 characters or fewer"),
        ]
    )
    allows_cases = BooleanField()
    active = BooleanField(default=True)


def _team_choices(ctx: Ctx) -> list[SelectChoice]:
    teams = ctx.db.scalars(select(Team).order_by(Team.name)).all()
    return [SelectChoice("", "No team")] + [SelectChoice(str(t.id), t.name) for t in teams]


@officer_view(Permission.ADMIN)
def users(ctx: Ctx) -> Response:
    officers = ctx.db.scalars(
        select(User)
        .order_by(User.active.desc(), User.name)
        .options(selectinload(User.permission_rows), selectinload(User.team))
    ).all()
    teams = ctx.db.scalars(select(Team).order_by(Team.name)).all()
    return ctx.render("backoffice/admin/users.html", officers=officers, teams=teams)


@officer_view(Permission.ADMIN)
def user_edit(ctx: Ctx) -> Response:
    assert ctx.user is not None
    user = ctx.db.get(User, ctx.request.path_params["user_id"])
    if user is None:
        raise HTTPException(404)
    form = OfficerForm(
        ctx.form,
        data={
            "name": user.name,
            "team": str(user.team_id or ""),
            "active": user.active,
            "permissions": [p.value for p in user.permissions],
            "version": str(user.version),
        },
    )
    form.team.choices = _team_choices(ctx)
    if ctx.is_post and form.validate():
        saved = ctx.attempt(
            accounts.update_officer,
            Actor.officer(ctx.user),
            user,
            expected_version=parse_id(form.version.data) or 0,
            name=form.name.data or "",
            team_id=parse_id(form.team.data) if form.team.data else None,
            active=bool(form.active.data),
            permissions=[Permission(p) for p in form.permissions.data or []],
            acting_user_id=ctx.user.id,
        )
        if saved:
            ctx.flash(f"{saved.result.name}'s account has been saved.")
            return ctx.redirect("backoffice:admin_users")
    return ctx.render("backoffice/admin/user_edit.html", form=form, officer=user)


@officer_view(Permission.ADMIN)
def user_new(ctx: Ctx) -> Response:
    assert ctx.user is not None
    form = NewOfficerForm(ctx.form, data={"active": True})
    form.team.choices = _team_choices(ctx)
    local = ctx.state.officer_oidc is None
    if ctx.is_post and form.validate():
        team_id = parse_id(form.team.data)
        created = ctx.attempt(
            accounts.create_officer,
            Actor.officer(ctx.user),
            email=form.email.data or "",
            name=form.name.data or "",
            permissions=[Permission(p) for p in form.permissions.data or []],
            password=(form.password.data or None) if local else None,
            team=ctx.db.get(Team, team_id) if team_id else None,
        )
        if created:
            ctx.flash(f"{created.result.name}'s account has been created.")
            return ctx.redirect("backoffice:admin_users")
    return ctx.render("backoffice/admin/user_new.html", form=form, local=local)


@officer_view(Permission.ADMIN)
def team_new(ctx: Ctx) -> Response:
    assert ctx.user is not None
    form = TeamForm(ctx.form, data={"allows_cases": True, "active": True})
    if ctx.is_post and form.validate():
        created = ctx.attempt(
            accounts.save_team,
            Actor.officer(ctx.user),
            None,
            name=form.name.data or "",
            allows_cases=bool(form.allows_cases.data),
        )
        if created:
            ctx.flash(f"Team {created.result.name} has been created.")
            return ctx.redirect("backoffice:admin_users")
    return ctx.render("backoffice/admin/team.html", form=form, team=None)


@officer_view(Permission.ADMIN)
def team_edit(ctx: Ctx) -> Response:
    assert ctx.user is not None
    team = ctx.db.get(Team, ctx.request.path_params["team_id"])
    if team is None:
        raise HTTPException(404)
    form = TeamForm(
        ctx.form, data={"name": team.name, "allows_cases": team.allows_cases, "active": team.active}
    )
    if ctx.is_post and form.validate():
        saved = ctx.attempt(
            accounts.save_team,
            Actor.officer(ctx.user),
            team,
            name=form.name.data or "",
            allows_cases=bool(form.allows_cases.data),
            active=bool(form.active.data),
        )
        if saved:
            ctx.flash(f"Team {saved.result.name} has been saved.")
            return ctx.redirect("backoffice:admin_users")
    return ctx.render("backoffice/admin/team.html", form=form, team=team)
