"""The Azure ML backend: the guide's azure-ai-ml calls behind the Backend protocol.

Importing this package is cheap: azure-ai-ml, azure-identity and mlflow load inside the
functions that need them.
"""

from services.backends.azure.backend import AzureBackend
from services.backends.azure.connection import AzureConnection, find_azure_config, switch_offer

__all__ = ["AzureBackend", "AzureConnection", "find_azure_config", "switch_offer"]
