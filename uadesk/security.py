"""The Permissions-Policy header, which Django does not set: features the desk never uses, denied."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Denies every feature in settings.PERMISSIONS_POLICY; a view that set the header keeps its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        # "camera=()" grants camera to no origin, not even ours: no page of the desk asks for it.
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
