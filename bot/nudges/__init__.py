"""Break nudges: an APScheduler job that claims due rows and sends them."""
