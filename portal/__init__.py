"""The public portal: applicants and referrers, phones first."""
