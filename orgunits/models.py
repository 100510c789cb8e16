"""Organisation units and their history: who existed when, and who took over from whom."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.models import NamedModel, TimeStampedModel, ValidityModel


class OrgUnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
    MINISTRY = "ministry", _("Ministry")
    DEPARTMENT = "department", _("Department")
    AGENCY = "agency", _("Provincial agency")
    BANK_BRANCH = "bank_branch", _("State Bank branch")
    CITY = "city", _("Provincial city")
    TOWN = "town", _("Town")
    DISTRICT = "district", _("District")
    WARD = "ward", _("Ward")
    COMMUNE = "commune", _("Commune")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    ENTERPRISE = "enterprise", _("Enterprise")


# Kinds grouped the way the plan speaks of them ("UBND các huyện, thị xã, thành phố").
DISTRICT_LEVEL_KINDS = frozenset({OrgUnitKind.CITY, OrgUnitKind.TOWN, OrgUnitKind.DISTRICT})
COMMUNE_LEVEL_KINDS = frozenset(
    {OrgUnitKind.WARD, OrgUnitKind.COMMUNE, OrgUnitKind.SPECIAL_ZONE}
)
# "Các sở, ban, ngành": departments (and bodies of department rank), the boards and other
# provincial agencies, and the State Bank branch.
AGENCY_KINDS = frozenset({OrgUnitKind.DEPARTMENT, OrgUnitKind.AGENCY, OrgUnitKind.BANK_BRANCH})
LOCAL_KINDS = DISTRICT_LEVEL_KINDS | COMMUNE_LEVEL_KINDS


class OrgUnit(NamedModel, TimeStampedModel, ValidityModel):
    """A body that reports, receives reports, or is a place: a department, the State Bank
    branch, a district or commune, the People's Committee, the Ministry, an enterprise.
    Units open and close (`valid_from`, `valid_to`); `Succession` says who took over."""

    search_fields: tuple[str, ...] = ("name", "short_name", "code")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    official_code = models.CharField(_("official code"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    uncertain = models.BooleanField(
        _("uncertain"), default=False, help_text=_("Some fact about this unit is unconfirmed.")
    )
    source = models.TextField(_("source"), blank=True)
    note = models.TextField(_("note"), blank=True)
    note_en = models.TextField(_("English note"), blank=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["kind", "name_sort"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=F("valid_from")),
                name="orgunit_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_district_level(self) -> bool:
        return self.kind in DISTRICT_LEVEL_KINDS

    @property
    def is_commune_level(self) -> bool:
        return self.kind in COMMUNE_LEVEL_KINDS


class SuccessionKind(models.TextChoices):
    MERGE = "merge", _("Merged into")
    SPLIT = "split", _("Split among")
    RENAME = "rename", _("Renamed or reclassified")
    TRANSFER = "transfer", _("Functions transferred")


class Succession(TimeStampedModel):
    """`predecessor` passed its duties (all, or `share` of its territory) to `successor` on
    `date`. A merger is several rows with one successor; a split, one predecessor with
    several successors. A transfer that names `tasks` passes only those plan tasks."""

    predecessor = models.ForeignKey(
        OrgUnit,
        verbose_name=_("predecessor"),
        on_delete=models.CASCADE,
        related_name="successions_out",
    )
    successor = models.ForeignKey(
        OrgUnit,
        verbose_name=_("successor"),
        on_delete=models.CASCADE,
        related_name="successions_in",
    )
    date = models.DateField(_("effective date"))
    kind = models.CharField(_("kind"), max_length=20, choices=SuccessionKind.choices)
    share = models.DecimalField(
        _("share"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Fraction of the predecessor passed to this successor, if known."),
    )
    uncertain = models.BooleanField(_("uncertain"), default=False)
    source = models.TextField(_("source"), blank=True)
    note = models.TextField(_("note"), blank=True)
    note_en = models.TextField(_("English note"), blank=True)
    tasks = models.JSONField(
        _("tasks transferred"),
        default=list,
        blank=True,
        help_text=_("For a transfer: the plan tasks that pass, as \"plan code task ref\" "
                    "(\"141/KH-UBND IV.7.1\"); only those tasks follow this row."),
    )

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        ordering = ["date", "predecessor__name_sort"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")), name="succession_not_self"
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | (Q(share__gt=0) & Q(share__lte=1)),
                name="succession_share_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.date:%d/%m/%Y})"
