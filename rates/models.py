from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import (
    DateField,
    ExpressionWrapper,
    F,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .plausibility import is_plausible, plausible_range


class CurrencyQuerySet(models.QuerySet):
    def shown(self):
        return self.filter(is_shown=True)


class Currency(models.Model):
    code = models.CharField(
        _("code"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Three capital Latin letters, e.g. USD."))],
        help_text=_("ISO 4217 code as in the NBKR feed, e.g. USD."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in the header widget: smaller comes first.")
    )
    is_shown = models.BooleanField(
        _("shown in the widget"),
        default=False,
        help_text=_("Shown in every page header and charted on the rates page."),
    )

    objects = CurrencyQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")

    def __str__(self):
        return self.code


class RateQuerySet(models.QuerySet):
    def on_or_before(self, day):
        return self.filter(date__lte=day)

    def of_shown_currencies(self):
        return self.filter(currency__is_shown=True)

    def latest_two_per_currency(self, *, on_or_before, within_days):
        """Each currency's latest rate on or before that day and the one before it,
        `recency` 1 and 2, in one query.

        Currencies are published on different days (weekly ones once a week), so "latest"
        is per currency, not one date for all. Only the rates of the `within_days` days
        up to the newest rate of any currency are ranked (an index range of the date),
        so years of history cost what a month does.
        """
        newest = Rate.objects.filter(date__lte=on_or_before).order_by("-date").values("date")[:1]
        since = ExpressionWrapper(
            Subquery(newest) - Value(timedelta(days=within_days)), output_field=DateField()
        )
        return (
            self.filter(date__lte=on_or_before, date__gte=since)
            .select_related("currency")
            .annotate(
                recency=Window(
                    RowNumber(), partition_by=[F("currency_id")], order_by=F("date").desc()
                )
            )
            .filter(recency__lte=2)
        )


class Rate(models.Model):
    class Source(models.TextChoices):
        DAILY = "daily", _("NBKR daily")
        WEEKLY = "weekly", _("NBKR weekly")
        MANUAL = "manual", _("entered by hand")

    currency = models.ForeignKey(
        Currency, on_delete=models.CASCADE, related_name="rates", verbose_name=_("currency")
    )
    date = models.DateField(
        _("effective date"), help_text=_("The day the National Bank set this rate for.")
    )
    value = models.DecimalField(
        _("value"),
        max_digits=18,
        decimal_places=8,
        help_text=_("Soms for ONE unit of the currency, whatever the published nominal."),
    )
    nominal = models.PositiveIntegerField(
        _("nominal"),
        default=1,
        help_text=_("How many units the National Bank quoted the rate for (1, 10 or 100)."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.DAILY
    )
    is_manual = models.BooleanField(
        _("corrected by hand"),
        default=False,
        help_text=_("A hand correction is kept when the import runs again."),
    )
    fetched_at = models.DateTimeField(_("fetched at"), default=timezone.now)

    objects = RateQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "currency__position", "currency__code"]
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="rates_one_rate_per_day"),
            models.CheckConstraint(condition=Q(value__gt=0), name="rates_value_positive"),
            models.CheckConstraint(condition=Q(nominal__gte=1), name="rates_nominal_positive"),
        ]
        indexes = [models.Index(fields=["date"], name="rates_rate_date_idx")]

    def __str__(self):
        return f"{self.currency} {self.date:%d.%m.%Y}: {self.value}"

    def clean(self):
        if self.currency_id and self.value is not None:
            code = self.currency.code
            if not is_plausible(code=code, value=self.value):
                low, high = plausible_range(code)
                raise ValidationError(
                    {
                        "value": _(
                            "%(code)s is never worth %(value)s soms; expected between "
                            "%(low)s and %(high)s for one unit."
                        )
                        % {"code": code, "value": self.value, "low": low, "high": high}
                    }
                )
