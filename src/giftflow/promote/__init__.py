"""Promote: coins buy paced, targeted reach to real viewers, honestly reported.

Pure data and algorithms (standard library and other domain packages only): the plan
of a promotion and its states (``promotions``), exact money in milli-coins
(``money``), the pacing curve and throttle (``pacing``), the fill decision
(``delivery``), invalid traffic (``invalid``), attribution of real follows
(``attribution``), planning analytics (``planning``) and highlights (``highlights``).
giftflow never creates a view, a follow or a like: it decides which real feed
requests show a promotion, and reports what real viewers did.
"""
