"""HTML that both the HTTP API and the dashboard serve: SVG charts (``charts``) and the
post-LIVE report page (``report_page``). Standard library and ``giftflow.i18n`` only, so
``giftflow.api`` (``GET .../report.html``) and ``giftflow.web`` share it without either
importing the other."""
