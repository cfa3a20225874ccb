"""`beatbook import calls`: a city's calls-for-service CSV, read through a small mapping file."""
