"""Sign in with ORCID: allauth's ORCID provider, with its base URL read from settings per request.

allauth's own adapter fixes its URLs when it is imported; reading them per request lets the
sandbox, production and a local test stub each be chosen through ORCID_BASE_DOMAIN. Settings
swap this provider in with SOCIALACCOUNT_PROVIDERS["orcid"]["provider_class"].
"""
