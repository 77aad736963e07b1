"""Safety walks: planning, recording on a phone, the protocol, follow-up and public pages."""
