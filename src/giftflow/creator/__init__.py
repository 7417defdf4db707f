"""What creators build beyond the LIVE, as pure domain rules: the link-in-bio page and
its lead form, perks that deliver, digital products, milestones, subathon timers and
gift rules. Standard library and ``giftflow.economy``/``giftflow.live`` values only; the
rows live in ``giftflow.store``, the flows in ``giftflow.service.creator``."""
