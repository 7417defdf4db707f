"""What giftflow serves to browsers: the overlays for OBS browser sources
(``giftflow.web.pages``; the static files are in ``overlays/``)."""
