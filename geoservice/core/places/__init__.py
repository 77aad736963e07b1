"""Places: area boundaries, their import and outline, assigning concerns to areas."""
