"""Privacy: suppression of small counts, the protected publication, masking, retention."""
