"""Fine-Tune Studio services: all logic behind the pages. Never imports streamlit."""
