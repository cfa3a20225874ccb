"""Staff pages of outreach, one module per sub-domain (events, volunteers, watch groups)."""
