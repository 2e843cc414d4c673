"""placeholder"""
DEFAULT_INSTANCE_TYPE = "Standard_NC6s_v3"
