"""A plan as data: its sections, milestones, targets, sectors, tasks, assignments,
reporting rules and the questions (data elements) its reports ask. Everything here is
loaded from a plan file by `plans.loader`; nothing about Plan 141 is written in code."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel


class Plan(TimeStampedModel):
    """One plan document, e.g. Plan 141/KH-UBND of Quang Ninh (6 Aug 2020)."""

    code = models.CharField(_("number and symbol"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title = models.TextField(_("title"))
    title_en = models.TextField(_("English title"), blank=True)
    issuer = models.CharField(_("issuing body"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    implements = models.CharField(_("implements"), max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    lead_agency = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("lead agency"),
        on_delete=models.PROTECT,
        related_name="led_plans",
    )
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    general_objective = models.TextField(_("general objective"), blank=True)
    source_file = models.CharField(_("source file"), max_length=300, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")), name="plan_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class SectionKind(models.TextChoices):
    VIEWPOINT = "viewpoint", _("Viewpoint")
    TASK_GROUP = "task_group", _("Main task group")
    TASK_GROUP_ITEM = "task_group_item", _("Main task")
    TASK_BLOCK = "task_block", _("Specific task block")


class Section(models.Model):
    """A numbered passage of the plan that is text rather than a target or a task: a
    viewpoint (I.n), a main task group (III.n) and its bullets, a block heading of IV."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="sections"
    )
    ref = models.CharField(_("reference"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20, choices=SectionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.TextField(_("title"), blank=True)
    title_en = models.TextField(_("English title"), blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("plan section")
        verbose_name_plural = _("plan sections")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "ref"], name="section_unique_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title or self.text[:60]}"


class Milestone(models.Model):
    """A horizon the plan sets targets for: 2021-2025 (II.2.1) and to 2030 (II.2.2)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="milestones"
    )
    code = models.CharField(_("code"), max_length=20)
    ref = models.CharField(_("reference"), max_length=20)
    label = models.CharField(_("label"), max_length=120)
    label_en = models.CharField(_("English label"), max_length=120, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("target year"))

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["plan", "end_year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="milestone_unique_code"),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")), name="milestone_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Sector(models.Model):
    """A production sector the consumption target names (coal, cement, ...)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="sectors"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    principal_product = models.SlugField(
        _("principal product"), max_length=40, blank=True,
        help_text=_("Item code of the product a multi-product record's inputs are attributed "
                    "to when they are not entered per product."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="sector_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """How a target's value is computed from accepted data: a formula over named elements
    (docs/progress-method.md), and optionally the formula of the other source of the same
    quantity (report answers against registry counts), shown beside it when they differ."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=60)
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    formula = models.TextField(_("formula"))
    compare = models.TextField(_("formula of the other source"), blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class TargetKind(models.TextChoices):
    QUANTITATIVE = "quantitative", _("Quantitative")
    QUALITATIVE = "qualitative", _("Qualitative")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Increase to at least")
    DECREASE = "decrease", _("Decrease by")
    MAINTAIN = "maintain", _("Maintain")


class Target(models.Model):
    """A specific objective for one milestone. Quantitative targets carry a unit, a
    direction, a baseline year and a minimum value with, where the plan gives a range
    ("5 - 8%"), a stretch value."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets"
    )
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), on_delete=models.CASCADE, related_name="targets"
    )
    ref = models.CharField(_("reference"), max_length=20)
    code = models.SlugField(_("code"), max_length=60)
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(_("text"))
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TargetKind.choices)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    minimum_value = models.DecimalField(
        _("minimum value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    stretch_value = models.DecimalField(
        _("stretch value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    value_text = models.CharField(_("value as written"), max_length=60, blank=True)
    indicator = models.SlugField(_("indicator code"), max_length=60, blank=True)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), blank=True, related_name="targets"
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "ref"], name="target_unique_ref"),
            models.UniqueConstraint(fields=["plan", "code"], name="target_unique_code"),
            models.CheckConstraint(
                condition=Q(stretch_value__isnull=True)
                | Q(minimum_value__isnull=True)
                | Q(stretch_value__gte=F("minimum_value")),
                name="target_stretch_not_below_minimum",
            ),
            models.CheckConstraint(
                condition=Q(kind="qualitative") | Q(minimum_value__isnull=False),
                name="target_quantitative_has_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title_en or self.text[:60]}"


class Recurrence(models.TextChoices):
    RECURRING = "recurring", _("Recurring (every year)")
    ONE_OFF = "one_off", _("One-off")


class Task(TimeStampedModel):
    """A specific task of section IV, e.g. IV.2.3, with its source text (timestamped: the
    report forms keep a plan's tasks per process, `common.kept`)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks"
    )
    block = models.ForeignKey(
        Section,
        verbose_name=_("block"),
        on_delete=models.CASCADE,
        related_name="tasks",
        limit_choices_to={"kind": SectionKind.TASK_BLOCK},
    )
    ref = models.CharField(_("reference"), max_length=20)
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(_("text"))
    title_en = models.CharField(_("English title"), max_length=300)
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "ref"], name="task_unique_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title_en}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    COORDINATE = "coordinate", _("Coordinates")


class UnitGroup(models.TextChoices):
    """Groups the plan names instead of single units; resolved against the units valid
    on the plan's date and then followed through successions."""

    DEPARTMENTS = "departments", _("All departments and agencies")
    DISTRICT_LEVEL = "district_level", _("All district-level People's Committees")


class Assignment(models.Model):
    """Who leads or coordinates a task: one unit, or a group of units."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=12, choices=AssignmentRole.choices)
    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    group = models.CharField(
        _("group"), max_length=20, choices=UnitGroup.choices, blank=True
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(group=""))
                | (Q(unit__isnull=True) & ~Q(group="")),
                name="assignment_unit_xor_group",
            ),
            models.UniqueConstraint(
                fields=["task", "role", "unit"],
                condition=Q(unit__isnull=False),
                name="assignment_unique_unit",
            ),
            models.UniqueConstraint(
                fields=["task", "role", "group"],
                condition=~Q(group=""),
                name="assignment_unique_group",
            ),
        ]

    def __str__(self) -> str:
        who = self.unit.name if self.unit is not None else self.get_group_display()
        return f"{self.task.ref} {self.get_role_display()}: {who}"


class ReportKind(models.TextChoices):
    SEMIANNUAL = "semiannual", _("Semi-annual")
    ANNUAL = "annual", _("Annual")
    ADHOC = "adhoc", _("Ad hoc")


class ReportingRule(models.Model):
    """Section V's reporting regime: how often, due before which day, data cut-off."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="reporting_rules"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices)
    due_month = models.PositiveSmallIntegerField(_("due before: month"), null=True, blank=True)
    due_day = models.PositiveSmallIntegerField(_("due before: day"), null=True, blank=True)
    cutoff_start_month = models.PositiveSmallIntegerField(
        _("data from: month (previous year)"), null=True, blank=True
    )
    cutoff_start_day = models.PositiveSmallIntegerField(
        _("data from: day"), null=True, blank=True
    )
    cutoff_end_month = models.PositiveSmallIntegerField(
        _("data to: month"), null=True, blank=True
    )
    cutoff_end_day = models.PositiveSmallIntegerField(_("data to: day"), null=True, blank=True)
    recipient = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    consolidated_to = models.ManyToManyField(
        "orgunits.OrgUnit", verbose_name=_("consolidated to"), related_name="+", blank=True
    )
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="reportingrule_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code}: {self.get_kind_display()}"


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Number")
    PERCENT = "percent", _("Percentage")
    MONEY = "money", _("Amount in VND")
    BOOLEAN = "boolean", _("Yes / no")
    TEXT = "text", _("Text")
    CHOICE = "choice", _("Choice")


class DataElement(TimeStampedModel):
    """One question a report asks: a number, amount, percentage, yes/no, text or choice,
    attached to a task (its quantitative outputs) or owned by units of given kinds or
    codes (values behind a target). `part_of` names the whole this value may not exceed.
    Its timestamps let each process keep a plan's questions until one changes
    (`plans.selectors.form_parts`)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="data_elements"
    )
    code = models.SlugField(_("code"), max_length=60)
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    help_text = models.TextField(_("help text"), blank=True)
    value_type = models.CharField(_("value type"), max_length=10, choices=ValueType.choices)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    min_value = models.DecimalField(
        _("minimum"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="data_elements",
    )
    targets = models.ManyToManyField(
        Target, verbose_name=_("targets served"), blank=True, related_name="data_elements"
    )
    unit_kinds = models.JSONField(
        _("asked of unit kinds"), default=list, blank=True,
        help_text=_("Organisation-unit kinds that answer this question (unit-owned values)."),
    )
    unit_codes = models.JSONField(
        _("asked of units"), default=list, blank=True,
        help_text=_("Codes of the units that answer this question (unit-owned values)."),
    )
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parts",
    )

    class Meta:
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="dataelement_unique_code"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=F("min_value")),
                name="dataelement_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name
