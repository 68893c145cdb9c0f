from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class AmountField(forms.DecimalField):
    """Accepts "1 000,5" and "1000.5" alike, whatever the page language's own separator."""

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split()).replace(",", ".")
        return super().to_python(value)


class ConverterForm(forms.Form):
    """Soms to a currency or back, at the latest rate; a plain GET form."""

    TO_SOM = "to_som"
    FROM_SOM = "from_som"

    amount = AmountField(
        label=_("Amount"),
        min_value=Decimal("0.01"),
        max_value=Decimal("1000000000000"),
        max_digits=16,
        decimal_places=4,
    )
    currency = forms.ChoiceField(label=_("Currency"))
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[(TO_SOM, _("currency to soms")), (FROM_SOM, _("soms to currency"))],
        initial=TO_SOM,
    )

    def __init__(self, *args, values: dict[str, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.values = values
        self.fields["currency"].choices = [(code, code) for code in values]

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        # The result line should read "2,5 USD", not "2,5000 USD".
        if amount == amount.to_integral_value():
            return amount.quantize(Decimal(1))
        return amount.normalize()

    def result(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        value = self.values[self.cleaned_data["currency"]]
        if self.cleaned_data["direction"] == self.TO_SOM:
            return (amount * value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return (amount / value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
