from django.urls import reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

import vigil
from vigil.accounts.access import ApiPermission


class ApiRoot(APIView):
    """The API's front door: its version and where to find its schema. Any signed-in user."""

    permission_classes = [ApiPermission]
    required_permission = "api.view_root"

    @extend_schema(summary="API root", responses={200: dict})
    def get(self, request):
        return Response({
            "service": "Vigil",
            "api_version": "v1",
            "vigil_version": vigil.__version__,
            "schema": request.build_absolute_uri(reverse("api:schema")),
        })


class ApiSchema(SpectacularAPIView):
    """The OpenAPI schema. Any signed-in user."""

    permission_classes = [ApiPermission]
    required_permission = "api.view_root"
