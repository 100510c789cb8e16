"""The registries behind Plan 141's targets (zones, parks, clusters and craft villages with
the awareness activities that reached them; retailers with their packaging practice;
enterprises of the plan's sectors with their consumption figures; SCP models; science and
technology enterprises) and the unit table that converts the figures.

Every registry entry opens and closes (`valid_from`, `valid_to`, the closing day excluded),
so a count "as of" any day is exact, and keeps its place as recorded: a district before the
1 July 2025 reorganisation, a commune-level unit after it. Where a district was split, the
entry may name the unit it lies in afterwards (`later_place`); see `registry.places`."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.models import NamedModel, TimeStampedModel, ValidityModel


class RegistryEntry(NamedModel, TimeStampedModel, ValidityModel):
    """Abstract base of every registry entry: a code, a name, a place, opening and closing
    days, and where the facts come from."""

    search_fields: tuple[str, ...] = ("name", "code", "address")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    place = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("place (as recorded)"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The district (before 1 July 2025) or commune-level unit (after) the "
                    "entry lies in, as recorded."),
    )
    later_place = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("place after a split"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("When the recorded place was later split among several units: the one "
                    "the entry lies in afterwards."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    valid_from = models.DateField(_("opened on"))
    valid_to = models.DateField(
        _("closed on"), null=True, blank=True,
        help_text=_("First day the entry no longer exists; empty while it is open."),
    )
    illustrative = models.BooleanField(
        _("illustrative"), default=False,
        help_text=_("Demonstration data, not confirmed facts."),
    )
    source = models.TextField(_("source"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["name_sort"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="%(app_label)s_%(class)s_closes_after_opening",
                violation_error_message=_("An entry cannot close before it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AreaKind(models.TextChoices):
    ECONOMIC_ZONE = "economic_zone", _("Economic zone")
    INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
    INDUSTRIAL_CLUSTER = "industrial_cluster", _("Industrial cluster")
    CRAFT_VILLAGE = "craft_village", _("Craft village")


class Area(RegistryEntry):
    """An economic zone, industrial park, industrial cluster or craft village: the
    denominator of target II.2.1.2 (70% reached by SCP awareness by 2025, 100% by 2030)."""

    kind = models.CharField(_("kind"), max_length=20, choices=AreaKind.choices)
    area_ha = models.DecimalField(
        _("area (ha)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    zone = models.ForeignKey(
        "self",
        verbose_name=_("in economic zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parts",
        limit_choices_to={"kind": AreaKind.ECONOMIC_ZONE},
    )
    activity = models.CharField(_("main activity or craft"), max_length=255, blank=True)

    class Meta(RegistryEntry.Meta):
        verbose_name = _("zone, park, cluster or village")
        verbose_name_plural = _("zones, parks, clusters and villages")
        ordering = ["kind", "name_sort"]
        constraints = [
            *RegistryEntry.Meta.constraints,
            models.CheckConstraint(
                condition=Q(area_ha__isnull=True) | Q(area_ha__gte=0),
                name="registry_area_area_not_negative",
            ),
        ]


class AwarenessActivity(TimeStampedModel):
    """An SCP awareness activity (a conference, a training, a campaign) and the zones,
    parks, clusters and villages it reached."""

    date = models.DateField(_("date"))
    organiser = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("what was done"), blank=True)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    areas = models.ManyToManyField(
        Area, verbose_name=_("reached"), related_name="activities", blank=True
    )
    evidence = models.CharField(_("evidence (document or file reference)"), max_length=255,
                                blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        verbose_name = _("awareness activity")
        verbose_name_plural = _("awareness activities")
        ordering = ["-date", "title"]
        constraints = [
            models.UniqueConstraint(fields=["date", "organiser", "title"],
                                    name="registry_activity_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.title}"


class RetailerKind(models.TextChoices):
    SUPERMARKET = "supermarket", _("Supermarket")
    COMMERCIAL_CENTRE = "commercial_centre", _("Commercial centre")
    CONVENIENCE_STORE = "convenience_store", _("Convenience store")
    TRADITIONAL_MARKET = "traditional_market", _("Traditional market")


# The kinds target II.2.1.5 counts (85% on eco-friendly packaging by 2025).
PACKAGING_TARGET_KINDS = (RetailerKind.SUPERMARKET, RetailerKind.COMMERCIAL_CENTRE)


class Retailer(RegistryEntry):
    """A supermarket, commercial centre, convenience store or traditional market."""

    search_fields = ("name", "code", "address", "operator")

    kind = models.CharField(_("kind"), max_length=20, choices=RetailerKind.choices)
    operator = models.CharField(_("operator or chain"), max_length=255, blank=True)

    class Meta(RegistryEntry.Meta):
        verbose_name = _("retailer")
        verbose_name_plural = _("supermarkets, centres, stores and markets")
        ordering = ["kind", "name_sort"]


class PracticeBasis(models.TextChoices):
    INSPECTED = "inspected", _("Inspected")
    DECLARED = "declared", _("Declared")


class PackagingPractice(TimeStampedModel):
    """Since when (and until when) a retailer distributes or uses eco-friendly packaging
    instead of single-use, hard-to-degrade plastic, as inspected or declared."""

    retailer = models.ForeignKey(
        Retailer, verbose_name=_("retailer"), on_delete=models.CASCADE,
        related_name="packaging",
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until (exclusive)"), null=True, blank=True,
                             help_text=_("First day the practice stopped; empty if it goes on."))
    basis = models.CharField(_("basis"), max_length=10, choices=PracticeBasis.choices)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_ref = models.CharField(_("evidence file or document"), max_length=255, blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        verbose_name = _("packaging practice")
        verbose_name_plural = _("packaging practices")
        ordering = ["retailer", "since"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=F("since")),
                name="registry_packaging_ends_after_start",
                violation_error_message=_("A practice cannot stop before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.retailer}: {self.since:%d/%m/%Y}"

    def is_active_on(self, day) -> bool:
        return self.since <= day and (self.until is None or self.until > day)


class Enterprise(RegistryEntry):
    """An enterprise in one of the plan's sectors (coal, cement, textiles, beverages...),
    whose consumption per unit of product target II.2.1.1 follows. May be designated a
    reporting unit: it then has an organisation unit of kind `enterprise`."""

    search_fields = ("name", "tax_code", "address")

    tax_code = models.CharField(_("tax code"), max_length=14, unique=True)
    name_key = models.CharField(_("normalised name"), max_length=255, editable=False)
    sector = models.ForeignKey(
        "plans.Sector", verbose_name=_("sector"), on_delete=models.PROTECT,
        related_name="enterprises",
    )
    reporting_unit = models.OneToOneField(
        "orgunits.OrgUnit",
        verbose_name=_("reporting unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprise",
    )

    class Meta(RegistryEntry.Meta):
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            *RegistryEntry.Meta.constraints,
            models.UniqueConstraint(
                fields=["name_key", "place"], name="registry_enterprise_unique_name_place",
                violation_error_message=_("An enterprise with this name is already "
                                          "registered in this place."),
            ),
        ]


class ScpModelKind(models.TextChoices):
    SCP = "scp", _("Sustainable production and consumption model")
    CLEANER_PRODUCTION = "cleaner_production", _("Cleaner production model")


class ScpModel(RegistryEntry):
    """A model of sustainable production and consumption or of cleaner production: what,
    where, who runs it, since when (targets II.2.1.3: 1-2 by 2025, replicated after)."""

    search_fields = ("name", "code", "operator", "description")

    kind = models.CharField(_("kind"), max_length=20, choices=ScpModelKind.choices)
    description = models.TextField(_("what it is"), blank=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise running it"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="scp_models",
    )
    operator = models.CharField(_("who runs it"), max_length=255, blank=True)

    class Meta(RegistryEntry.Meta):
        verbose_name = _("SCP or cleaner-production model")
        verbose_name_plural = _("SCP and cleaner-production models")


class StEnterprise(RegistryEntry):
    """A science-and-technology enterprise holding a certificate (task IV.10.1: 20 by 2030).
    Opens on its certificate date unless recorded otherwise."""

    search_fields = ("name", "code", "tax_code", "certificate_number", "field")

    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=60, unique=True)
    certificate_date = models.DateField(_("certificate date"))
    issuer = models.CharField(_("issued by"), max_length=255, blank=True)
    field = models.CharField(_("field of science and technology"), max_length=255, blank=True)

    class Meta(RegistryEntry.Meta):
        verbose_name = _("science and technology enterprise")
        verbose_name_plural = _("science and technology enterprises")


# ---------------------------------------------------------------- the unit table


class MeasureKind(models.Model):
    """A kind of quantity (mass, volume, energy, electricity, count...) with its base unit;
    loaded from the unit table file (settings.SCP_UNITS_FILE)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    base_unit = models.CharField(_("base unit"), max_length=20)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("kind of quantity")
        verbose_name_plural = _("kinds of quantity")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class MeasureUnit(models.Model):
    """A unit of measure: its kind and how many of the kind's base unit one of it is."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    symbol = models.CharField(_("symbol"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.ForeignKey(MeasureKind, verbose_name=_("kind"), on_delete=models.PROTECT,
                             related_name="units")
    factor = models.DecimalField(_("factor to the base unit"), max_digits=30,
                                 decimal_places=15)
    source = models.TextField(_("source"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        ordering = ["kind__order", "order"]
        constraints = [
            models.CheckConstraint(condition=Q(factor__gt=0), name="registry_unit_factor_positive"),
        ]

    def __str__(self) -> str:
        return self.symbol


class ItemRole(models.TextChoices):
    PRODUCT = "product", _("Product")
    MATERIAL = "material", _("Material")
    FUEL = "fuel", _("Fuel or energy")


class Item(models.Model):
    """Something an enterprise produces or consumes (coal output, clinker, diesel,
    electricity...), with the kinds of unit it may be reported in."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=ItemRole.choices)
    kinds = models.ManyToManyField(MeasureKind, verbose_name=_("allowed kinds of unit"),
                                   related_name="items")
    default_unit = models.ForeignKey(MeasureUnit, verbose_name=_("usual unit"),
                                     on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField(_("order"), default=0)
    sectors = models.JSONField(
        _("sectors"), default=list, blank=True,
        help_text=_("Codes of the plan's sectors whose enterprises report it; empty: any "
                    "sector (electricity, diesel)."))

    class Meta:
        verbose_name = _("product, material or fuel")
        verbose_name_plural = _("products, materials and fuels")
        ordering = ["role", "order"]

    def __str__(self) -> str:
        return self.name


class FuelFactor(models.Model):
    """How many tonnes of oil equivalent one `unit` of a fuel is, with its source."""

    item = models.ForeignKey(Item, verbose_name=_("fuel"), on_delete=models.CASCADE,
                             related_name="toe_factors")
    unit = models.ForeignKey(MeasureUnit, verbose_name=_("per unit"), on_delete=models.PROTECT,
                             related_name="+")
    toe = models.DecimalField(_("toe per unit"), max_digits=20, decimal_places=10)
    source = models.TextField(_("source"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("energy conversion factor")
        verbose_name_plural = _("energy conversion factors")
        constraints = [
            models.UniqueConstraint(fields=["item", "unit"], name="registry_fuelfactor_unique"),
            models.CheckConstraint(condition=Q(toe__gt=0), name="registry_fuelfactor_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.toe} toe/{self.unit}"


# ---------------------------------------------------------------- consumption figures


class FigurePeriod(models.TextChoices):
    YEAR = "year", _("Whole year")
    H1 = "h1", _("First half")
    H2 = "h2", _("Second half")


class FigureSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported from Excel")
    REPORT = "report", _("Reported by the enterprise")
    DEMO = "demo", _("Demonstration data")


class Allocation(models.TextChoices):
    """How a record's inputs that name no product are shared among its products."""

    PRINCIPAL = "principal", _("All to the sector's principal product")
    OUTPUT = "output", _("In proportion to output")


class ConsumptionRecord(TimeStampedModel):
    """One enterprise's output and consumption for a year or half-year. An input line may
    name the product it was used for; the lines that name none are shared among the
    products by `allocation` (docs/progress-method.md, section 3)."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"),
                                   on_delete=models.CASCADE, related_name="records")
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=4, choices=FigurePeriod.choices,
                              default=FigurePeriod.YEAR)
    source = models.CharField(_("source"), max_length=10, choices=FigureSource.choices,
                              default=FigureSource.ENTERED)
    illustrative = models.BooleanField(_("illustrative"), default=False)
    allocation = models.CharField(
        _("allocation of inputs not entered per product"), max_length=10,
        choices=Allocation.choices, default=Allocation.OUTPUT,
        help_text=_("How inputs that name no product are shared among the record's "
                    "products."))
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("consumption record")
        verbose_name_plural = _("consumption records")
        ordering = ["enterprise", "year", "period"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "period"],
                                    name="registry_record_unique_period"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.period_label}"

    @property
    def period_label(self) -> str:
        """The period's code (2025S1), as the API and the audit notes give it."""
        return {"h1": f"{self.year}S1", "h2": f"{self.year}S2"}.get(self.period, str(self.year))

    @property
    def period_shown(self) -> str:
        """The period as officials name it ("6 tháng đầu năm 2025")."""
        from registry.figures import period_label

        return period_label(self.year, self.period)


class ConsumptionLine(models.Model):
    """One product's output or one material's or fuel's consumption in a record. An input
    line may name the product it was used for (one of the record's products: the service
    checks it); then one input item may appear once per product and once without one."""

    record = models.ForeignKey(ConsumptionRecord, verbose_name=_("record"),
                               on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT,
                             related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=20, decimal_places=4)
    unit = models.ForeignKey(MeasureUnit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="+")
    product = models.ForeignKey(
        Item, verbose_name=_("used for product"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
        limit_choices_to={"role": ItemRole.PRODUCT},
        help_text=_("Empty: shared among the products by the record's allocation rule."))

    class Meta:
        verbose_name = _("consumption line")
        verbose_name_plural = _("consumption lines")
        ordering = ["record", "item__role", "item__order", "product__order"]
        constraints = [
            # NULL is distinct from NULL in a plain unique index (SQLite, PostgreSQL < 15):
            # the lines naming no product get their own partial index
            models.UniqueConstraint(fields=["record", "item", "product"],
                                    condition=Q(product__isnull=False),
                                    name="registry_line_unique_item_product"),
            models.UniqueConstraint(fields=["record", "item"],
                                    condition=Q(product__isnull=True),
                                    name="registry_line_unique_item"),
            models.CheckConstraint(condition=~Q(product=models.F("item")),
                                   name="registry_line_product_not_itself"),
            models.CheckConstraint(condition=Q(quantity__gte=0),
                                   name="registry_line_quantity_not_negative"),
        ]

    def __str__(self) -> str:
        if self.product_id is not None:
            return f"{self.item} ({self.product}): {self.quantity} {self.unit}"
        return f"{self.item}: {self.quantity} {self.unit}"
