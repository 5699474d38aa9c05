from allauth.socialaccount.providers.orcid.provider import OrcidProvider as AllauthOrcidProvider

from profiles.orcid.views import OrcidAdapter


class OrcidProvider(AllauthOrcidProvider):
    name = "ORCID"
    oauth2_adapter_class = OrcidAdapter


provider_classes = [OrcidProvider]
