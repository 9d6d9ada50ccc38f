"""The errors ingesting a document can raise: each carries one line a person can act on."""


class IngestError(Exception):
    """A document could not be ingested; str(error) is one clear line saying why."""

    def __init__(self, message: str) -> None:
        # One line, whatever the caller passed: the CLI and the form show it as it is.
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return str(self)


class NotAnUrgentAction(IngestError):
    """The text was read but is empty or is not an Urgent Action."""


class UnreadableDocument(IngestError):
    """The file cannot be read: wrong type, too large, corrupt, encrypted, no text, wrong encoding."""


class DocumentTooLarge(UnreadableDocument):
    """The file is over the size or page limit."""


class DocumentTooComplex(DocumentTooLarge):
    """Reading the file would take more than its limits allow: bytes unpacked, characters, CPU or memory."""
