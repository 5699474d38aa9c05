from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bzpeer.params import param_int, param_text
from graph import explorer as graph_explorer
from works.models import Researcher


def _year(value: str | None) -> int | None:
    year = param_int(value)
    return year if year is not None and 1000 <= year <= 2100 else None


@require_GET
def explorer(request):
    slug = param_text(request.GET.get("focus"), max_length=200)
    focus = Researcher.objects.filter(slug=slug).first() if slug else None
    if slug and focus is None:
        raise Http404("No researcher has this address.")
    initial = graph_explorer.node_neighbourhood(node_id=f"person:{focus.slug}") if focus else None
    return render(request, "graph/explorer.html", {"focus": focus, "initial": initial})


@require_GET
def node(request):
    kinds = [
        kind for kind in request.GET.get("kinds", "").split(",") if kind in graph_explorer.KINDS
    ]
    try:
        data = graph_explorer.node_neighbourhood(
            node_id=request.GET.get("id", ""),
            kinds=kinds or graph_explorer.KINDS,
            year_from=_year(request.GET.get("from")),
            year_to=_year(request.GET.get("to")),
            limit=param_int(request.GET.get("limit"), default=graph_explorer.DEFAULT_LIMIT),
        )
    except graph_explorer.BadNodeId as error:
        return JsonResponse({"error": str(error)}, status=400)
    except graph_explorer.NodeNotFound as error:
        return JsonResponse({"error": str(error)}, status=404)
    return JsonResponse(data)
