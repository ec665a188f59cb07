"""Rules that every change to a pupil's casework obeys, whichever capability makes it."""

from django.core.exceptions import ValidationError

from .models import Pupil, PupilTransfer, TransferStatus


def pupil_transfer_pending(pupil: Pupil) -> PupilTransfer | None:
    """The transfer of this pupil's record that awaits the receiving school's confirmation."""
    return (
        PupilTransfer.objects.filter(pupil=pupil, status=TransferStatus.SENT)
        .order_by("-sent_at")
        .first()
    )


def pupil_check_writable(pupil: Pupil) -> None:
    """Refuse a change to the casework of a pupil whose record has been sent to another school
    and awaits confirmation: until then the sending school's access is read-only.

    The pupil's row is locked for the caller's transaction first, so that a change cannot slip
    in between a transfer's snapshot of the record and its sending (``transfer_send`` locks the
    same row).
    """
    Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
    if pupil_transfer_pending(pupil) is not None:
        raise ValidationError(
            {
                "pupil": "This pupil's record has been sent to another school; it is read-only "
                "until the receiving school confirms receipt."
            }
        )
