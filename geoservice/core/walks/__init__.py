"""Safety walks (trygghetsvandringar): photos without metadata, the protocol and the measures."""
