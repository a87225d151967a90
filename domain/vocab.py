"""Controlled vocabularies shared by the model, forms and demo data."""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    NOT_RECORDED = "X"

    @property
    def label(self) -> str:
        return {"F": "Female", "M": "Male", "X": "Not recorded or other"}[self.value]


class CaseStatus(StrEnum):
    ACTIVE = "Active"
    CLOSED = "Closed"


class OfficerRole(StrEnum):
    PRIMARY = "Primary"
    SECONDARY = "Secondary"
    SUPERVISOR = "Supervisor"
    OTHER = "Other"


class Permission(StrEnum):
    """Permission groups an officer can hold; every back-office route names one."""

    PEOPLE = "People"
    CASES = "Cases"
    QUEUE = "Queue"
    BEDROOM_ASSESSMENTS = "Cases: bedroom assessments"
    RESTRICTED = "Cases: restricted"
    MOVE_STRANDS = "Move strands"
    EXPORT = "Export"
    # A team's workload (each officer's open and overdue work) and the work of any team.
    SUPERVISE = "Supervise teams"
    ADMIN = "Admin"


class ActorKind(StrEnum):
    OFFICER = "officer"
    APPLICANT = "applicant"
    REFERRER = "referrer"
    SYSTEM = "system"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# Relationship of a household member to the primary applicant.
SELF = "Self"
COUPLE_RELATIONSHIPS = ("Partner", "Spouse", "Civil partner")
RELATIONSHIPS = (
    *COUPLE_RELATIONSHIPS,
    "Son",
    "Daughter",
    "Stepchild",
    "Foster child",
    "Grandchild",
    "Parent",
    "Grandparent",
    "Brother",
    "Sister",
    "Other relative",
    "Carer",
    "Friend or lodger",
    "Other",
)
CONTACT_METHODS = ("Email", "Phone", "Text message", "Letter")
