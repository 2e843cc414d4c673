"""Session-state keys shared across pages. A page's own widget keys start with its name."""

BACKEND = "backend"  # "local" or "azure"
AZURE_OPTIONS = "azure_options"  # dict of connection options once connected
DATASET_PATH = "dataset_path"  # the conversation file the Dataset page has loaded
PREPARED_DATASET = "prepared_dataset"  # folder of a prepared dataset, chosen for training
SELECTED_JOB = "selected_job"
CHAT_ENDPOINT = "chat_endpoint"  # the Chat page's endpoint picker; other pages preselect it
