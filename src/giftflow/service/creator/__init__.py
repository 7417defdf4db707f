"""The flows of what creators build beyond the LIVE (link-in-bio, perks and products,
milestones, subathons): each change one transaction with its room events and outbox
rows; the SQL they run lives in ``giftflow.store``."""
