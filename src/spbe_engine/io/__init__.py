"""Reading assessments and writing results."""
