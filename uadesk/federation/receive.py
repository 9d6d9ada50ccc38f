"""The office desk taking a section desk's report on one action (docs/federation.md, Reports)."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def report(request):
    error = {"code": "not_ready", "message": "Not built yet.", "field": None}
    return JsonResponse({"error": error}, status=501)
