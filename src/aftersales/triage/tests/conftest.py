from aftersales.accounts.tests.api.client import anonymous, api_for  # noqa: F401 - shared fixtures
