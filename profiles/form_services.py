"""Running a service from a valid form, as the profile's views do."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from profiles import services


def submitted(form, field: str | None, service, **arguments) -> bool:
    """Run a service with a valid form's data. True when it went through; a ClaimError becomes
    the form's error on `field`; PermissionDenied is not found, so nobody learns whose a record
    is."""
    try:
        service(**arguments)
    except PermissionDenied:
        raise Http404 from None
    except services.ClaimError as error:
        form.add_error(field, str(error))
        return False
    return True
