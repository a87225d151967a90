"""What kinds of thing history records, each with the words the History tab shows.

The `history_event.kind` column only takes these values (a CHECK constraint built from the
enum); adding a kind means adding it here, with its label, and a migration that widens the
constraint (see domain/migrations/versions/0014_notes_alerts_actions.py).
"""

from __future__ import annotations

from enum import StrEnum


class HistoryKind(StrEnum):
    CASE_CREATED = "case.created"
    CASE_CIRCUMSTANCES = "case.circumstances"
    CASE_CLOSED = "case.closed"
    CASE_REOPENED = "case.reopened"
    CASE_OFFICERS = "case.officers"
    CASE_DETAILS = "case.details"
    HOUSEHOLD_JOINED = "household.joined"
    HOUSEHOLD_LEFT = "household.left"
    HOUSEHOLD_PRIMARY_SWITCHED = "household.primary_switched"
    HOUSEHOLD_COUPLE = "household.couple"
    HOUSEHOLD_COUPLE_ENDED = "household.couple_ended"
    HOUSEHOLD_RELATIONSHIP = "household.relationship"
    HOUSEHOLD_MEMBER_UPDATED = "household.member_updated"
    PERSON_CREATED = "person.created"
    PERSON_CONTACT = "person.contact"
    PERSON_ADDRESS = "person.address"
    PERSON_PREGNANCY = "person.pregnancy"
    PERSON_DETAILS = "person.details"
    PERSON_RELATIONSHIP = "person.relationship"
    STRAND_OPENED = "strand.opened"
    STRAND_STATUS_CHANGED = "strand.status_changed"
    STRAND_UPDATED = "strand.updated"
    STRAND_ACTION_RECORDED = "strand.action_recorded"
    STRAND_MOVED_OUT = "strand.moved_out"
    STRAND_MOVED_IN = "strand.moved_in"
    STRAND_TYPE_SAVED = "strand_type.saved"
    NOTE_ADDED = "note.added"
    NOTE_EDITED = "note.edited"
    ALERT_ADDED = "alert.added"
    ALERT_REMOVED = "alert.removed"
    ACTION_ADDED = "action.added"
    ACTION_DONE = "action.done"
    FILE_UPLOADED = "file.uploaded"
    FILE_REMOVED = "file.removed"
    LETTER_GENERATED = "letter.generated"
    LETTER_TEMPLATE_SAVED = "letter_template.saved"
    TASK_CREATED = "task.created"
    TASK_COMPLETED = "task.completed"
    TASK_HELD = "task.held"
    TASK_RELEASED = "task.released"
    TASK_REASSIGNED = "task.reassigned"
    TASK_CANCELLED = "task.cancelled"
    LIST_SAVED = "list.saved"
    LIST_DELETED = "list.deleted"
    EXPORT_REQUESTED = "export.requested"
    EXPORT_DOWNLOADED = "export.downloaded"
    MESSAGE_SENT = "message.sent"
    MESSAGE_FAILED = "message.failed"
    MESSAGE_RETRIED = "message.retried"
    MESSAGE_TEMPLATE_SAVED = "message_template.saved"
    BEDROOM_RECALCULATED = "bedroom.recalculated"
    BEDROOM_OVERRIDDEN = "bedroom.overridden"
    BEDROOM_OVERRIDE_REMOVED = "bedroom.override_removed"
    BEDROOM_NEED_CHANGED = "bedroom.need_changed"
    BEDROOM_RECALCULATION_FAILED = "bedroom.recalculation_failed"
    BEDROOM_FLAG_CLEARED = "bedroom.flag_cleared"
    BEDROOM_POLICY_CHANGED = "bedroom.policy_changed"
    CHANGE_SUBMITTED = "change.submitted"
    CHANGE_WITHDRAWN = "change.withdrawn"
    CHANGE_ASSIGNED = "change.assigned"
    CHANGE_ACCEPTED = "change.accepted"
    CHANGE_REJECTED = "change.rejected"
    REFERRAL_RECEIVED = "referral.received"
    PORTAL_LINKED = "portal.linked"
    OFFICER_CREATED = "officer.created"
    OFFICER_PROVISIONED = "officer.provisioned"
    OFFICER_RENAMED = "officer.renamed"
    OFFICER_UPDATED = "officer.updated"
    TEAM_CREATED = "team.created"
    TEAM_UPDATED = "team.updated"
    COUNCIL_SETTING_CHANGED = "council_setting.changed"
    APPLICATION_SUBMITTED = "application.submitted"
    EVIDENCE_REQUESTED = "evidence.requested"
    EVIDENCE_SENT = "evidence.sent"
    EVIDENCE_ACCEPTED = "evidence.accepted"
    EVIDENCE_ASKED_AGAIN = "evidence.asked_again"
    EVIDENCE_CANCELLED = "evidence.cancelled"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: dict[HistoryKind, str] = {
    HistoryKind.CASE_CREATED: "Case opened",
    HistoryKind.CASE_CIRCUMSTANCES: "Change of circumstances noted",
    HistoryKind.CASE_CLOSED: "Case closed",
    HistoryKind.CASE_REOPENED: "Case reopened",
    HistoryKind.CASE_OFFICERS: "Officers on the case changed",
    HistoryKind.CASE_DETAILS: "Case details changed",
    HistoryKind.HOUSEHOLD_JOINED: "Joined the household",
    HistoryKind.HOUSEHOLD_LEFT: "Left the household",
    HistoryKind.HOUSEHOLD_PRIMARY_SWITCHED: "Primary applicant changed",
    HistoryKind.HOUSEHOLD_COUPLE: "Couple recorded",
    HistoryKind.HOUSEHOLD_COUPLE_ENDED: "Couple ended",
    HistoryKind.HOUSEHOLD_RELATIONSHIP: "Relationship changed",
    HistoryKind.HOUSEHOLD_MEMBER_UPDATED: "Household member's details changed",
    HistoryKind.PERSON_CREATED: "Person added",
    HistoryKind.PERSON_CONTACT: "Contact details changed",
    HistoryKind.PERSON_ADDRESS: "Address changed",
    HistoryKind.PERSON_PREGNANCY: "Pregnancy recorded",
    HistoryKind.PERSON_DETAILS: "Personal details changed",
    HistoryKind.PERSON_RELATIONSHIP: "Relationship between people changed",
    HistoryKind.STRAND_OPENED: "Application or assessment opened",
    HistoryKind.STRAND_STATUS_CHANGED: "Status changed",
    HistoryKind.STRAND_UPDATED: "Application or assessment updated",
    HistoryKind.STRAND_ACTION_RECORDED: "Case action recorded",
    HistoryKind.STRAND_MOVED_OUT: "Moved to another case",
    HistoryKind.STRAND_MOVED_IN: "Moved in from another case",
    HistoryKind.STRAND_TYPE_SAVED: "Application or assessment type saved",
    HistoryKind.NOTE_ADDED: "Note added",
    HistoryKind.NOTE_EDITED: "Note corrected",
    HistoryKind.ALERT_ADDED: "Alert added",
    HistoryKind.ALERT_REMOVED: "Alert removed",
    HistoryKind.ACTION_ADDED: "Action added",
    HistoryKind.ACTION_DONE: "Action done or closed",
    HistoryKind.FILE_UPLOADED: "File uploaded",
    HistoryKind.FILE_REMOVED: "File removed",
    HistoryKind.LETTER_GENERATED: "Letter generated",
    HistoryKind.LETTER_TEMPLATE_SAVED: "Letter template saved",
    HistoryKind.TASK_CREATED: "Task created",
    HistoryKind.TASK_COMPLETED: "Task done",
    HistoryKind.TASK_HELD: "Task put on hold",
    HistoryKind.TASK_RELEASED: "Task off hold",
    HistoryKind.TASK_REASSIGNED: "Task reassigned",
    HistoryKind.TASK_CANCELLED: "Tasks cancelled",
    HistoryKind.LIST_SAVED: "List saved",
    HistoryKind.LIST_DELETED: "List deleted",
    HistoryKind.EXPORT_REQUESTED: "Export requested",
    HistoryKind.EXPORT_DOWNLOADED: "Export downloaded",
    HistoryKind.MESSAGE_SENT: "Message sent",
    HistoryKind.MESSAGE_FAILED: "Message not delivered",
    HistoryKind.MESSAGE_RETRIED: "Message sent again",
    HistoryKind.MESSAGE_TEMPLATE_SAVED: "Message template saved",
    HistoryKind.BEDROOM_RECALCULATED: "Bedroom need calculated",
    HistoryKind.BEDROOM_OVERRIDDEN: "Bedroom need overridden",
    HistoryKind.BEDROOM_OVERRIDE_REMOVED: "Bedroom need override removed",
    HistoryKind.BEDROOM_NEED_CHANGED: "Bedroom need changed",
    HistoryKind.BEDROOM_RECALCULATION_FAILED: "Bedroom need could not be calculated",
    HistoryKind.BEDROOM_FLAG_CLEARED: "Bedroom review flag cleared",
    HistoryKind.BEDROOM_POLICY_CHANGED: "Council bedroom policy changed",
    HistoryKind.CHANGE_SUBMITTED: "Change reported on the portal",
    HistoryKind.CHANGE_WITHDRAWN: "Change withdrawn",
    HistoryKind.CHANGE_ASSIGNED: "Change assigned",
    HistoryKind.CHANGE_ACCEPTED: "Change accepted",
    HistoryKind.CHANGE_REJECTED: "Change rejected",
    HistoryKind.REFERRAL_RECEIVED: "Referral received",
    HistoryKind.PORTAL_LINKED: "Portal account linked",
    HistoryKind.OFFICER_CREATED: "Officer added",
    HistoryKind.OFFICER_PROVISIONED: "Officer waiting for access",
    HistoryKind.OFFICER_RENAMED: "Officer renamed",
    HistoryKind.OFFICER_UPDATED: "Officer updated",
    HistoryKind.TEAM_CREATED: "Team added",
    HistoryKind.TEAM_UPDATED: "Team updated",
    HistoryKind.COUNCIL_SETTING_CHANGED: "Council setting changed",
    HistoryKind.APPLICATION_SUBMITTED: "Applied online",
    HistoryKind.EVIDENCE_REQUESTED: "Evidence asked for",
    HistoryKind.EVIDENCE_SENT: "Evidence sent",
    HistoryKind.EVIDENCE_ACCEPTED: "Evidence accepted",
    HistoryKind.EVIDENCE_ASKED_AGAIN: "Evidence asked for again",
    HistoryKind.EVIDENCE_CANCELLED: "Evidence request cancelled",
}

assert set(LABELS) == set(HistoryKind), "every history kind needs a label"


def label_of(kind: str) -> str:
    """The label for a stored kind (kinds no longer in use are worded from their code)."""
    try:
        return HistoryKind(kind).label
    except ValueError:
        words = kind.replace(".", " ").replace("_", " ").strip()
        return words[:1].upper() + words[1:]


__all__ = ["LABELS", "HistoryKind", "label_of"]
