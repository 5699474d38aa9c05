from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from works import selectors
from works.models import Work


@require_GET
def work_detail(request, slug):
    try:
        work = selectors.work_get(slug=slug)
    except Work.DoesNotExist:
        raise Http404("No work has this address.") from None
    return render(request, "works/work_detail.html", {"work": work})
