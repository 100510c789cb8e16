"""The reporting cycle of section V: periods, one report request per obliged unit and
period, the values and task answers a report holds, ad-hoc questions, edit conflicts kept
for resolution, and the log that keeps reminders from being sent twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from plans.models import ReportKind, ValueType


class Period(TimeStampedModel):
    """A reporting period of a plan, coded as DHIS2 writes periods: `2025S1` (the first
    half-year report), `2025` (the annual report); ad-hoc requests are coded `AH-2025-01`.

    `start`..`end` is the data window (Decree 09/2019: 15 December of the previous year to
    14 June, or to 14 December); `due_date` is the last day a report counts as on time (the
    plan says "before 15/6", so the due date is 14/6)."""

    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="periods"
    )
    code = models.CharField(_("code"), max_length=20)
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    instructions = models.TextField(_("instructions"), blank=True)
    start = models.DateField(_("data from"))
    end = models.DateField(_("data to"))
    due_date = models.DateField(_("due date (last day on time)"))
    include_plan_questions = models.BooleanField(
        _("include the plan's questions"),
        default=True,
        help_text=_("For ad-hoc requests: also ask the tasks and values of the periodic report."),
    )
    recipients = models.ManyToManyField(
        "orgunits.OrgUnit", verbose_name=_("recipients"), blank=True, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-due_date", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="period_unique_code"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="period_window_ordered"),
            models.CheckConstraint(
                condition=Q(kind__in=ReportKind.values), name="period_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_adhoc(self) -> bool:
        return self.kind == ReportKind.ADHOC

    @property
    def label(self) -> str:
        """How officials name the period: "6 tháng đầu năm 2025", "Năm 2025", or the title."""
        if self.kind == ReportKind.SEMIANNUAL:
            return str(_("First half of %(year)s")) % {"year": self.year}
        if self.kind == ReportKind.ANNUAL:
            return str(_("Year %(year)s")) % {"year": self.year}
        return self.title or self.code

    @property
    def label_in_text(self) -> str:
        """The label inside a sentence ("… báo cáo kỳ năm 2025"): a standard period's name
        without its capital; an ad-hoc request's title as written."""
        label = self.label
        return label if self.is_adhoc else label[:1].lower() + label[1:]


class AdhocQuestion(models.Model):
    """A question a coordinator asks in an ad-hoc request; the same value types and bounds
    as the plan's data elements."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(_("code"), max_length=60)
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("question"), max_length=300)
    name_en = models.CharField(_("English question"), max_length=300, blank=True)
    help_text = models.TextField(_("help text"), blank=True)
    value_type = models.CharField(_("value type"), max_length=10, choices=ValueType.choices)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    required = models.BooleanField(_("required"), default=False)
    min_value = models.DecimalField(
        _("minimum"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        verbose_name = _("ad-hoc question")
        verbose_name_plural = _("ad-hoc questions")
        ordering = ["period", "order"]
        constraints = [
            models.UniqueConstraint(fields=["period", "code"], name="adhocquestion_unique_code"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=F("min_value")),
                name="adhocquestion_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


EDITABLE_STATES = frozenset({ReportState.DRAFT, ReportState.RETURNED})


class ReportRequest(TimeStampedModel):
    """What one unit owes for one period: its report, with the workflow state
    (draft → submitted → accepted, or returned → submitted again) and a version number
    that every write increases, so two people editing the same draft cannot silently
    overwrite each other. `first_submitted_on` (local date) decides timeliness."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="requests"
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        related_name="report_requests",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    first_submitted_on = models.DateField(_("first submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return or reopening"), blank=True)
    # kept in the transaction that keeps or resolves a conflict copy, so that the report
    # page, opened on every save, asks for the copies only when there are some
    has_open_conflicts = models.BooleanField(_("has unresolved edit conflicts"), default=False)

    class Meta:
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        ordering = ["period", "org_unit__name_sort"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "org_unit"], name="reportrequest_unique_unit"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ReportState.values), name="reportrequest_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=ReportState.ACCEPTED) | Q(accepted_at__isnull=False),
                name="reportrequest_accepted_has_time",
            ),
            models.CheckConstraint(
                condition=Q(state=ReportState.DRAFT) | Q(first_submitted_on__isnull=False),
                name="reportrequest_submitted_has_date",
            ),
        ]
        indexes = [models.Index(fields=["state"], name="reportrequest_state_idx")]

    def __str__(self) -> str:
        return f"{self.period.code} · {self.org_unit}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


class DataValue(TimeStampedModel):
    """One answer in a report: to a data element of the plan or to an ad-hoc question.
    The value is kept as entered-and-normalised text; numbers (and yes/no as 1/0) are also
    kept in `numeric` for analytics."""

    request = models.ForeignKey(
        ReportRequest, verbose_name=_("report"), on_delete=models.CASCADE, related_name="values"
    )
    element = models.ForeignKey(
        "plans.DataElement",
        verbose_name=_("data element"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="values",
    )
    question = models.ForeignKey(
        AdhocQuestion,
        verbose_name=_("ad-hoc question"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="values",
    )
    value = models.TextField(_("value"), blank=True)
    numeric = models.DecimalField(
        _("numeric value"), max_digits=24, decimal_places=4, null=True, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        constraints = [
            models.CheckConstraint(
                condition=(Q(element__isnull=False) & Q(question__isnull=True))
                | (Q(element__isnull=True) & Q(question__isnull=False)),
                name="datavalue_element_xor_question",
            ),
            models.UniqueConstraint(
                fields=["request", "element"],
                condition=Q(element__isnull=False),
                name="datavalue_unique_element",
            ),
            models.UniqueConstraint(
                fields=["request", "question"],
                condition=Q(question__isnull=False),
                name="datavalue_unique_question",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.element_id or self.question_id} = {self.value}"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    RECURRING_DONE = "recurring_done", _("Done for this period (recurring task)")


class TaskAnswer(TimeStampedModel):
    """A unit's account of one task in one report: status, results, difficulties and
    proposals. The rows are created when the request opens: they fix which tasks the
    form asks about, as the unit held them on the last day of the data window."""

    request = models.ForeignKey(
        ReportRequest,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="task_answers",
    )
    task = models.ForeignKey(
        "plans.Task", verbose_name=_("task"), on_delete=models.PROTECT, related_name="answers"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, blank=True
    )
    results = models.TextField(_("results achieved"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)

    class Meta:
        verbose_name = _("task answer")
        verbose_name_plural = _("task answers")
        ordering = ["request", "task__order"]
        constraints = [
            models.UniqueConstraint(fields=["request", "task"], name="taskanswer_unique_task"),
            models.CheckConstraint(
                condition=Q(status="") | Q(status__in=TaskStatus.values),
                name="taskanswer_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.task.ref} {self.status or '—'}"


class ConflictCopyQuerySet(models.QuerySet):
    """Conflict copies; `unresolved()`: those still waiting for a choice."""

    def unresolved(self) -> ConflictCopyQuerySet:
        return self.filter(resolved_at__isnull=True)


class ConflictCopy(models.Model):
    """A save refused because someone else had saved first: what its author tried to
    store, kept beside the current version until someone resolves it."""

    request = models.ForeignKey(
        ReportRequest,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    base_version = models.PositiveIntegerField(_("version edited"))
    current_version = models.PositiveIntegerField(_("version found"))
    payload = models.JSONField(_("refused changes"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.CharField(_("resolution"), max_length=10, blank=True)

    objects = ConflictCopyQuerySet.as_manager()

    class Meta:
        verbose_name = _("edit conflict")
        verbose_name_plural = _("edit conflicts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolution__in=["", "mine", "theirs"]),
                name="conflictcopy_resolution_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: v{self.base_version} vs v{self.current_version}"


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Before the due date")
    OVERDUE = "overdue", _("Overdue")


class ReminderLog(models.Model):
    """One reminder sent: the unique constraint is what keeps the hourly command from
    sending the same reminder twice."""

    request = models.ForeignKey(
        ReportRequest,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    offset_days = models.PositiveSmallIntegerField(_("days before or after the due date"))
    recipient = models.EmailField(_("recipient"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "offset_days", "recipient"], name="reminderlog_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.offset_days} → {self.recipient}"
