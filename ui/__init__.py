"""The Streamlit interface: chat, search, uploads and dashboards, over the REST API only."""
