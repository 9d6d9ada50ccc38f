"""The fax channel: numbers normalised to E.164, and a gateway that turns an email into a fax."""

import phonenumbers

from .email import EmailTransport
from .transport import OutgoingLetter, TransportError


def fax_number_e164(number: str, *, region: str | None = None) -> str:
    """'+86 10 6238 1025' -> '+861062381025'; `region` (ISO code) reads a number written without +country."""
    try:
        parsed = phonenumbers.parse(number, (region or "").upper() or None)
    except phonenumbers.NumberParseException as error:
        raise TransportError(f"“{number}” is not a fax number: {error}", permanent=True) from None
    if not phonenumbers.is_possible_number(parsed):
        raise TransportError(f"“{number}” is not a possible fax number", permanent=True)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class FaxBackend:
    """What a fax service does for uadesk: put a PDF through to a number."""

    def send(self, letter: OutgoingLetter, *, to: str) -> None:
        """Faxes the letter's PDF to the number `to`."""
        raise NotImplementedError


class EmailToFaxGateway(FaxBackend):
    """Fax services that take an email at <number>@<gateway> and fax its PDF attachment."""

    def __init__(self, *, gateway_domain: str, transport: EmailTransport | None = None):
        if not gateway_domain or "@" in gateway_domain:
            raise ValueError("the fax gateway needs a domain such as fax.example.net")
        self.gateway_domain = gateway_domain
        self.transport = transport or EmailTransport()

    def address_for(self, number: str) -> str:
        return f"{fax_number_e164(number).lstrip('+')}@{self.gateway_domain}"

    def send(self, letter: OutgoingLetter, *, to: str) -> None:
        if not any(mimetype == "application/pdf" for _, _, mimetype in letter.attachments):
            raise TransportError("a fax needs the letter as a PDF attachment", permanent=True)
        self.transport.send(letter, to=self.address_for(to))


class NoGateway(FaxBackend):
    """A desk without a fax gateway: a fax queued before it was switched off fails, saying why."""

    def send(self, letter: OutgoingLetter, *, to: str) -> None:
        raise TransportError("no fax gateway is configured (FAX_GATEWAY_DOMAIN)", permanent=True)


def fax_gateway(domain: str, *, transport: EmailTransport) -> FaxBackend:
    return EmailToFaxGateway(gateway_domain=domain, transport=transport) if domain else NoGateway()
